// The shared base of callbacks that watch one metric (EarlyStopping, ReduceLROnPlateau, ModelCheckpoint), after
// Keras's MonitorCallback: monitor name, mode, minDelta, isImprovement, one warning when the metric is missing.
// It keeps no per-run state of its own beyond `best`; subclasses reset theirs in onTrainBegin.

import { ConfigError, invalid } from '../errors.js';
import { checkOptions } from '../options.js';
import { writeOut } from '../output.js';
import { Callback, type Logs } from './callback.js';

export type MonitorMode = 'auto' | 'min' | 'max';

/** Options every monitor callback accepts. */
export const MONITOR_KEYS = ['monitor', 'mode', 'minDelta'] as const;

export interface MonitorOptions {
  /** Metric key in the logs (default 'val_loss'). */
  monitor?: string;
  /** 'min', 'max', or 'auto' (max for names containing acc/auc/precision/recall, else min). */
  mode?: MonitorMode;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
}

/** The direction 'auto' resolves to for a metric name: 'max' for accuracy-like metrics, else 'min'. */
export function autoMode(monitor: string): 'min' | 'max' {
  const name = monitor.replace(/^val_/, '').toLowerCase();
  return /acc|auc|precision|recall/.test(name) ? 'max' : 'min';
}

/** Prints a callback's verbose line (Keras's io_utils.print_msg). */
export function printMessage(text: string): void {
  writeOut(`${text}\n`);
}

export abstract class MonitorCallback extends Callback {
  readonly monitor: string;
  readonly mode: MonitorMode;
  /** Always >= 0. */
  readonly minDelta: number;
  /** The best monitored value seen in this run (null before the first). */
  best: number | null = null;
  private warnedMissing = false;

  /** `ownKeys`: the subclass's options beside MONITOR_KEYS; every key is checked by the shared checkOptions. */
  constructor(where: string, options: MonitorOptions, ownKeys: readonly string[], defaultMinDelta = 0) {
    super();
    checkOptions(where, options, [...MONITOR_KEYS, ...ownKeys]);
    const monitor = options.monitor ?? 'val_loss';
    if (typeof monitor !== 'string' || monitor === '') {
      throw new ConfigError(invalid(where, 'monitor', "a metric name such as 'val_loss'", monitor));
    }
    this.monitor = monitor;
    const mode = options.mode ?? 'auto';
    if (mode !== 'auto' && mode !== 'min' && mode !== 'max') {
      throw new ConfigError(invalid(where, 'mode', "'auto', 'min' or 'max'", mode));
    }
    this.mode = mode;
    const minDelta = options.minDelta ?? defaultMinDelta;
    if (!Number.isFinite(minDelta)) throw new ConfigError(invalid(where, 'minDelta', 'a finite number', minDelta));
    this.minDelta = Math.abs(minDelta);
  }

  /** 'min' or 'max', with 'auto' resolved from the monitor's name. */
  get direction(): 'min' | 'max' {
    return this.mode === 'auto' ? autoMode(this.monitor) : this.mode;
  }

  /** True when `current` beats `reference` by more than minDelta in the monitored direction (null: always). */
  isImprovement(current: number, reference: number | null): boolean {
    if (reference === null) return true;
    return this.direction === 'max' ? current - this.minDelta > reference : current + this.minDelta < reference;
  }

  /** Clears `best` and re-arms the missing-metric warning; call from onTrainBegin. */
  protected resetMonitor(): void {
    this.best = null;
    this.warnedMissing = false;
  }

  /** The monitored value from logs, or null (warning once, listing the keys that exist). */
  protected monitorValue(logs: Logs): number | null {
    const value = logs[this.monitor];
    if (value === undefined) {
      if (!this.warnedMissing) {
        this.warnedMissing = true;
        const available = Object.keys(logs).sort().join(', ') || '(none)';
        console.warn(
          `${this.constructor.name}: metric '${this.monitor}' is not in the logs; available metrics are: ${available}. Hint: pass validationData to fit() for 'val_' metrics, or choose one of these as 'monitor'.`,
        );
      }
      return null;
    }
    return value;
  }
}
