// CSVLogger (Keras semantics): one row per epoch to a CSV file, header 'epoch' + the sorted log keys of the first
// epoch (plus 'val_' twins when the first epoch had no validation, as Keras does). Epoch is 0-based as in Keras.
// Lines end in '\n' (Keras's csv module writes '\r\n'); values that are missing are written as 'NA'.

import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, invalid } from '../errors.js';
import { checkWritable } from '../io/file-checks.js';
import { withPositional } from '../options.js';
import { Callback, type Logs } from './callback.js';

export interface CSVLoggerOptions {
  /** Separator between fields (default ','). */
  separator?: string;
  /** Append to an existing file instead of overwriting it (default false). */
  append?: boolean;
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  return String(value);
}

/**
 * Streams epoch results to a CSV file.
 * @example new CSVLogger('training.log', { append: true })
 */
export class CSVLogger extends Callback {
  readonly filename: string;
  readonly separator: string;
  readonly append: boolean;
  keys: string[] | null = null;
  private writeHeader = true;

  /** Keras's order: CSVLogger(filename, separator, append). */
  constructor(filename: string, options?: CSVLoggerOptions);
  constructor(filename: string, separator?: string, append?: boolean);
  constructor(filename: string, ...rest: unknown[]) {
    super();
    const options = withPositional<CSVLoggerOptions>('CSVLogger', rest, ['separator', 'append'], ['separator', 'append']);
    if (typeof filename !== 'string' || filename === '') {
      throw new ConfigError(invalid('CSVLogger', 'filename', 'a non-empty path', filename));
    }
    this.filename = filename;
    this.separator = options.separator ?? ',';
    if (this.separator.length === 0 || /[\r\n"]/.test(this.separator)) {
      throw new ConfigError(invalid('CSVLogger', 'separator', 'a non-empty string without quotes or newlines', this.separator));
    }
    this.append = options.append ?? false;
  }

  override async onTrainBegin(): Promise<void> {
    checkWritable(this.filename, 'CSVLogger');
    this.keys = null;
    mkdirSync(dirname(this.filename), { recursive: true });
    if (this.append && existsSync(this.filename)) {
      const firstLine = readFileSync(this.filename, 'utf8').split('\n')[0] ?? '';
      this.writeHeader = firstLine.length === 0;
    } else {
      writeFileSync(this.filename, '');
      this.writeHeader = true;
    }
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    if (this.keys === null) {
      const keys = Object.keys(logs).sort();
      // Keras: with validation every N epochs the first epoch lacks val_ keys, so it reserves their columns.
      if (keys.length > 0 && !keys.some((k) => k.startsWith('val_'))) keys.push(...keys.map((k) => `val_${k}`));
      this.keys = keys;
    }
    let text = '';
    if (this.writeHeader) {
      text += `${['epoch', ...this.keys].join(this.separator)}\n`;
      this.writeHeader = false;
    }
    const row = [String(epoch), ...this.keys.map((k) => (k in logs ? formatNumber(logs[k]!) : 'NA'))];
    text += `${row.join(this.separator)}\n`;
    appendFileSync(this.filename, text);
  }
}
