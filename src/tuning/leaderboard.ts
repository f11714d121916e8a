// Plain-text tables for the terminal: a search's leaderboard (best trials first) and a cross-validation's per-fold
// metrics with mean ± std. Formatting only; the numbers come from tuner.ts and cross-validate.ts.

import type { CrossValidationResult } from './cross-validate.js';
import { formatParams } from './model-templates.js';
import type { TrialRecord } from './trial-log.js';
import type { TuneResult } from './tuner.js';

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const num = (v: number | null | undefined, digits = 4) =>
  v === null || v === undefined ? 'n/a' : Number.isNaN(v) ? 'NaN' : v.toFixed(digits);

/** The top `limit` completed trials, best first, with the objective, epochs, time and parameters. */
export function formatLeaderboard(result: Pick<TuneResult, 'leaderboard' | 'objective'>, limit = 10): string {
  const rows = result.leaderboard
    .slice(0, limit)
    .map((r: TrialRecord, i) => [
      String(i + 1),
      r.id,
      num(r.value),
      String(r.epochs),
      `${r.seconds.toFixed(1)} s`,
      r.id === 'baseline' ? `(defaults) ${formatParams(r.params)}`.trimEnd() : formatParams(r.params),
    ]);
  return table(['rank', 'trial', result.objective, 'epochs', 'time', 'parameters'], rows);
}

/** One row per fold and a mean ± std row, for every metric. */
export function formatFolds(result: CrossValidationResult): string {
  const metrics = Object.keys(result.mean);
  const rows = result.folds.map((f) => [
    String(f.fold + 1),
    String(f.trainSize),
    String(f.testSize),
    ...metrics.map((m) => num(f.metrics[m])),
    `${f.seconds.toFixed(1)} s`,
  ]);
  rows.push(['mean ± std', '', '', ...metrics.map((m) => `${num(result.mean[m])} ± ${num(result.std[m])}`), '']);
  return table(['fold', 'train', 'held out', ...metrics, 'time'], rows);
}
