// Atomic file (and folder) writes and private temp folders. A write goes to `<path>.tmp-<pid>-<rand>` beside the
// target and is renamed over it (the temp is removed on any failure), so a reader never sees half a file. A
// process killed mid-write cannot clean up, so each write first sweeps that folder's temp files left by processes
// that no longer run; private temp folders (`convkit-<what>-<pid>-*` in the OS temp folder) are swept the same way.

import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileError, isErrnoError, MAX_INPUT_BYTES, readInputFile } from './file-checks.js';

/** Temp names this process is writing right now (they look stale to no one, not even to a later sweep of ours). */
const inFlight = new Set<string>();

const TEMP_NAME = /\.tmp-(\d+)-[a-z0-9]+$/;

/** A fresh temp path beside `path`. */
export function tempPathFor(path: string): string {
  return `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/** True when a process with this id runs (EPERM: it runs, as another user). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True for a name written by tempPathFor whose writer is gone (a killed process, or ours but not in flight). */
export function isStaleTemp(folder: string, name: string): boolean {
  const match = TEMP_NAME.exec(name);
  if (!match) return false;
  const pid = Number(match[1]);
  return pid === process.pid ? !inFlight.has(resolve(folder, name)) : !processAlive(pid);
}

/** Removes the temp files in `folder` whose writers no longer run; returns the names removed. */
export function removeStaleTemps(folder: string): string[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const removed = names.filter((name) => isStaleTemp(folder, name));
  for (const name of removed) rmSync(join(folder, name), { recursive: true, force: true });
  return removed;
}

/**
 * A temp path beside `path` that sweeps by this process leave alone until `release()` is called: for a temp file
 * written over a long time (an epoch) and renamed by the caller.
 * @example const { temp, release } = holdTempPath('cache.bin'); try { ... renameSync(temp, 'cache.bin') } finally { release() }
 */
export function holdTempPath(path: string): { temp: string; release: () => void } {
  const temp = tempPathFor(path);
  inFlight.add(resolve(temp));
  return { temp, release: () => inFlight.delete(resolve(temp)) };
}

/**
 * Produces a file at `path` atomically. `write` receives the temp path and must create the file there.
 * @example await atomicWrite('model.keras', async (tmp) => writeFileSync(tmp, bytes));
 */
export async function atomicWrite(path: string, write: (tempPath: string) => void | Promise<void>): Promise<void> {
  const folder = dirname(path);
  const temp = tempPathFor(path);
  try {
    mkdirSync(folder, { recursive: true });
    removeStaleTemps(folder);
    inFlight.add(resolve(temp));
    await write(temp);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw isErrnoError(error) ? fileError(error, 'save', path, 'write') : error;
  } finally {
    inFlight.delete(resolve(temp));
  }
}

/** Writes bytes to `path` atomically. */
export async function atomicWriteBytes(path: string, bytes: Uint8Array | string): Promise<void> {
  await atomicWrite(path, (temp) => writeFileSync(temp, bytes));
}

/**
 * Produces a folder at `path` atomically: `fill` receives an empty temp folder beside it, which is renamed into
 * place when `fill` succeeds (an existing folder at `path` is replaced) and removed when it fails.
 * @example await atomicWriteFolder('data/photos', async (tmp) => unpackInto(tmp));
 */
export async function atomicWriteFolder(path: string, fill: (tempPath: string) => void | Promise<void>): Promise<void> {
  const temp = tempPathFor(path);
  try {
    mkdirSync(dirname(path), { recursive: true });
    removeStaleTemps(dirname(path));
    inFlight.add(resolve(temp));
    mkdirSync(temp);
    await fill(temp);
    let old: string | null = null;
    try {
      renameSync(temp, path);
    } catch (error) {
      if (!['ENOTEMPTY', 'EEXIST', 'ENOTDIR', 'EISDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
      old = tempPathFor(path);
      renameSync(path, old);
      renameSync(temp, path);
    }
    if (old) rmSync(old, { recursive: true, force: true });
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw isErrnoError(error) ? fileError(error, 'save', path, 'write') : error;
  } finally {
    inFlight.delete(resolve(temp));
  }
}

const LEGACY_AGE_MS = 60 * 60 * 1000;

/**
 * A new private folder `convkit-<what>-<pid>-XXXXXX` in the OS temp folder, after removing those of processes
 * that no longer run (and pid-less ones from older convkit versions, once an hour old). The caller removes it.
 */
export function makePrivateTempDir(what: string): string {
  const root = tmpdir();
  const prefix = `convkit-${what}-`;
  try {
    const now = Date.now();
    for (const name of readdirSync(root)) {
      if (!name.startsWith(prefix)) continue;
      const pid = /^(\d+)-/.exec(name.slice(prefix.length))?.[1];
      const path = join(root, name);
      const stale = pid ? !processAlive(Number(pid)) : now - statSync(path).mtimeMs > LEGACY_AGE_MS;
      if (stale) rmSync(path, { recursive: true, force: true });
    }
  } catch {
    // Sweeping is housekeeping: a folder we may not list or remove is left alone.
  }
  return mkdtempSync(join(root, `${prefix}${process.pid}-`));
}

/** Reads a whole model file (regular, at most MAX_INPUT_BYTES.model); NotFoundError/IOError name `where`. */
export function readFileOrThrow(path: string, where: string, expected = 'a model or weights file'): Uint8Array {
  return readInputFile(path, { where, expected, maxBytes: MAX_INPUT_BYTES.model });
}
