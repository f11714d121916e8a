// Carrying out a split plan safely: every file is written beside its target and hard-linked into place (which
// fails rather than replace anything), then every target is verified (SHA-256 for copies, same inode for links);
// sources are deleted only after all of that, for --move. Any failure removes what this run wrote and leaves the
// source untouched.

import { createHash } from 'node:crypto';
import { copyFileSync, linkSync, mkdirSync, readFileSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { IOError } from '../errors.js';
import { tempPathFor } from '../io/atomic-write.js';
import { errnoReason, isErrnoError } from '../io/file-checks.js';
import { type PlannedFile, planSplit, type SplitFoldersOptions, type SplitPlan } from './split-plan.js';

export {
  type PlannedFile,
  planSplit,
  SPLIT_NAMES,
  type SplitFoldersOptions,
  type SplitName,
  type SplitPlan,
  splitSizes,
} from './split-plan.js';

export interface SplitReport extends SplitPlan {
  dryRun: boolean;
  /** Files written and verified (0 for a dry run). */
  verified: number;
}

/** SHA-256 of a file's bytes, hex. */
export function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Makes `dir` and its missing parents, remembering each folder it created (for the rollback). */
function makeDirs(dir: string, created: string[]): void {
  const missing: string[] = [];
  let d = dir;
  for (;;) {
    try {
      statSync(d);
      break;
    } catch {
      missing.push(d);
      const parent = dirname(d);
      if (parent === d) break;
      d = parent;
    }
  }
  for (const m of missing.reverse()) {
    mkdirSync(m);
    created.push(m);
  }
}

/** Places one file at its target without ever replacing one: a temp copy, then a hard link that fails on EEXIST. */
function place(file: PlannedFile, mode: SplitPlan['mode']): void {
  if (mode === 'link') {
    linkSync(file.source, file.target);
    return;
  }
  const temp = tempPathFor(file.target);
  try {
    copyFileSync(file.source, temp);
    linkSync(temp, file.target);
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // never created
    }
  }
}

function verify(file: PlannedFile, mode: SplitPlan['mode']): void {
  if (mode === 'link') {
    const a = statSync(file.source);
    const b = statSync(file.target);
    if (a.ino !== b.ino || a.dev !== b.dev)
      throw new IOError(`splitFolders: '${file.target}' is not a link to '${file.source}'.`);
    return;
  }
  if (fileSha256(file.source) !== fileSha256(file.target)) {
    throw new IOError(`splitFolders: checksum mismatch after copying '${file.source}' to '${file.target}'.`);
  }
}

function rollback(written: string[], createdDirs: string[]): string[] {
  const left: string[] = [];
  for (const path of written) {
    try {
      unlinkSync(path);
    } catch {
      left.push(path);
    }
  }
  for (const dir of [...createdDirs].reverse()) {
    try {
      rmdirSync(dir);
    } catch {
      // not empty: holds something this run did not write
    }
  }
  return left;
}

/**
 * Splits a folder of class subfolders into `<out>/{train,validation,test}/<class>/`, stratified per class and
 * reproducible for a seed (see planSplit). Plans first, writes, verifies every file, and for 'move' deletes the
 * sources only once everything is verified. On any failure it removes what it wrote and rethrows; the source
 * folder is then as it was.
 * @example const report = splitFolders('photos', { out: 'photos-split', val: 0.15, test: 0.15, seed: 42 });
 */
export function splitFolders(src: string, options: SplitFoldersOptions): SplitReport {
  const plan = planSplit(src, options);
  if (options.dryRun) return { ...plan, dryRun: true, verified: 0 };
  const written: string[] = [];
  const createdDirs: string[] = [];
  let current: PlannedFile | null = null;
  try {
    for (const file of plan.files) {
      current = file;
      makeDirs(dirname(file.target), createdDirs);
      place(file, plan.mode);
      written.push(file.target);
    }
    current = null;
    for (const file of plan.files) verify(file, plan.mode);
  } catch (error) {
    const left = rollback(written, createdDirs);
    const reason = isErrnoError(error) ? errnoReason(error) : error instanceof Error ? error.message : String(error);
    const at = current ? ` at '${current.source}' -> '${current.target}'` : ' while verifying';
    const leftNote = left.length > 0 ? ` Could not remove ${left.length} written file(s), e.g. '${left[0]}'.` : '';
    throw new IOError(
      `splitFolders: failed${at}: ${reason}. Everything this run wrote was removed; the source folder is intact.${leftNote} Hint: check the target folder and free space, then run again.`,
    );
  }
  if (plan.mode === 'move') {
    for (const file of plan.files) unlinkSync(file.source);
  }
  return { ...plan, dryRun: false, verified: plan.files.length };
}
