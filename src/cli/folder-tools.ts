// The `convkit split` and `convkit dataset-info` commands: thin wrappers that call the library and print tables.

import { type DatasetInfo, datasetInfo } from '../datasets/dataset-info.js';
import { SPLIT_NAMES, splitFolders } from '../datasets/split-folders.js';
import { ConfigError } from '../errors.js';

export interface SplitCommandOptions {
  out: string;
  val: number;
  test: number;
  seed: number;
  copy?: boolean;
  move?: boolean;
  link?: boolean;
  dryRun?: boolean;
  force?: boolean;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '))
    .join('\n');
}

export function splitCommand(src: string, o: SplitCommandOptions): void {
  const modes = (['copy', 'move', 'link'] as const).filter((m) => o[m]);
  if (modes.length > 1) {
    throw new ConfigError(`split: choose one of --copy, --move, --link; received ${modes.map((m) => `--${m}`).join(' and ')}.`);
  }
  const report = splitFolders(src, {
    out: o.out,
    val: o.val,
    test: o.test,
    seed: o.seed,
    mode: modes[0] ?? 'copy',
    dryRun: o.dryRun === true,
    force: o.force === true,
  });
  const rows = [['class', ...SPLIT_NAMES, 'total']];
  for (const c of report.classes) {
    const n = SPLIT_NAMES.map((s) => report.counts[s][c] ?? 0);
    rows.push([c, ...n.map(String), String(n.reduce((a, b) => a + b, 0))]);
  }
  const sums = SPLIT_NAMES.map((s) => Object.values(report.counts[s]).reduce((a, b) => a + b, 0));
  rows.push(['all', ...sums.map(String), String(report.files.length)]);
  const verb = report.mode === 'copy' ? 'copied' : report.mode === 'move' ? 'moved' : 'linked';
  const head = report.dryRun
    ? `dry run: would write ${report.files.length} files into '${o.out}' (nothing written)`
    : `${verb} and verified ${report.verified} files into '${o.out}'`;
  const ignored = report.ignored.length > 0 ? `\nleft in place (not files in a class folder): ${report.ignored.join(', ')}` : '';
  process.stdout.write(`${head}\n${table(rows)}${ignored}\n`);
}

function formatInfo(info: DatasetInfo): string {
  const keys = Object.keys(info.counts);
  const rows = [['class', ...keys, ...(info.splits ? ['total'] : [])]];
  for (const c of info.classes) {
    rows.push([c, ...keys.map((k) => String(info.counts[k]![c] ?? 0)), ...(info.splits ? [String(info.totals[c])] : [])]);
  }
  const lines = [
    `${info.root}: ${info.files} files, ${info.classes.length} classes${info.splits ? `, splits ${info.splits.join(', ')}` : ''}`,
    table(rows),
  ];
  if (info.width && info.height) {
    const s = (k: 'min' | 'median' | 'max') => `${info.width![k]}x${info.height![k]}`;
    lines.push(`image size (width x height): min ${s('min')}, median ${s('median')}, max ${s('max')}`);
  }
  lines.push(
    `formats: ${
      Object.entries(info.formats)
        .map(([f, n]) => `${f} ${n}`)
        .join(', ') || 'none'
    }`,
  );
  lines.push(`unreadable: ${info.unreadable.length}`);
  for (const u of info.unreadable) lines.push(`  ${u.path}: ${u.reason}`);
  lines.push(`duplicate groups: ${info.duplicates.length}`);
  for (const g of info.duplicates) lines.push(`  ${g.join(' = ')}`);
  if (info.leakage.length > 0) {
    lines.push(`warning: ${info.leakage.length} duplicate group(s) span more than one split (leakage):`);
    for (const g of info.leakage) lines.push(`  ${g.join(' = ')}`);
  }
  if (info.imbalance?.warning) {
    const { largest, smallest, ratio } = info.imbalance;
    lines.push(
      `warning: class imbalance: '${largest}' has ${info.totals[largest]} files, '${smallest}' ${info.totals[smallest]} (ratio ${ratio.toFixed(2)}). Hint: class weights or resampling help.`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function datasetInfoCommand(dir: string, o: { json?: boolean; imbalanceRatio?: number }): Promise<void> {
  const info = await datasetInfo(dir, { imbalanceRatio: o.imbalanceRatio });
  process.stdout.write(o.json ? `${JSON.stringify(info)}\n` : formatInfo(info));
}
