// EarlyStopping (Keras 3 semantics): stop when the monitored metric has not improved for `patience` epochs,
// optionally restoring the best epoch's weights at the end. It never changes the learning rate.

import { ConfigError, invalid } from '../errors.js';
import { withPositional } from '../options.js';
import type { Logs } from './callback.js';
import { MONITOR_KEYS, MonitorCallback, type MonitorOptions, printMessage } from './monitor.js';

export interface EarlyStoppingOptions extends MonitorOptions {
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  /** Keep training until the metric beats this value too (default none). */
  baseline?: number | null;
  /** Set the weights of the best epoch when training ends (default false). */
  restoreBestWeights?: boolean;
  /** Epochs to ignore before watching (warm-up; default 0). */
  startFromEpoch?: number;
  verbose?: 0 | 1;
}

const KEYS = ['patience', 'baseline', 'restoreBestWeights', 'startFromEpoch', 'verbose'];

/**
 * Stops training when `monitor` stops improving.
 * @example new EarlyStopping({ monitor: 'val_accuracy', patience: 3, restoreBestWeights: true })
 */
export class EarlyStopping extends MonitorCallback {
  readonly patience: number;
  readonly baseline: number | null;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  readonly verbose: 0 | 1;
  wait = 0;
  /** 0-based epoch at which training was stopped (0 when it was not). */
  stoppedEpoch = 0;
  bestEpoch = 0;
  bestWeights: Float32Array[] | null = null;

  /** Keras's order: EarlyStopping(monitor, minDelta, patience, verbose, mode, baseline, restoreBestWeights). */
  constructor(monitor?: string, options?: Omit<EarlyStoppingOptions, 'monitor'>);
  constructor(options?: EarlyStoppingOptions);
  constructor(...args: unknown[]) {
    const options = withPositional<EarlyStoppingOptions>('EarlyStopping', args, ['monitor'], [...MONITOR_KEYS, ...KEYS]);
    super('EarlyStopping', options, KEYS);
    const count = (name: string, value: number) => {
      if (!Number.isInteger(value) || value < 0) {
        throw new ConfigError(invalid('EarlyStopping', name, 'a non-negative integer', value));
      }
      return value;
    };
    this.patience = count('patience', options.patience ?? 0);
    this.startFromEpoch = count('startFromEpoch', options.startFromEpoch ?? 0);
    this.baseline = options.baseline ?? null;
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    this.verbose = options.verbose ?? 0;
  }

  override async onTrainBegin(): Promise<void> {
    this.resetMonitor();
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.bestEpoch = 0;
    this.bestWeights = null;
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    const current = this.monitorValue(logs);
    if (current === null || epoch < this.startFromEpoch) return;
    const model = this.model;
    if (this.restoreBestWeights && this.bestWeights === null && model) {
      this.bestWeights = model.getWeights();
      this.bestEpoch = epoch;
    }
    this.wait += 1;
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights && model) this.bestWeights = model.getWeights();
      // Only restart waiting when the value beats both the previous best and the baseline.
      if (this.baseline === null || this.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      if (model) model.stopTraining = true;
    }
  }

  override async onTrainEnd(): Promise<void> {
    if (this.stoppedEpoch > 0 && this.verbose > 0) printMessage(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.restoreBestWeights && this.bestWeights !== null && this.model) {
      if (this.verbose > 0) {
        printMessage(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      }
      this.model.setWeights(this.bestWeights);
    }
  }
}
