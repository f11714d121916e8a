// BackupAndRestore (Keras semantics, epoch granularity): after every epoch, save the model with its optimizer
// state and the next epoch number to backupDir; a run started again after a crash restores them through
// resumeEpoch() and continues where it stopped; a run that ends normally deletes the backup.
// Mid-epoch (batch-level) backups are not supported.

import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, FormatError, invalid } from '../errors.js';
import { atomicWriteBytes, removeStaleTemps } from '../io/atomic-write.js';
import { checkWritable, MAX_INPUT_BYTES, readInputFile } from '../io/file-checks.js';
import { withPositional } from '../options.js';
import { Callback, type Logs, type RandomState } from './callback.js';
import { printMessage } from './monitor.js';

export interface BackupAndRestoreOptions {
  /** Folder for the backup files (created when missing). */
  backupDir: string;
  /** Delete the backup when training ends normally (default true). */
  deleteCheckpoint?: boolean;
  verbose?: 0 | 1;
}

interface BackupMetadata {
  /** The next epoch to run (0-based), i.e. the number of completed epochs. */
  epoch: number;
  /** The model file in backupDir holding the state after that many epochs. */
  file: string;
  /** Shuffle and dropout stream positions, so the resumed epochs draw what the uninterrupted run drew. */
  random?: RandomState;
}

const METADATA = 'training_metadata.json';
const MODEL_PREFIX = 'backup-epoch-';

/**
 * Makes fit() resumable after an interruption.
 * @example model.fit(x, y, { epochs: 10, callbacks: [new BackupAndRestore({ backupDir: '/tmp/backup' })] })
 */
export class BackupAndRestore extends Callback {
  readonly backupDir: string;
  readonly deleteCheckpoint: boolean;
  readonly verbose: 0 | 1;

  /** Keras's order: BackupAndRestore(backupDir, saveFreq, deleteCheckpoint). */
  constructor(backupDir: string, options?: Omit<BackupAndRestoreOptions, 'backupDir'>);
  constructor(options: BackupAndRestoreOptions);
  constructor(...args: unknown[]) {
    super();
    const options = withPositional<BackupAndRestoreOptions>(
      'BackupAndRestore',
      args,
      ['backupDir'],
      ['backupDir', 'deleteCheckpoint', 'verbose'],
    );
    if (typeof options?.backupDir !== 'string' || options.backupDir === '') {
      throw new ConfigError(invalid('BackupAndRestore', 'backupDir', 'a non-empty folder path', options?.backupDir));
    }
    this.backupDir = options.backupDir;
    this.deleteCheckpoint = options.deleteCheckpoint ?? true;
    this.verbose = options.verbose ?? 0;
  }

  get metadataPath(): string {
    return join(this.backupDir, METADATA);
  }

  /** The saved metadata, or null when there is no backup. */
  readMetadata(): BackupMetadata | null {
    if (!existsSync(this.metadataPath)) return null;
    let parsed: unknown;
    try {
      const bytes = readInputFile(this.metadataPath, {
        where: 'BackupAndRestore',
        expected: 'backup metadata (JSON)',
        maxBytes: MAX_INPUT_BYTES.text,
      });
      parsed = JSON.parse(new TextDecoder().decode(bytes));
    } catch (error) {
      throw new FormatError(
        `BackupAndRestore: '${this.metadataPath}' is not valid JSON (${error instanceof Error ? error.message : String(error)}). Hint: delete the backup folder to start training from scratch.`,
      );
    }
    const meta = parsed as Partial<BackupMetadata>;
    if (!Number.isInteger(meta.epoch) || typeof meta.file !== 'string') {
      throw new FormatError(
        `BackupAndRestore: invalid '${this.metadataPath}'. Expected {"epoch": integer, "file": string}, received ${JSON.stringify(parsed)}. Hint: delete the backup folder to start from scratch.`,
      );
    }
    return meta as BackupMetadata;
  }

  /** Restores model and optimizer from the backup, returning the epoch to start from (null without a backup). */
  override async resumeEpoch(): Promise<number | null> {
    const meta = this.readMetadata();
    if (meta === null || !this.model) return null;
    const path = join(this.backupDir, meta.file);
    await this.model.restore(path);
    if (meta.random && this.model.setRandomState) this.model.setRandomState(meta.random);
    if (this.verbose > 0) printMessage(`BackupAndRestore: resuming from epoch ${meta.epoch + 1} (${path}).`);
    return meta.epoch;
  }

  override async onEpochEnd(epoch: number, _logs: Logs = {}): Promise<void> {
    const model = this.model;
    if (!model) return;
    mkdirSync(this.backupDir, { recursive: true });
    const file = `${MODEL_PREFIX}${epoch + 1}.keras`;
    // Model first, then the metadata that points at it: a crash in between leaves the previous pair intact.
    await model.save(join(this.backupDir, file), { includeOptimizer: true });
    const meta: BackupMetadata = { epoch: epoch + 1, file };
    if (model.getRandomState) meta.random = model.getRandomState();
    await atomicWriteBytes(this.metadataPath, JSON.stringify(meta));
    this.removeFiles((name) => name.startsWith(MODEL_PREFIX) && name !== file);
  }

  override async onTrainBegin(): Promise<void> {
    checkWritable(this.metadataPath, 'BackupAndRestore');
  }

  override async onTrainEnd(): Promise<void> {
    if (!this.deleteCheckpoint || !existsSync(this.backupDir)) return;
    // Temp files of killed saves would otherwise keep the folder alive.
    removeStaleTemps(this.backupDir);
    this.removeFiles((name) => name === METADATA || name.startsWith(MODEL_PREFIX));
    try {
      rmdirSync(this.backupDir);
    } catch {
      // Not empty: it holds the user's own files too; leave it.
    }
  }

  private removeFiles(match: (name: string) => boolean): void {
    for (const name of readdirSync(this.backupDir)) {
      if (match(name)) rmSync(join(this.backupDir, name), { force: true });
    }
  }
}
