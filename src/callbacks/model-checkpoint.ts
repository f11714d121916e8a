// ModelCheckpoint (Keras 3 semantics): save the model (or just its weights) after each epoch or every N batches,
// to a path templated with the epoch and metrics, optionally only when the monitored metric improves.
// Writing is the target's save() (atomic); this callback only decides when and where.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, invalid } from '../errors.js';
import { checkWritable } from '../io/file-checks.js';
import { withPositional } from '../options.js';
import type { Logs } from './callback.js';
import { formatFilepath } from './filepath-template.js';
import { MONITOR_KEYS, MonitorCallback, type MonitorOptions, printMessage } from './monitor.js';

export interface ModelCheckpointOptions extends MonitorOptions {
  /** Path template, e.g. 'ckpt-{epoch:02d}-{val_loss:.2f}.keras' or 'fine_tuned_model.h5' (epoch is 1-based). */
  filepath: string;
  /** Save only when `monitor` improves (default false). */
  saveBestOnly?: boolean;
  /** Save only the weights; the path must end in '.weights.h5' (default false). */
  saveWeightsOnly?: boolean;
  /** 'epoch' (default) or a number of batches. */
  saveFreq?: 'epoch' | number;
  /** With saveBestOnly: the value the first save must beat (default none). */
  initialValueThreshold?: number | null;
  verbose?: 0 | 1;
}

const KEYS = ['filepath', 'saveBestOnly', 'saveWeightsOnly', 'saveFreq', 'initialValueThreshold', 'verbose'];

/**
 * Saves checkpoints while training.
 * @example new ModelCheckpoint('best.keras', { monitor: 'val_accuracy', saveBestOnly: true })
 */
export class ModelCheckpoint extends MonitorCallback {
  readonly filepath: string;
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  readonly saveFreq: 'epoch' | number;
  readonly initialValueThreshold: number | null;
  readonly verbose: 0 | 1;
  /** Paths written in this run, in order. */
  readonly saved: string[] = [];
  private currentEpoch = 0;
  private batchesSinceSave = 0;

  /** Keras's order: ModelCheckpoint(filepath, monitor, verbose, saveBestOnly, saveWeightsOnly, mode, saveFreq). */
  constructor(filepath: string, options?: Omit<ModelCheckpointOptions, 'filepath'>);
  constructor(options: ModelCheckpointOptions);
  constructor(...args: unknown[]) {
    const options = withPositional<ModelCheckpointOptions>(
      'ModelCheckpoint',
      args,
      ['filepath', 'monitor'],
      [...MONITOR_KEYS, ...KEYS],
    );
    super('ModelCheckpoint', options, KEYS);
    if (typeof options?.filepath !== 'string' || options.filepath === '') {
      throw new ConfigError(invalid('ModelCheckpoint', 'filepath', 'a non-empty path template', options?.filepath));
    }
    this.filepath = options.filepath;
    this.saveBestOnly = options.saveBestOnly ?? false;
    this.saveWeightsOnly = options.saveWeightsOnly ?? false;
    if (this.saveWeightsOnly && !this.filepath.endsWith('.weights.h5')) {
      throw new ConfigError(
        invalid(
          'ModelCheckpoint',
          'filepath',
          "a path ending in '.weights.h5' when saveWeightsOnly is true",
          this.filepath,
          'Keras 3 requires weights files to end in .weights.h5, e.g. "ckpt-{epoch:02d}.weights.h5".',
        ),
      );
    }
    const fullModelPath =
      this.filepath.endsWith('.keras') || (this.filepath.endsWith('.h5') && !this.filepath.endsWith('.weights.h5'));
    if (!this.saveWeightsOnly && !fullModelPath) {
      throw new ConfigError(
        invalid(
          'ModelCheckpoint',
          'filepath',
          "a path ending in '.keras' (or '.h5', Keras's legacy full-model format)",
          this.filepath,
          "Use '.keras' or '.h5' for full models, or saveWeightsOnly: true with '.weights.h5'.",
        ),
      );
    }
    const freq = options.saveFreq ?? 'epoch';
    if (freq !== 'epoch' && !(Number.isInteger(freq) && freq > 0)) {
      throw new ConfigError(invalid('ModelCheckpoint', 'saveFreq', "'epoch' or a positive integer (batches)", freq));
    }
    this.saveFreq = freq;
    this.initialValueThreshold = options.initialValueThreshold ?? null;
    this.verbose = options.verbose ?? 0;
  }

  override async onTrainBegin(): Promise<void> {
    // Checked now, not at the first save after an epoch of work.
    checkWritable(this.filepath, 'ModelCheckpoint');
    this.resetMonitor();
    this.best = this.initialValueThreshold;
    this.batchesSinceSave = 0;
    this.saved.length = 0;
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.currentEpoch = epoch;
  }

  override async onTrainBatchEnd(batch: number, logs: Logs = {}): Promise<void> {
    if (this.saveFreq === 'epoch') return;
    this.batchesSinceSave += 1;
    if (this.batchesSinceSave >= this.saveFreq) {
      this.batchesSinceSave = 0;
      await this.saveModel(this.currentEpoch, logs, batch);
    }
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    if (this.saveFreq === 'epoch') await this.saveModel(epoch, logs, null);
  }

  /** The path for a 0-based epoch and its logs (epoch and batch are 1-based in the name, as in Keras). */
  filePathFor(epoch: number, logs: Logs, batch: number | null = null): string {
    const values: Record<string, number> = { ...logs, epoch: epoch + 1 };
    if (batch !== null) values.batch = batch + 1;
    return formatFilepath(this.filepath, values);
  }

  private async saveModel(epoch: number, logs: Logs, batch: number | null): Promise<void> {
    const model = this.model;
    if (!model) return;
    const path = this.filePathFor(epoch, logs, batch);
    if (this.saveBestOnly) {
      const current = this.monitorValue(logs);
      if (current === null) return;
      if (!this.isImprovement(current, this.best)) {
        if (this.verbose > 0) {
          printMessage(`\nEpoch ${epoch + 1}: ${this.monitor} did not improve from ${this.best?.toFixed(5)}`);
        }
        return;
      }
      if (this.verbose > 0) {
        const from = this.best === null ? (this.direction === 'max' ? '-inf' : 'inf') : this.best.toFixed(5);
        printMessage(
          `\nEpoch ${epoch + 1}: ${this.monitor} improved from ${from} to ${current.toFixed(5)}, saving model to ${path}`,
        );
      }
      this.best = current;
    } else if (this.verbose > 0) {
      printMessage(`\nEpoch ${epoch + 1}: saving model to ${path}`);
    }
    mkdirSync(dirname(path), { recursive: true });
    await model.save(path, { weightsOnly: this.saveWeightsOnly });
    this.saved.push(path);
  }
}
