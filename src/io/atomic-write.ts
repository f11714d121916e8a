// Atomic file writes: write beside the target as `<path>.tmp-<pid>-<rand>`, then rename over it, removing the
// temp file on any failure, so a reader never sees half a file. Also the shared "read a file or NotFoundError".

import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { NotFoundError } from '../errors.js';

/** A fresh temp path beside `path`. */
export function tempPathFor(path: string): string {
  return `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Produces a file at `path` atomically. `write` receives the temp path and must create the file there.
 * @example await atomicWrite('model.keras', async (tmp) => writeFileSync(tmp, bytes));
 */
export async function atomicWrite(path: string, write: (tempPath: string) => void | Promise<void>): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  try {
    await write(temp);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Writes bytes to `path` atomically. */
export async function atomicWriteBytes(path: string, bytes: Uint8Array | string): Promise<void> {
  await atomicWrite(path, (temp) => writeFileSync(temp, bytes));
}

/** Reads a whole file; a missing file is a NotFoundError naming `where` and the path. */
export function readFileOrThrow(path: string, where: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new NotFoundError(
        `${where}: file not found: '${path}'. Hint: check the path (relative paths start at ${process.cwd()}).`,
      );
    }
    if (code === 'EISDIR') {
      throw new NotFoundError(
        `${where}: '${path}' is a folder. Expected a file. Hint: give the path of the .keras or .weights.h5 file inside it.`,
      );
    }
    throw error;
  }
}
