// ReduceLROnPlateau (Keras 3 semantics): multiply the learning rate by `factor` after `patience` epochs without
// improvement, then wait `cooldown` epochs. Never below minLr; it does not touch weights.

import { ConfigError, invalid } from '../errors.js';
import { withPositional } from '../options.js';
import type { Logs } from './callback.js';
import { MONITOR_KEYS, MonitorCallback, type MonitorOptions, printMessage } from './monitor.js';

export interface ReduceLROnPlateauOptions extends MonitorOptions {
  /** New lr = lr * factor; must be < 1 (default 0.1). */
  factor?: number;
  /** Epochs without improvement before reducing (default 10). */
  patience?: number;
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** Lower bound on the learning rate (default 0). */
  minLr?: number;
  verbose?: 0 | 1;
}

const KEYS = ['factor', 'patience', 'cooldown', 'minLr', 'verbose'];

/**
 * Reduces the learning rate when `monitor` plateaus. minDelta defaults to 1e-4 as in Keras.
 * @example new ReduceLROnPlateau({ monitor: 'val_loss', factor: 0.5, patience: 2, minLr: 1e-5 })
 */
export class ReduceLROnPlateau extends MonitorCallback {
  readonly factor: number;
  readonly patience: number;
  readonly cooldown: number;
  readonly minLr: number;
  readonly verbose: 0 | 1;
  wait = 0;
  cooldownCounter = 0;

  /** Keras's order: ReduceLROnPlateau(monitor, factor, patience, ...). */
  constructor(monitor?: string, options?: Omit<ReduceLROnPlateauOptions, 'monitor'>);
  constructor(options?: ReduceLROnPlateauOptions);
  constructor(...args: unknown[]) {
    const options = withPositional<ReduceLROnPlateauOptions>(
      'ReduceLROnPlateau',
      args,
      ['monitor', 'factor', 'patience'],
      [...MONITOR_KEYS, ...KEYS],
    );
    super('ReduceLROnPlateau', options, KEYS, 1e-4);
    this.factor = options.factor ?? 0.1;
    if (!(this.factor < 1) || !(this.factor >= 0)) {
      throw new ConfigError(
        invalid(
          'ReduceLROnPlateau',
          'factor',
          'a number in [0, 1)',
          options.factor,
          'ReduceLROnPlateau does not increase the learning rate.',
        ),
      );
    }
    this.patience = options.patience ?? 10;
    this.cooldown = options.cooldown ?? 0;
    this.minLr = options.minLr ?? 0;
    for (const [name, value] of [
      ['patience', this.patience],
      ['cooldown', this.cooldown],
    ] as const) {
      if (!Number.isInteger(value) || value < 0) {
        throw new ConfigError(invalid('ReduceLROnPlateau', name, 'a non-negative integer', value));
      }
    }
    if (!(this.minLr >= 0)) throw new ConfigError(invalid('ReduceLROnPlateau', 'minLr', 'a number >= 0', options.minLr));
    this.verbose = options.verbose ?? 0;
  }

  override async onTrainBegin(): Promise<void> {
    this.resetMonitor();
    this.wait = 0;
    this.cooldownCounter = 0;
  }

  inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    const model = this.model;
    if (model) logs.learning_rate = model.getLearningRate();
    const current = this.monitorValue(logs);
    if (current === null || !model) return;
    if (this.inCooldown()) {
      this.cooldownCounter -= 1;
      this.wait = 0;
    }
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.wait = 0;
      return;
    }
    if (this.inCooldown()) return;
    this.wait += 1;
    if (this.wait < this.patience) return;
    const oldLr = model.getLearningRate();
    if (oldLr > Math.fround(this.minLr)) {
      const newLr = Math.max(oldLr * this.factor, this.minLr);
      model.setLearningRate(newLr);
      if (this.verbose > 0) printMessage(`\nEpoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${newLr}.`);
      this.cooldownCounter = this.cooldown;
      this.wait = 0;
    }
  }
}
