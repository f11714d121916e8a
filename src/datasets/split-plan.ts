// Planning a stratified train/validation/test split of a folder of class subfolders: which source file goes to
// which target path, decided entirely before anything is written, so a refusal costs nothing and a dry run is exact.

import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { bitsAt, streamKey } from '../backend/random.js';
import { ConfigError, IOError, invalid, NotFoundError } from '../errors.js';
import { fileError, isErrnoError } from '../io/file-checks.js';
import { checkOptions } from '../options.js';

export const SPLIT_NAMES = ['train', 'validation', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

export interface SplitFoldersOptions {
  /** The target folder; train/, validation/ and test/ are made inside it. */
  out: string;
  /** Fraction of each class for validation (default 0.15). */
  val?: number;
  /** Fraction of each class for test (default 0.15). */
  test?: number;
  /** Seed of the per-class shuffle (default 42): the same seed and files give the same split. */
  seed?: number;
  /** 'copy' (default), 'move' (copy, verify, then delete the sources) or 'link' (hard links). */
  mode?: 'copy' | 'move' | 'link';
  /** Plan and report only; write nothing. */
  dryRun?: boolean;
  /** Allow a non-empty target folder (an existing file is still never overwritten). */
  force?: boolean;
}

export interface PlannedFile {
  source: string;
  target: string;
  split: SplitName;
  className: string;
}

export interface SplitPlan {
  source: string;
  out: string;
  mode: 'copy' | 'move' | 'link';
  classes: string[];
  files: PlannedFile[];
  /** counts[split][className] */
  counts: Record<SplitName, Record<string, number>>;
  /** Entries of the source folder that are not class folders (left where they are). */
  ignored: string[];
}

const KEYS = ['out', 'val', 'test', 'seed', 'mode', 'dryRun', 'force'];
const WHERE = 'splitFolders';

function checkFraction(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= 1) {
    throw new ConfigError(invalid(WHERE, name, 'a fraction >= 0 and < 1', value, 'for example 0.15.'));
  }
  return value;
}

/** Fisher-Yates from a seeded counter stream: the same (seed, class, names) always give the same order. */
function seededShuffle<T>(items: T[], seed: number, className: string): T[] {
  let classHash = 0;
  for (const ch of className) classHash = (Math.imul(classHash, 31) + (ch.codePointAt(0) ?? 0)) >>> 0;
  const key = streamKey((seed ^ classHash) >>> 0);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = bitsAt(key, i) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** How many of `n` files go to validation and test: rounded per class, train keeps the rest (at least 0). */
export function splitSizes(n: number, val: number, test: number): Record<SplitName, number> {
  const nVal = Math.round(n * val);
  const nTest = Math.min(Math.round(n * test), n - nVal);
  return { train: n - nVal - nTest, validation: nVal, test: nTest };
}

function listDir(path: string, what: string): string[] {
  try {
    return readdirSync(path).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  } catch (error) {
    if (isErrnoError(error) && error.code === 'ENOENT') {
      throw new NotFoundError(`${WHERE}: ${what} not found: '${path}'. Hint: give a folder that holds one subfolder per class.`);
    }
    throw isErrnoError(error) ? fileError(error, WHERE, path, 'read') : error;
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

/** True when `path` exists in any form (a dangling symbolic link counts: writing there would replace it). */
function occupied(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Plans the split of `src` (one subfolder per class) into `<out>/{train,validation,test}/<class>/`: per class the
 * file names are sorted, shuffled from the seed and cut into validation, test and train. Throws before any write
 * when the target is not empty (without `force`) or when any target file already exists.
 * @example const plan = planSplit('photos', { out: 'photos-split', val: 0.15, test: 0.15, seed: 42 });
 */
export function planSplit(src: string, options: SplitFoldersOptions): SplitPlan {
  const o = checkOptions<SplitFoldersOptions>(WHERE, options, KEYS);
  if (typeof o.out !== 'string' || o.out === '') throw new ConfigError(invalid(WHERE, 'out', 'a target folder path', o.out));
  const val = checkFraction('val', o.val ?? 0.15);
  const test = checkFraction('test', o.test ?? 0.15);
  if (val + test >= 1) {
    throw new ConfigError(invalid(WHERE, 'val + test', 'a sum below 1 (train keeps the rest)', val + test));
  }
  const seed = o.seed ?? 42;
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) {
    throw new ConfigError(invalid(WHERE, 'seed', 'an integer from 0 to 2^32 - 1', seed));
  }
  const mode = o.mode ?? 'copy';
  if (!['copy', 'move', 'link'].includes(mode)) throw new ConfigError(invalid(WHERE, 'mode', "'copy', 'move' or 'link'", mode));
  const source = resolve(src);
  const out = resolve(o.out);
  if (isInside(out, source) || isInside(source, out)) {
    throw new ConfigError(
      invalid(WHERE, 'out', 'a folder outside the source folder (and not containing it)', o.out, 'choose a sibling folder.'),
    );
  }
  const classes: string[] = [];
  const ignored: string[] = [];
  for (const name of listDir(source, 'source folder')) {
    if (statSync(join(source, name)).isDirectory()) classes.push(name);
    else ignored.push(name);
  }
  if (classes.length === 0) {
    throw new IOError(`${WHERE}: '${src}' has no class subfolders. Hint: put each class's images in a subfolder named after it.`);
  }
  const counts = { train: {}, validation: {}, test: {} } as SplitPlan['counts'];
  const files: PlannedFile[] = [];
  for (const className of classes) {
    const classDir = join(source, className);
    const names: string[] = [];
    for (const name of listDir(classDir, 'class folder')) {
      const stats = statSync(join(classDir, name));
      if (stats.isFile()) names.push(name);
      else ignored.push(`${className}/${name}`);
    }
    const order = seededShuffle(names, seed, className);
    const sizes = splitSizes(order.length, val, test);
    const bySplit: Record<SplitName, string[]> = {
      validation: order.slice(0, sizes.validation),
      test: order.slice(sizes.validation, sizes.validation + sizes.test),
      train: order.slice(sizes.validation + sizes.test),
    };
    for (const split of SPLIT_NAMES) {
      counts[split][className] = bySplit[split].length;
      for (const name of bySplit[split].sort()) {
        files.push({ source: join(classDir, name), target: join(out, split, className, name), split, className });
      }
    }
  }
  checkTarget(out, o.out, files, o.force === true);
  return { source, out, mode, classes, files, counts, ignored };
}

function checkTarget(out: string, given: string, files: PlannedFile[], force: boolean): void {
  if (!occupied(out)) return;
  if (!statSync(out).isDirectory()) {
    throw new IOError(`${WHERE}: '${given}' exists and is not a folder. Hint: choose a new folder for --out.`);
  }
  if (readdirSync(out).length > 0 && !force) {
    throw new IOError(
      `${WHERE}: the target folder '${given}' is not empty. Hint: choose an empty or new folder, or pass --force (existing files are never overwritten).`,
    );
  }
  const taken = files.filter((f) => occupied(f.target));
  if (taken.length > 0) {
    const list = taken
      .slice(0, 5)
      .map((f) => `'${f.target}'`)
      .join(', ');
    throw new IOError(
      `${WHERE}: ${taken.length} target file${taken.length === 1 ? '' : 's'} already exist${taken.length === 1 ? 's' : ''} (${list}${taken.length > 5 ? ', ...' : ''}); convkit never overwrites a file. Hint: choose a new folder for --out.`,
    );
  }
}
