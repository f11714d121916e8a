// Checked file access, the one way convkit touches user paths: reading an input file (regular files only, with a
// size limit, never blocking on a FIFO or a device) and checking, before long work starts, that an output path
// can be written. File-system failures become IOError/NotFoundError messages that name the path and a hint.

import { accessSync, closeSync, constants, fstatSync, openSync, readSync, rmSync, type Stats, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { IOError, NotFoundError } from '../errors.js';

const MiB = 1024 * 1024;

/** Size limits per kind of input file: generous for real files, far below what would exhaust memory. */
export const MAX_INPUT_BYTES = {
  /** .keras archives and .weights.h5 files (Node cannot hold one buffer above 2 GiB comfortably). */
  model: 2047 * MiB,
  /** One image (PNG, JPEG ...). */
  image: 256 * MiB,
  /** One IDX dataset file, before gunzip. */
  dataset: 1024 * MiB,
  /** Small text: label lists, JSON metadata, CSV logs. */
  text: 16 * MiB,
} as const;

export interface InputFileSpec {
  /** Who reads, for the message: 'loadModel', '--labels'. */
  where: string;
  /** What the file should be, for the message: 'a Keras 3 .keras file'. */
  expected: string;
  maxBytes: number;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * MiB) return `${(bytes / (1024 * MiB)).toFixed(1)} GiB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}

function kindOf(stats: Stats): string {
  if (stats.isFile()) return 'a file';
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'a special file';
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a file is in the way',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'the path has a symbolic-link loop',
  EMFILE: 'too many open files',
  EIO: 'an input/output error from the device',
};

/** A Node file-system error's reason in words: 'the file system is read-only (EROFS)'. */
export function errnoReason(error: NodeJS.ErrnoException): string {
  const code = error.code ?? 'error';
  return `${REASONS[code] ?? error.message} (${code})`;
}

/** True for Node's file-system errors (they carry an errno code such as 'EROFS'). */
export function isErrnoError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && 'syscall' in error;
}

/**
 * Turns a Node file-system error into a convkit error naming `where`, the path and the reason, without a stack.
 * @example catch (e) { throw fileError(e, 'saveModel', 'out/model.keras', 'write') }
 */
export function fileError(error: NodeJS.ErrnoException, where: string, path: string, action: 'read' | 'write'): Error {
  const code = error.code ?? '';
  if (code === 'ENOENT' && action === 'read') {
    return new NotFoundError(
      `${where}: file not found: '${path}'. Hint: check the path (relative paths start at ${process.cwd()}).`,
    );
  }
  const hint =
    action === 'write'
      ? 'Hint: choose a path in a folder you can write to (for example under your home folder).'
      : 'Hint: check the path and its permissions.';
  return new IOError(`${where}: cannot ${action} '${path}': ${errnoReason(error)}. ${hint}`);
}

/**
 * Reads a whole input file after checking that it is a regular file within `maxBytes`. The file is opened
 * non-blocking, so a FIFO swapped in after the check cannot hang the read either.
 * @example readInputFile('model.keras', { where: 'loadModel', expected: 'a .keras file', maxBytes: MAX_INPUT_BYTES.model })
 */
export function readInputFile(path: string, spec: InputFileSpec): Uint8Array {
  let fd: number;
  try {
    // stat first: opening a FIFO even with O_NONBLOCK succeeds, but a device may have side effects.
    checkInputStats(statSync(path), path, spec);
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw isErrnoError(error) ? fileError(error, spec.where, path, 'read') : error;
  }
  try {
    const stats = fstatSync(fd);
    checkInputStats(stats, path, spec);
    const bytes = new Uint8Array(stats.size);
    let filled = 0;
    while (filled < bytes.length) {
      const n = readSync(fd, bytes, filled, bytes.length - filled, filled);
      if (n === 0) break; // shrank while reading: return what is there; the format checks will catch it
      filled += n;
    }
    return filled === bytes.length ? bytes : bytes.subarray(0, filled);
  } catch (error) {
    throw isErrnoError(error) ? fileError(error, spec.where, path, 'read') : error;
  } finally {
    closeSync(fd);
  }
}

/**
 * The checks readInputFile makes (a regular file within `maxBytes`), without reading it: for formats read from
 * disk by another library (HDF5), or sniffed by their first bytes before a full read.
 */
export function checkInputPath(path: string, spec: InputFileSpec): void {
  try {
    checkInputStats(statSync(path), path, spec);
  } catch (error) {
    throw isErrnoError(error) ? fileError(error, spec.where, path, 'read') : error;
  }
}

function checkInputStats(stats: Stats, path: string, spec: InputFileSpec): void {
  if (!stats.isFile()) {
    const folderHint = stats.isDirectory() ? 'give the path of a file inside it' : 'convkit reads only files on disk';
    throw new IOError(
      `${spec.where}: '${path}' is ${kindOf(stats)}. Expected ${spec.expected} (a regular file), received ${kindOf(stats)}. Hint: ${folderHint}.`,
    );
  }
  if (stats.size > spec.maxBytes) {
    throw new IOError(
      `${spec.where}: '${path}' is too large. Expected ${spec.expected} of at most ${formatBytes(spec.maxBytes)}, received ${formatBytes(stats.size)}. Hint: this is probably not the file you meant.`,
    );
  }
}

/**
 * Checks, before long work, that a file can later be written at `path` (created, or replaced through a temp file
 * and a rename): the path is not a folder or a device, and its nearest existing folder really accepts a new file
 * (probed by creating and removing an empty one, since permission bits say nothing for root or special file
 * systems). `suffixes`, when given, are the accepted endings. Leaves nothing behind.
 * @example checkWritable(options.out, '--out', ['.keras'])
 */
export function checkWritable(path: string, where: string, suffixes: string[] = []): void {
  if (typeof path !== 'string' || path === '') {
    throw new IOError(`${where}: invalid path. Expected a file path, received ${JSON.stringify(path)}.`);
  }
  if (suffixes.length > 0 && !suffixes.some((s) => path.endsWith(s))) {
    throw new IOError(
      `${where}: invalid path '${path}'. Expected a name ending in ${suffixes.map((s) => `'${s}'`).join(' or ')}, received '${path}'. Hint: add the suffix.`,
    );
  }
  const existing = statOrNull(path, where);
  if (existing && !existing.isFile()) {
    const example = `${path.replace(/\/+$/, '')}/${suffixes[0] ? `model${suffixes[0]}` : 'output'}`;
    throw new IOError(
      `${where}: cannot write '${path}': it is ${kindOf(existing)}. Expected a file path, received ${kindOf(existing)}. Hint: give a file name inside it, such as '${example}'.`,
    );
  }
  // The nearest folder that exists must accept new files (missing folders below it get created at write time).
  let folder = dirname(resolve(path));
  let stats = statOrNull(folder, where);
  while (!stats && dirname(folder) !== folder) {
    folder = dirname(folder);
    stats = statOrNull(folder, where);
  }
  if (stats && !stats.isDirectory()) {
    throw new IOError(
      `${where}: cannot write '${path}': '${folder}' is ${kindOf(stats)}, not a folder. Expected a path whose parents are folders. Hint: choose another path.`,
    );
  }
  const probe = join(folder, `.convkit-write-check.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  try {
    closeSync(openSync(probe, 'wx'));
    rmSync(probe, { force: true });
    if (existing) accessSync(path, constants.W_OK);
  } catch (error) {
    if (!isErrnoError(error)) throw error;
    const on = error.path === probe ? `the folder '${folder}'` : `'${path}'`;
    throw new IOError(
      `${where}: cannot write '${path}': ${errnoReason(error)} on ${on}. Hint: choose a path in a folder you can write to.`,
    );
  }
}

function statOrNull(path: string, where: string): Stats | null {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw isErrnoError(error) ? fileError(error, where, path, 'write') : error;
  }
}
