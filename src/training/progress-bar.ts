// Keras 3's progress bar: `938/938 ━━━━━━━━━━━━━━━━━━━━ 12s 13ms/step - accuracy: 0.9512 - loss: 0.1623`.
// On a TTY it redraws in place at most ~10 times a second (ETA while running); elsewhere (verbose 1 without a
// TTY) it prints only the final line; verbose 2 prints Keras's one-line `938/938 - 12s - 13ms/step - ...` form.

import type { Logs } from '../callbacks/callback.js';
import { outputIsInteractive, writeOut } from '../output.js';

export interface ProgressBarOptions {
  /** Steps in the epoch, or null when unknown. */
  target: number | null;
  verbose: 1 | 2;
  /** Where text goes; defaults to process.stdout. */
  write?: (text: string) => void;
  /** Redraw in place; defaults to process.stdout.isTTY. */
  interactive?: boolean;
  width?: number;
  /** Minimum seconds between redraws (0.1). */
  interval?: number;
  /** Seconds clock, injectable for tests. */
  now?: () => number;
}

/** Keras _format_time: ' 13ms/step', ' 2s/step', ' 850us/step'. */
export function formatTimePerUnit(seconds: number, unit = 'step'): string {
  if (seconds >= 1 || seconds === 0) return ` ${seconds.toFixed(0)}s/${unit}`;
  if (seconds >= 1e-3) return ` ${(seconds * 1e3).toFixed(0)}ms/${unit}`;
  return ` ${(seconds * 1e6).toFixed(0)}us/${unit}`;
}

/** Keras's ETA: '1:02:03', '2:05', '12s'. */
export function formatEta(seconds: number): string {
  const s = Math.floor(seconds);
  if (s > 3600)
    return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  if (s > 60) return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  return `${s}s`;
}

/** ' - accuracy: 0.9512 - loss: 0.1623' (Keras: 4 decimals, exponent form at or below 1e-3). */
export function formatLogs(logs: Logs): string {
  let text = '';
  for (const key of Object.keys(logs).sort()) {
    if (key === 'learning_rate') continue;
    const v = logs[key]!;
    text += ` - ${key}: ${Math.abs(v) > 1e-3 || !Number.isFinite(v) ? formatFixed(v) : v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2')}`;
  }
  return text;
}

function formatFixed(v: number): string {
  return Number.isNaN(v) ? 'nan' : Number.isFinite(v) ? v.toFixed(4) : v > 0 ? 'inf' : '-inf';
}

export class ProgressBar {
  private readonly start: number;
  private lastDraw = -Infinity;
  private readonly write: (text: string) => void;
  private readonly interactive: boolean;
  private readonly width: number;
  private readonly interval: number;
  private readonly now: () => number;
  private lastLength = 0;

  constructor(private readonly options: ProgressBarOptions) {
    this.now = options.now ?? (() => performance.now() / 1000);
    this.start = this.now();
    this.write = options.write ?? writeOut;
    this.interactive = options.interactive ?? outputIsInteractive();
    this.width = options.width ?? 20;
    this.interval = options.interval ?? 0.1;
  }

  /** Reports progress after `current` steps; `finalize` prints the epoch's final line. */
  update(current: number, logs: Logs, finalize = false): void {
    const now = this.now();
    if (!finalize && (!this.interactive || this.options.verbose !== 1 || now - this.lastDraw < this.interval)) return;
    this.lastDraw = now;
    const elapsed = now - this.start;
    const perStep = current > 0 ? elapsed / current : 0;
    const target = this.options.target ?? (finalize ? current : null);
    const count = target === null ? `${current}/Unknown` : `${String(current).padStart(String(target).length)}/${target}`;
    let line: string;
    if (this.options.verbose === 2) {
      line = `${count} - ${elapsed.toFixed(0)}s -${formatTimePerUnit(perStep)}${formatLogs(logs)}`;
    } else {
      const filled = target ? Math.floor((this.width * Math.min(current, target)) / target) : 0;
      const color = this.interactive;
      const bar = color
        ? `${filled > 0 ? `\x1b[32m${'━'.repeat(filled)}\x1b[0m` : ''}\x1b[37m${'━'.repeat(this.width - filled)}\x1b[0m`
        : '━'.repeat(this.width);
      const time = finalize || target === null ? `${elapsed.toFixed(0)}s` : formatEta(perStep * (target - current));
      line = `${count} ${bar} ${time}${formatTimePerUnit(perStep)}${formatLogs(logs)}`;
    }
    if (this.interactive && this.options.verbose === 1) {
      const pad = Math.max(0, this.lastLength - line.length);
      this.lastLength = line.length;
      this.write(`\r${line}${' '.repeat(pad)}${finalize ? '\n' : ''}`);
    } else {
      this.write(`${line}\n`);
    }
  }
}
