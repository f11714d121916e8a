// IDX file reader (the MNIST / Fashion-MNIST container): plain or gzip, unsigned-byte payloads only.
// Checks the magic number, the dimensions and the exact byte size; does not decode other IDX element types.

import { gunzipSync } from 'node:zlib';
import { FormatError } from '../errors.js';
import { MAX_INPUT_BYTES, readInputFile } from '../io/file-checks.js';
import type { Tensor } from '../tensor.js';

/** A uint8 array with its shape: images [N, 28, 28], labels [N]. */
export type ByteTensor = Tensor<Uint8Array>;

/** IDX magic numbers for unsigned bytes: 0x00000801 labels (1 dim), 0x00000803 images (3 dims). */
export const IDX_LABELS_MAGIC = 0x00000801;
export const IDX_IMAGES_MAGIC = 0x00000803;

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

/**
 * Gunzips when the bytes start with the gzip signature (1f 8b), else returns them unchanged. Output is capped at
 * `maxBytes`: a gzip bomb stops there instead of filling memory.
 */
export function maybeGunzip(bytes: Uint8Array, source: string, maxBytes: number = MAX_INPUT_BYTES.dataset): Uint8Array {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return new Uint8Array(gunzipSync(bytes, { maxOutputLength: maxBytes }));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new FormatError(
          `readIdx: '${source}' decompresses to more than ${maxBytes} bytes. Expected an IDX dataset file of at most ${maxBytes} bytes, received gzip data that inflates beyond it (a gzip bomb?). Hint: this is not a dataset file convkit can use; it was not unpacked.`,
        );
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new FormatError(
        `readIdx: invalid gzip data in '${source}'. Expected a complete gzip stream, received ${bytes.length} bytes that fail to decompress (${reason}). Hint: the download may be truncated; delete the file and fetch it again.`,
      );
    }
  }
  return bytes;
}

/**
 * Parses IDX bytes (already gunzipped or not). `expectedMagic` (IDX_LABELS_MAGIC / IDX_IMAGES_MAGIC) is checked
 * when given. `source` names the file in errors.
 * @example parseIdx(bytes, 'train-labels-idx1-ubyte', IDX_LABELS_MAGIC) // { data: Uint8Array(60000), shape: [60000] }
 */
export function parseIdx(raw: Uint8Array, source: string, expectedMagic?: number): ByteTensor {
  const bytes = maybeGunzip(raw, source);
  if (bytes.length < 4) {
    throw new FormatError(
      `readIdx: '${source}' is truncated. Expected at least 4 header bytes, received ${bytes.length}. Hint: re-download the file.`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const ndims = magic & 0xff;
  const type = (magic >> 8) & 0xff;
  if (magic >>> 16 !== 0 || type !== 0x08 || ndims < 1) {
    throw new FormatError(
      `readIdx: '${source}' has a bad magic number. Expected an unsigned-byte IDX file (${hex(IDX_LABELS_MAGIC)} labels or ${hex(IDX_IMAGES_MAGIC)} images), received ${hex(magic)}. Hint: this is not an IDX file (or is gzip data that was renamed).`,
    );
  }
  if (expectedMagic !== undefined && magic !== expectedMagic) {
    throw new FormatError(
      `readIdx: '${source}' has the wrong magic number. Expected ${hex(expectedMagic)} (${expectedMagic === IDX_LABELS_MAGIC ? 'labels' : 'images'}), received ${hex(magic)}. Hint: the images and labels files may be swapped.`,
    );
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new FormatError(
      `readIdx: '${source}' is truncated. Expected a ${headerBytes}-byte header for ${ndims} dimensions, received ${bytes.length} bytes. Hint: re-download the file.`,
    );
  }
  const shape: number[] = [];
  for (let i = 0; i < ndims; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const payload = shape.reduce((a, b) => a * b, 1);
  const expected = headerBytes + payload;
  if (bytes.length !== expected) {
    const what = bytes.length < expected ? 'truncated' : 'longer than its header says';
    throw new FormatError(
      `readIdx: '${source}' is ${what}. Expected ${expected} bytes for shape [${shape.join(', ')}], received ${bytes.length}. Hint: re-download the file.`,
    );
  }
  return { data: bytes.slice(headerBytes), shape };
}

/** Reads an IDX file (plain or .gz) from disk. Missing file -> NotFoundError; not a regular file -> IOError. */
export function readIdx(path: string, expectedMagic?: number): ByteTensor {
  const raw = readInputFile(path, { where: 'readIdx', expected: 'an IDX dataset file', maxBytes: MAX_INPUT_BYTES.dataset });
  return parseIdx(raw, path, expectedMagic);
}
