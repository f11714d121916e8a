// Zip container read/write for .keras files, in memory. Writing stores entries uncompressed as Keras does
// (fflate). Reading parses the central directory itself so that nothing is trusted unchecked: every entry's
// declared size is checked against a limit before it is inflated, inflation stops as soon as it outgrows that
// size, and the CRC-32 of every entry read is verified (a flipped byte is an error, not a model). Knows nothing
// of what is inside. Node only (inflate and CRC-32 from node:zlib).

import * as zlib from 'node:zlib';
import { strToU8, zipSync } from 'fflate';
import { FormatError } from '../errors.js';

let crcTable: Uint32Array | null = null;
/** Table-driven CRC-32 (zip's polynomial), for Node before 20.15, which lacks zlib.crc32. */
export function crc32Portable(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const crc32: (data: Uint8Array) => number = typeof zlib.crc32 === 'function' ? zlib.crc32 : crc32Portable;

/** Zip archive bytes from name -> bytes (or text) entries, stored without compression. */
export function writeZip(entries: Record<string, Uint8Array | string>): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0 }]> = {};
  for (const [name, value] of Object.entries(entries)) {
    files[name] = [typeof value === 'string' ? strToU8(value) : value, { level: 0 }];
  }
  return zipSync(files);
}

/** One entry of a zip's central directory. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  /** Unix file type and permission bits from the external attributes (0 when the archiver wrote none). */
  unixMode: number;
}

/** A parsed archive: its bytes, its entries by name, and the source name for messages. */
export interface ZipArchive {
  source: string;
  bytes: Uint8Array;
  entries: Map<string, ZipEntry>;
}

/** Default cap on one entry's uncompressed size. */
export const MAX_ZIP_ENTRY_BYTES = 2047 * 1024 * 1024;

function damaged(source: string, expected: string, what: string): FormatError {
  return new FormatError(
    `'${source}' is a damaged zip archive. Expected ${expected}, received a file whose ${what}. Hint: the file may be truncated or corrupted; save or download it again.`,
  );
}

function notZip(bytes: Uint8Array, source: string, expected: string): FormatError {
  const head = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const hdf5 = bytes[1] === 0x48 && bytes[2] === 0x44 && bytes[3] === 0x46;
  return new FormatError(
    `'${source}' is not a zip archive. Expected ${expected} (a zip starting with 'PK'), received ${bytes.length} bytes starting with [${head}]. Hint: ${hdf5 ? 'this is an HDF5 file: load .weights.h5 files with loadWeights(model, path).' : 'the file may be truncated or of another format.'}`,
  );
}

/** Parses the central directory (zip64 included). Throws FormatError for anything out of bounds. */
export function openZip(bytes: Uint8Array, source: string, expected: string): ZipArchive {
  if (!(bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b)) throw notZip(bytes, source, expected);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const u64 = (at: number) => Number(view.getBigUint64(at, true));
  let eocd = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (u32(at) === 0x06054b50) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw damaged(source, expected, 'end-of-archive record is missing');
  let count = u16(eocd + 10);
  let offset = u32(eocd + 16);
  if (eocd >= 20 && u32(eocd - 20) === 0x07064b50) {
    const zip64 = u64(eocd - 12);
    if (zip64 + 56 > bytes.length || u32(zip64) !== 0x06064b50) throw damaged(source, expected, 'zip64 record is out of bounds');
    count = u64(zip64 + 32);
    offset = u64(zip64 + 48);
  }
  const entries = new Map<string, ZipEntry>();
  const decoder = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (offset + 46 > bytes.length || u32(offset) !== 0x02014b50)
      throw damaged(source, expected, 'central directory is cut short');
    if (u16(offset + 8) & 1) throw damaged(source, expected, 'entries are encrypted');
    const nameLength = u16(offset + 28);
    const extraLength = u16(offset + 30);
    const end = offset + 46 + nameLength + extraLength + u16(offset + 32);
    if (end > bytes.length) throw damaged(source, expected, 'central directory is cut short');
    const entry: ZipEntry = {
      name: decoder.decode(bytes.subarray(offset + 46, offset + 46 + nameLength)),
      method: u16(offset + 10),
      crc: u32(offset + 16),
      compressedSize: u32(offset + 20),
      size: u32(offset + 24),
      localHeaderOffset: u32(offset + 42),
      // Only archivers on Unix (host 3 in 'version made by') put st_mode in the high half.
      unixMode: bytes[offset + 5] === 3 ? u32(offset + 38) >>> 16 : 0,
    };
    readZip64Extra(view, offset + 46 + nameLength, extraLength, entry);
    entries.set(entry.name, entry);
    offset = end;
  }
  return { source, bytes, entries };
}

