// A thin h5wasm wrapper for Node: open HDF5 bytes or files, walk groups, read datasets as Float32Array, create
// nested groups and float/int datasets. Knows no Keras layout (see h5-weights.ts) and keeps no files open.

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset, Group, File as H5File } from 'h5wasm/node';
import { FormatError, IOError } from '../errors.js';
import { makePrivateTempDir, readFileOrThrow } from './atomic-write.js';

export type { Dataset, Group, H5File };

type H5wasm = typeof import('h5wasm/node').default;

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

let loading: Promise<H5wasm> | null = null;
/**
 * h5wasm (HDF5 compiled to a 15 MB WebAssembly module) loads on the first HDF5 read or write, not at import.
 * HDF5's default error handler prints pages of HDF5-DIAG to stderr and lets calls fail quietly; h5wasm's
 * throwing handler makes each failure one exception, which hdf5Reason() turns into a short reason.
 */
function loadH5wasm(): Promise<H5wasm> {
  loading ??= import('h5wasm/node').then(async ({ default: h5wasm }) => {
    const module = await h5wasm.ready;
    (module as unknown as { activate_throwing_error_handler(): number }).activate_throwing_error_handler();
    return h5wasm;
  });
  return loading;
}

/** The innermost reason of an HDF5-DIAG error stack ('truncated file: eof = 910590, ...'), or the message. */
export function hdf5Reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const reasons = [...message.matchAll(/#\d+: .* in [\w.]+\(\): (.*)$/gm)].map((m) => m[1]);
  return reasons.at(-1) ?? message.split('\n')[0] ?? message;
}

/** True when the bytes start with the HDF5 signature. */
export function isHdf5(bytes: Uint8Array): boolean {
  return HDF5_SIGNATURE.every((b, i) => bytes[i] === b);
}

function checkSignature(bytes: Uint8Array, source: string, expected: string): void {
  if (!isHdf5(bytes)) {
    const head = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new FormatError(
      `'${source}' is not an HDF5 file. Expected ${expected} (starting with 89 48 44 46), received ${bytes.length} bytes starting with [${head}]. Hint: the file may be truncated or of another format.`,
    );
  }
}

/**
 * Opens HDF5 bytes read-only, runs `read`, closes. h5wasm reads from disk, so the bytes go to a private temp file.
 * `source` names the file in errors.
 */
export async function readH5Bytes<T>(bytes: Uint8Array, source: string, expected: string, read: (file: H5File) => T): Promise<T> {
  checkSignature(bytes, source, expected);
  const h5wasm = await loadH5wasm();
  const dir = makePrivateTempDir('h5');
  const path = join(dir, 'data.h5');
  try {
    writeFileSync(path, bytes);
    return openAndRun(h5wasm, path, source, expected, read);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Opens an HDF5 file on disk read-only (after checking its signature), runs `read`, closes. */
export async function readH5File<T>(path: string, source: string, expected: string, read: (file: H5File) => T): Promise<T> {
  checkSignature(readFileOrThrow(path, source, expected).subarray(0, 8), source, expected);
  const h5wasm = await loadH5wasm();
  return openAndRun(h5wasm, path, source, expected, read);
}

/**
 * HDF5 aborting (emscripten's abort(): a RuntimeError 'Aborted(...)') on a damaged file instead of returning an
 * error; seen with flipped bytes in metadata. The module keeps working for the next file (tested).
 */
function isWasmAbort(error: unknown): boolean {
  return error instanceof WebAssembly.RuntimeError || (error instanceof Error && error.message.startsWith('Aborted('));
}

function damaged(source: string, expected: string, error: unknown): FormatError {
  const reason = isWasmAbort(error) ? 'the HDF5 library aborted while reading it' : hdf5Reason(error);
  return new FormatError(
    `'${source}' is a damaged HDF5 file. Expected ${expected}, received a file whose data HDF5 cannot read (${reason}). Hint: the file may be truncated or corrupted; save or download it again.`,
  );
}

function openAndRun<T>(h5wasm: H5wasm, path: string, source: string, expected: string, read: (file: H5File) => T): T {
  let file: H5File;
  try {
    file = new h5wasm.File(path, 'r');
  } catch (error) {
    if (isWasmAbort(error)) throw damaged(source, expected, error);
    throw new FormatError(
      `'${source}' could not be opened as HDF5. Expected ${expected}, received a file HDF5 rejects (${hdf5Reason(error)}). Hint: the file may be truncated; save or download it again.`,
    );
  }
  let result: T;
  try {
    result = read(file);
  } catch (error) {
    try {
      file.close();
    } catch {
      // Closing a file HDF5 already failed on may fail too; the first failure is the one to report.
    }
    if (isWasmAbort(error) || (error instanceof Error && error.message.startsWith('HDF5-DIAG'))) {
      throw damaged(source, expected, error);
    }
    throw error;
  }
  try {
    file.close();
  } catch (error) {
    throw damaged(source, expected, error);
  }
  return result;
}

/** Creates an HDF5 file at `path` (truncating), runs `write`, closes. */
export async function writeH5File(path: string, write: (file: H5File) => void): Promise<void> {
  const h5wasm = await loadH5wasm();
  let file: H5File;
  try {
    file = new h5wasm.File(path, 'w');
  } catch (error) {
    throw new IOError(
      `writeH5File: cannot create '${path}' (${hdf5Reason(error)}). Hint: choose a path in a folder you can write to.`,
    );
  }
  try {
    write(file);
  } finally {
    file.close();
  }
}

/** Writes an HDF5 file to a private temp path and returns its bytes. */
export async function writeH5Bytes(write: (file: H5File) => void): Promise<Uint8Array> {
  const dir = makePrivateTempDir('h5');
  try {
    const path = join(dir, 'data.h5');
    await writeH5File(path, write);
    return new Uint8Array(readFileSync(path));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The group at `path` (relative to `parent`), or null when missing or not a group. */
export function getGroup(parent: Group, path: string): Group | null {
  const entity = parent.get(path);
  return entity && (entity as { type?: string }).type === 'Group' ? (entity as Group) : null;
}

/** The dataset at `path`, or null. */
export function getDataset(parent: Group, path: string): Dataset | null {
  const entity = parent.get(path);
  return entity && (entity as { type?: string }).type === 'Dataset' ? (entity as Dataset) : null;
}

/** Creates (or returns) nested groups 'a/b/c'. */
export function ensureGroup(parent: Group, path: string): Group {
  let group = parent;
  for (const part of path.split('/').filter(Boolean)) group = getGroup(group, part) ?? group.create_group(part);
  return group;
}

/** A string attribute's value, or null. */
export function stringAttr(entity: Group | Dataset, name: string): string | null {
  const attr = entity.attrs[name];
  const value = attr?.value;
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return null;
}

/** A dataset's values as float32 (int64 scalars such as Keras's `iterations` included) with its shape. */
export function readFloat32(dataset: Dataset): { shape: number[]; data: Float32Array } {
  const value = dataset.value;
  const shape = dataset.shape ?? [];
  let data: Float32Array;
  if (value instanceof Float32Array) data = value;
  else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    data = Float32Array.of(Number(value));
  else if (value instanceof BigInt64Array || value instanceof BigUint64Array) data = Float32Array.from(value, (v) => Number(v));
  else if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    data = Float32Array.from(value as unknown as ArrayLike<number>);
  else
    throw new FormatError(`HDF5 dataset '${dataset.path}': expected numbers, received dtype ${JSON.stringify(dataset.dtype)}.`);
  return { shape, data };
}

/** HDF5's built-in Fletcher-32 checksum filter: every HDF5 reader (h5py, Keras) verifies it on read. */
const FLETCHER32 = 3;

/**
 * Writes a float32 dataset (shape [] for a scalar). With `checksum`, the data is stored as one chunk with a
 * Fletcher-32 checksum, so a flipped bit in the weights fails the read instead of loading a wrong model.
 */
export function writeFloat32(group: Group, name: string, data: Float32Array, shape: number[], checksum = false): void {
  if (checksum && shape.length > 0 && shape.every((d) => d > 0)) {
    group.create_dataset({ name, data, shape, dtype: '<f', chunks: shape, compression: FLETCHER32, compression_opts: [] });
  } else group.create_dataset({ name, data, shape, dtype: '<f' });
}

/** Writes an int64 dataset (Keras's optimizer `iterations`). */
export function writeInt64(group: Group, name: string, values: number[], shape: number[]): void {
  group.create_dataset({ name, data: BigInt64Array.from(values.map((v) => BigInt(Math.round(v)))), shape, dtype: '<q' });
}
