// LearningRateScheduler (Keras semantics): at each epoch's start, lr = schedule(epoch, lr); the lr in effect is
// added to the epoch's logs as 'learning_rate'. Per-step schedules belong to the optimizer, not here.

import { ConfigError, invalid, ValueError } from '../errors.js';
import { withPositional } from '../options.js';
import { Callback, type Logs } from './callback.js';
import { printMessage } from './monitor.js';

/** epoch is 0-based; lr is the current learning rate. */
export type LearningRateSchedule = (epoch: number, lr: number) => number;

/**
 * Sets the learning rate from a function of the epoch.
 * @example new LearningRateScheduler((epoch, lr) => (epoch < 10 ? lr : lr * Math.exp(-0.1)))
 */
export class LearningRateScheduler extends Callback {
  readonly schedule: LearningRateSchedule;
  readonly verbose: 0 | 1;

  constructor(schedule: LearningRateSchedule, options?: { verbose?: 0 | 1 });
  constructor(schedule: LearningRateSchedule, verbose?: 0 | 1);
  constructor(schedule: LearningRateSchedule, ...rest: unknown[]) {
    super();
    const options = withPositional<{ verbose?: 0 | 1 }>('LearningRateScheduler', rest, ['verbose'], ['verbose']);
    if (typeof schedule !== 'function') {
      throw new ConfigError(invalid('LearningRateScheduler', 'schedule', 'a function (epoch, lr) => lr', schedule));
    }
    this.schedule = schedule;
    this.verbose = options.verbose ?? 0;
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    const model = this.model;
    if (!model) return;
    const lr = this.schedule(epoch, model.getLearningRate());
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
      throw new ValueError(
        invalid(
          'LearningRateScheduler',
          'schedule',
          'a function returning a finite number >= 0',
          lr,
          `It returned this at epoch ${epoch}.`,
        ),
      );
    }
    model.setLearningRate(lr);
    if (this.verbose > 0) printMessage(`\nEpoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${lr}.`);
  }

  override async onEpochEnd(_epoch: number, logs: Logs = {}): Promise<void> {
    if (this.model) logs.learning_rate = this.model.getLearningRate();
  }
}
