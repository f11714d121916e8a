// Zip container read/write for .keras files (fflate, in memory). Entries are stored uncompressed as Keras does.
// Knows nothing of what is inside the zip.

import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { FormatError } from '../errors.js';

/** Zip archive bytes from name -> bytes (or text) entries, stored without compression. */
export function writeZip(entries: Record<string, Uint8Array | string>): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0 }]> = {};
  for (const [name, value] of Object.entries(entries)) {
    files[name] = [typeof value === 'string' ? strToU8(value) : value, { level: 0 }];
  }
  return zipSync(files);
}

/** The entries of a zip; a file that is not a readable zip is a FormatError naming `source`. */
export function readZip(bytes: Uint8Array, source: string, expected: string): Record<string, Uint8Array> {
  const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b;
  if (!isZip) {
    const head = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const hdf5 = bytes[1] === 0x48 && bytes[2] === 0x44 && bytes[3] === 0x46;
    throw new FormatError(
      `'${source}' is not a zip archive. Expected ${expected} (a zip starting with 'PK'), received ${bytes.length} bytes starting with [${head}]. Hint: ${hdf5 ? 'this is an HDF5 file: load .weights.h5 files with loadWeights(model, path).' : 'the file may be truncated or of another format.'}`,
    );
  }
  try {
    return unzipSync(bytes);
  } catch (error) {
    throw new FormatError(
      `'${source}' is a damaged zip archive. Expected ${expected}, received ${bytes.length} bytes that fail to unzip (${error instanceof Error ? error.message : String(error)}). Hint: the file may be truncated; save it again.`,
    );
  }
}

/** An entry as UTF-8 text. */
export function zipText(bytes: Uint8Array): string {
  return strFromU8(bytes);
}
