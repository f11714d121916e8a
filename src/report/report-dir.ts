// Writing a report folder atomically: every file goes into a temp folder beside the target, which is renamed into
// place when complete; a previous convkit report there (marked by a `.convkit-report` file) is replaced, anything
// else is refused, so a report never overwrites a user's own files and a reader never sees half a report. Temp
// folders of killed runs are swept the way atomic-write.ts sweeps temp files.

import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { IOError } from '../errors.js';
import { removeStaleTemps, tempPathFor } from '../io/atomic-write.js';
import { checkWritable } from '../io/file-checks.js';

/** The file that marks a folder as a convkit report (so a later report may replace it). */
export const REPORT_MARKER = '.convkit-report';

export interface ReportFile {
  /** Path inside the report folder, '/'-separated ('index.html', 'images/confusion.png'). */
  name: string;
  bytes: Uint8Array | string;
}

/**
 * Checks, before any work, that `out` can become a report folder: missing, empty, or a previous convkit report.
 * @example checkReportDir('report/', '--out');
 */
export function checkReportDir(out: string, where: string): void {
  if (typeof out !== 'string' || out === '')
    throw new IOError(`${where}: invalid path. Expected a folder path, received ${JSON.stringify(out)}.`);
  if (!existsSync(out)) {
    // The folder's parent must accept new entries: probe it as for a file in it.
    checkWritable(join(out, 'index.html'), where);
    return;
  }
  if (!statSync(out).isDirectory()) {
    throw new IOError(
      `${where}: '${out}' is a file. Expected a folder for the report (index.html and images/), received a file. Hint: give a folder name such as 'report/'.`,
    );
  }
  const entries = readdirSync(out);
  if (entries.length > 0 && !entries.includes(REPORT_MARKER)) {
    throw new IOError(
      `${where}: '${out}' holds other files (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''}). Expected a new or empty folder, or an earlier convkit report (which is replaced). Hint: choose another folder so nothing of yours is overwritten.`,
    );
  }
  checkWritable(join(out, 'index.html'), where);
}

/** Writes all files into a temp folder and renames it to `out` (replacing an earlier report there). */
export function writeReportDir(out: string, files: ReportFile[], where = 'writeReport'): void {
  checkReportDir(out, where);
  const target = resolve(out);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  removeStaleTemps(parent);
  const temp = tempPathFor(target);
  let old: string | null = null;
  try {
    mkdirSync(temp);
    for (const file of [
      ...files,
      { name: REPORT_MARKER, bytes: 'Written by convkit report; a later report replaces this folder.\n' },
    ]) {
      const path = join(temp, ...file.name.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.bytes);
    }
    if (existsSync(target)) {
      old = tempPathFor(target);
      renameSync(target, old);
    }
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    if (old && !existsSync(target)) renameSync(old, target);
    throw error;
  }
  if (old) rmSync(old, { recursive: true, force: true });
}