/** Fills the 0xffffffff fields of an entry from its zip64 extra field (id 1), in the order the format fixes. */
function readZip64Extra(view: DataView, at: number, length: number, entry: ZipEntry): void {
  for (let p = at; p + 4 <= at + length; ) {
    const id = view.getUint16(p, true);
    const size = view.getUint16(p + 2, true);
    if (id === 1) {
      let q = p + 4;
      const next = () => {
        const value = q + 8 <= p + 4 + size ? Number(view.getBigUint64(q, true)) : Number.NaN;
        q += 8;
        return value;
      };
      if (entry.size === 0xffffffff) entry.size = next();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next();
    }
    p += 4 + size;
  }
}

/**
 * An entry's bytes: its declared size must be within `maxBytes` (checked before inflating), and the data must
 * match the declared size and CRC-32.
 */
export function readZipEntry(archive: ZipArchive, name: string, expected: string, maxBytes = MAX_ZIP_ENTRY_BYTES): Uint8Array {
  const { bytes, source } = archive;
  const entry = archive.entries.get(name);
  if (!entry)
    throw new FormatError(
      `'${source}' has no '${name}'. Expected ${expected}, received entries [${[...archive.entries.keys()].join(', ')}].`,
    );
  if (!(entry.size <= maxBytes)) {
    throw new FormatError(
      `'${source}': entry '${name}' declares ${entry.size} bytes uncompressed. Expected ${expected} with '${name}' of at most ${maxBytes} bytes, received ${entry.size}. Hint: the archive is damaged or hostile (a zip bomb); it was not unpacked.`,
    );
  }
  const local = entry.localHeaderOffset;
  if (
    !(local + 30 <= bytes.length) ||
    new DataView(bytes.buffer, bytes.byteOffset + local, 30).getUint32(0, true) !== 0x04034b50
  ) {
    throw damaged(source, expected, `entry '${name}' points outside the file`);
  }
  const header = new DataView(bytes.buffer, bytes.byteOffset + local, 30);
  const start = local + 30 + header.getUint16(26, true) + header.getUint16(28, true);
  if (!(start + entry.compressedSize <= bytes.length)) throw damaged(source, expected, `entry '${name}' is cut short`);
  const raw = bytes.subarray(start, start + entry.compressedSize);
  let data: Uint8Array;
  if (entry.method === 0) data = raw;
  else if (entry.method === 8) {
    try {
      // Capped at the declared size: a header that lies about a zip bomb stops here, not when memory runs out.
      data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why =
        code === 'ERR_BUFFER_TOO_LARGE'
          ? `inflates beyond its declared ${entry.size} bytes (a zip bomb?); it was not unpacked`
          : `fails to inflate (${error instanceof Error ? error.message : String(error)})`;
      throw damaged(source, expected, `entry '${name}' ${why}`);
    }
  } else {
    throw new FormatError(
      `'${source}': entry '${name}' uses compression method ${entry.method}. Expected ${expected} (stored or deflate entries), received method ${entry.method}. Hint: re-save the archive with standard zip compression.`,
    );
  }
  if (data.length !== entry.size || crc32(data) !== entry.crc) {
    throw damaged(source, expected, `entry '${name}' fails its CRC-32 check (the bytes changed after it was written)`);
  }
  return data;
}

/** All entries of a zip, each checked as readZipEntry does. */
export function readZip(
  bytes: Uint8Array,
  source: string,
  expected: string,
  maxEntryBytes = MAX_ZIP_ENTRY_BYTES,
): Record<string, Uint8Array> {
  const archive = openZip(bytes, source, expected);
  const out: Record<string, Uint8Array> = {};
  for (const name of archive.entries.keys()) out[name] = readZipEntry(archive, name, expected, maxEntryBytes);
  return out;
}

/** An entry as UTF-8 text; bytes that are not UTF-8 are a FormatError rather than replacement characters. */
export function zipText(bytes: Uint8Array, source = 'zip entry'): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FormatError(
      `'${source}' is not UTF-8 text. Expected JSON text, received ${bytes.length} bytes that do not decode. Hint: the file is damaged.`,
    );
  }
}
