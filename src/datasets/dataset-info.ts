// A summary of an image folder (class subfolders, optionally inside train/validation/test): counts per class and
// split, image sizes and formats read from the file headers, unreadable files, exact duplicates by SHA-256 (and
// duplicates across splits, which leak test data into training), and a class-imbalance warning.

import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigError, IOError, invalid, NotFoundError } from '../errors.js';
import { fileError, isErrnoError, MAX_INPUT_BYTES, readInputFile } from '../io/file-checks.js';
import { checkOptions } from '../options.js';
import { decodeBmp, isBmp } from '../preprocessing/bmp.js';

/** Split folder names recognised at the top of a dataset folder. */
export const SPLIT_FOLDER_NAMES = ['train', 'validation', 'val', 'test'];

export interface DatasetInfoOptions {
  /** Largest/smallest class count above which `imbalance.warning` is set (default 1.5). */
  imbalanceRatio?: number | undefined;
}

export interface SizeStats {
  min: number;
  median: number;
  max: number;
}

export interface DatasetInfo {
  root: string;
  /** The split folders found (sorted), or null when the classes sit directly in the root. */
  splits: string[] | null;
  classes: string[];
  /** counts[split][className]; the key is 'all' when there are no split folders. */
  counts: Record<string, Record<string, number>>;
  /** Per class over all splits. */
  totals: Record<string, number>;
  files: number;
  width: SizeStats | null;
  height: SizeStats | null;
  /** Image format (sharp's name: jpeg, png, webp ...) -> count. */
  formats: Record<string, number>;
  /** Paths (relative to root) that are not readable images, with the reason. */
  unreadable: { path: string; reason: string }[];
  /** Groups of byte-identical files (relative paths), each with 2+ members. */
  duplicates: string[][];
  /** Duplicate groups whose members lie in more than one split (e.g. the same image in train and test). */
  leakage: string[][];
  imbalance: { largest: string; smallest: string; ratio: number; warning: boolean } | null;
}

const WHERE = 'datasetInfo';

function sortedDirs(path: string): string[] {
  return readdirSync(path)
    .filter((name) => statSync(join(path, name)).isDirectory())
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function stats(values: number[]): SizeStats | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { min: s[0]!, median, max: s[s.length - 1]! };
}

interface Entry {
  path: string;
  split: string;
  className: string;
}

function listEntries(root: string, splits: string[] | null): { entries: Entry[]; counts: DatasetInfo['counts'] } {
  const entries: Entry[] = [];
  const counts: DatasetInfo['counts'] = {};
  for (const split of splits ?? ['all']) {
    const base = splits ? join(root, split) : root;
    counts[split] = {};
    for (const className of sortedDirs(base)) {
      const dir = join(base, className);
      const names = readdirSync(dir)
        .filter((n) => statSync(join(dir, n)).isFile())
        .sort();
      counts[split]![className] = names.length;
      for (const name of names) entries.push({ path: join(dir, name), split, className });
    }
  }
  return { entries, counts };
}

/**
 * Describes an image folder: see DatasetInfo. Headers are read with sharp (imported on first use); every file is
 * hashed, so this reads each file once.
 * @example const info = await datasetInfo('cats-dogs'); if (info.leakage.length) console.warn('train/test leak');
 */
export async function datasetInfo(dir: string, options?: DatasetInfoOptions): Promise<DatasetInfo> {
  const o = checkOptions<DatasetInfoOptions>(WHERE, options, ['imbalanceRatio']);
  const ratioLimit = o.imbalanceRatio ?? 1.5;
  if (typeof ratioLimit !== 'number' || !(ratioLimit >= 1) || !Number.isFinite(ratioLimit)) {
    throw new ConfigError(invalid(WHERE, 'imbalanceRatio', 'a finite number >= 1', ratioLimit));
  }
  let top: string[];
  try {
    if (!statSync(dir).isDirectory())
      throw new IOError(invalid(WHERE, 'dir', 'a folder', dir, 'give the folder that holds the class subfolders.'));
    top = sortedDirs(dir);
  } catch (error) {
    if (isErrnoError(error) && error.code === 'ENOENT') {
      throw new NotFoundError(
        `${WHERE}: folder not found: '${dir}'. Hint: check the path (relative paths start at ${process.cwd()}).`,
      );
    }
    throw isErrnoError(error) ? fileError(error, WHERE, dir, 'read') : error;
  }
  const splitNames = top.filter((name) => SPLIT_FOLDER_NAMES.includes(name));
  const splits = splitNames.length > 0 && splitNames.length === top.length ? splitNames : null;
  const { entries, counts } = listEntries(dir, splits);
  const classes = [...new Set(entries.map((e) => e.className).concat(...Object.values(counts).map(Object.keys)))].sort();
  if (classes.length === 0) {
    throw new IOError(`${WHERE}: '${dir}' has no class subfolders. Hint: put each class's images in a subfolder named after it.`);
  }
  const totals: Record<string, number> = {};
  for (const c of classes) totals[c] = Object.values(counts).reduce((sum, perClass) => sum + (perClass[c] ?? 0), 0);

  const { default: sharp } = await import('sharp');
  const widths: number[] = [];
  const heights: number[] = [];
  const formats: Record<string, number> = {};
  const unreadable: DatasetInfo['unreadable'] = [];
  const byHash = new Map<string, Entry[]>();
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const entry = entries[next++]!;
      const rel = relative(dir, entry.path);
      try {
        const bytes = readInputFile(entry.path, { where: WHERE, expected: 'an image file', maxBytes: MAX_INPUT_BYTES.image });
        const hash = createHash('sha256').update(bytes).digest('hex');
        byHash.set(hash, [...(byHash.get(hash) ?? []), entry]);
        const meta = isBmp(bytes) ? { ...decodeBmp(bytes, WHERE), format: 'bmp' } : await sharp(bytes).metadata();
        if (!meta.width || !meta.height || !meta.format) throw new Error('no image size or format in the header');
        widths.push(meta.width);
        heights.push(meta.height);
        formats[meta.format] = (formats[meta.format] ?? 0) + 1;
      } catch (error) {
        unreadable.push({ path: rel, reason: error instanceof Error ? error.message : String(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  unreadable.sort((a, b) => (a.path < b.path ? -1 : 1));

  const groups = [...byHash.values()].filter((g) => g.length > 1);
  const toPaths = (g: Entry[]) => g.map((e) => relative(dir, e.path)).sort();
  const duplicates = groups.map(toPaths).sort();
  const leakage = groups
    .filter((g) => new Set(g.map((e) => e.split)).size > 1)
    .map(toPaths)
    .sort();

  let imbalance: DatasetInfo['imbalance'] = null;
  if (classes.length > 1) {
    const byCount = [...classes].sort((a, b) => totals[b]! - totals[a]!);
    const largest = byCount[0]!;
    const smallest = byCount[byCount.length - 1]!;
    const ratio = totals[smallest] === 0 ? Number.POSITIVE_INFINITY : totals[largest]! / totals[smallest]!;
    imbalance = { largest, smallest, ratio, warning: ratio > ratioLimit };
  }
  return {
    root: dir,
    splits,
    classes,
    counts,
    totals,
    files: entries.length,
    width: stats(widths),
    height: stats(heights),
    formats,
    unreadable,
    duplicates,
    leakage,
    imbalance,
  };
}
