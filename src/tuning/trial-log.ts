// The search's files in its --out folder: search.json (what was asked, so a re-run can tell a resume from a
// different search), trials.jsonl (one record per trial: parameters, per-epoch metrics, status, duration) and
// trials.csv (one row per trial and epoch, for spreadsheets and pandas). Both trial files are rewritten whole,
// atomically, at every change, so an interrupted search leaves complete files and resumes from them. Only the
// coordinating process writes them (workers report back), so there is one writer.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, describe, FormatError } from '../errors.js';
import { atomicWriteBytes } from '../io/atomic-write.js';
import type { TrialSpec } from './strategies.js';

export type TrialStatus = 'running' | 'completed' | 'failed';

export interface TrialRecord extends TrialSpec {
  status: TrialStatus;
  /** Per metric, one value per epoch so far. */
  history: Record<string, number[]>;
  /** The objective after the last epoch (null until completed, or when it failed). */
  value: number | null;
  seconds: number;
  /** ISO times. */
  started: string;
  finished?: string;
  /** Why it failed. */
  error?: string;
  /** Which worker ran it (thread n, or host:pid for queue workers). */
  worker?: string;
}

export const TRIALS_JSONL = 'trials.jsonl';
export const TRIALS_CSV = 'trials.csv';
export const SEARCH_JSON = 'search.json';

/** Reads the trial records of an earlier run in `dir` (none when it has no trials.jsonl). */
export function readTrialRecords(dir: string): TrialRecord[] {
  const path = join(dir, TRIALS_JSONL);
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  return lines.map((line, i) => {
    try {
      const record = JSON.parse(line) as TrialRecord;
      // JSON has no NaN: a diverged epoch was written as null and reads back as NaN, never as a number.
      for (const values of Object.values(record.history)) {
        for (let e = 0; e < values.length; e++) values[e] = values[e] ?? Number.NaN;
      }
      return record;
    } catch {
      throw new FormatError(
        `${path}: line ${i + 1} is not a JSON trial record. Expected one record per line, received ${describe(line.slice(0, 80))}. Hint: this file is written whole by convkit tune; use a new --out folder.`,
      );
    }
  });
}

/** The search.json of an earlier run in `dir`, or null. */
export function readSearch(dir: string): Record<string, unknown> | null {
  const path = join(dir, SEARCH_JSON);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    throw new FormatError(`${path} is not valid JSON. Hint: it is written by convkit tune; use a new --out folder.`);
  }
}

/**
 * Writes search.json on the first run; on a re-run, refuses to resume when the options differ (a resumed search
 * must be the same search, or the skipped trials would not be the ones the plan asks for).
 */
export async function checkOrWriteSearch(dir: string, search: Record<string, unknown>): Promise<boolean> {
  const path = join(dir, SEARCH_JSON);
  const text = `${JSON.stringify(search, null, 2)}\n`;
  if (!existsSync(path)) {
    await atomicWriteBytes(path, text);
    return false;
  }
  const before = readSearch(dir)!;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(search)])];
  const differs = keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(search[k]));
  if (differs.length > 0) {
    const what = differs.map((k) => `${k}: ${describe(before[k])} before, ${describe(search[k])} now`).join('; ');
    throw new ConfigError(
      `tune: '${dir}' holds a different search (${what}). Expected the same options to resume it. Hint: use a new --out folder, or the options of the first run.`,
    );
  }
  return true;
}

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** trials.csv: one row per trial and epoch (a trial without epochs yet gets one row with an empty epoch). */
export function trialsCsv(records: readonly TrialRecord[]): string {
  const params = [...new Set(records.flatMap((r) => Object.keys(r.params)))];
  const metrics = [...new Set(records.flatMap((r) => Object.keys(r.history)))];
  const header = ['trial', 'config', 'rung', 'status', 'epochs', 'seed', 'seconds', 'value', ...params, 'epoch', ...metrics];
  const rows = [header.join(',')];
  for (const r of records) {
    const fixed = [
      r.id,
      r.config,
      r.rung,
      r.status,
      r.epochs,
      r.seed,
      r.seconds.toFixed(2),
      r.value,
      ...params.map((p) => r.params[p]),
    ];
    const done = Math.max(0, ...Object.values(r.history).map((v) => v.length));
    if (done === 0) rows.push([...fixed, '', ...metrics.map(() => '')].map(csvCell).join(','));
    for (let e = 0; e < done; e++) rows.push([...fixed, e + 1, ...metrics.map((m) => r.history[m]?.[e])].map(csvCell).join(','));
  }
  return `${rows.join('\n')}\n`;
}

/** Rewrites trials.jsonl and trials.csv from the records (atomically; JSON keeps NaN as null). */
export async function writeTrialRecords(dir: string, records: readonly TrialRecord[]): Promise<void> {
  await atomicWriteBytes(join(dir, TRIALS_JSONL), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  await atomicWriteBytes(join(dir, TRIALS_CSV), trialsCsv(records));
}
