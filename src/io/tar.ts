// A streaming tar reader (POSIX ustar, pax extended headers, GNU long names): bytes are pushed in any chunk sizes,
// each entry's header goes to a callback that returns where its data should go. Every header's checksum is
// verified and a stream cut short is an error. It only parses: where entries may be written, and whether a link or
// a path is safe, is decided by the caller (src/io/extract-archive.ts). Sparse files and tar variants older than
// ustar's checksum rules are not supported.

import { FormatError } from '../errors.js';

const BLOCK = 512;

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'special';

/** One entry's header, after pax / GNU long-name records are applied. */
export interface TarEntry {
  name: string;
  type: TarEntryType;
  /** Bytes of data that follow (0 for folders and links). */
  size: number;
  /** Permission bits (e.g. 0o755). */
  mode: number;
  /** Target of a symbolic or hard link, else ''. */
  linkName: string;
}

/** Where an entry's data goes: each chunk in order, then `close` once all of it has arrived. */
export interface TarSink {
  write(data: Uint8Array): void;
  close(): void;
}

const decoder = new TextDecoder();

function cString(block: Uint8Array, at: number, length: number): string {
  const field = block.subarray(at, at + length);
  const end = field.indexOf(0);
  return decoder.decode(end < 0 ? field : field.subarray(0, end));
}

/** An octal field, or a base-256 one (high bit set, GNU's form for sizes of 8 GiB and more). */
function numberField(block: Uint8Array, at: number, length: number): number {
  if (block[at]! & 0x80) {
    let value = block[at]! & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + block[at + i]!;
    return value;
  }
  const text = cString(block, at, length).trim();
  return text === '' ? 0 : /^[0-7]+$/.test(text) ? Number.parseInt(text, 8) : Number.NaN;
}

function checksumMatches(block: Uint8Array): boolean {
  const stored = numberField(block, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

/** Pax records: "<length> <key>=<value>\n" repeated. */
function parsePax(bytes: Uint8Array, source: string): Record<string, string> {
  const records: Record<string, string> = {};
  let at = 0;
  while (at < bytes.length) {
    const space = bytes.indexOf(0x20, at);
    const length = space < 0 ? Number.NaN : Number(decoder.decode(bytes.subarray(at, space)));
    if (!(Number.isInteger(length) && length > 0 && at + length <= bytes.length)) {
      throw new FormatError(
        `'${source}' is a damaged tar archive. Expected pax records '<length> <key>=<value>', received a malformed record at byte ${at} of a pax header. Hint: the archive may be truncated or corrupted; download it again.`,
      );
    }
    const record = decoder.decode(bytes.subarray(space + 1, at + length - 1));
    const equals = record.indexOf('=');
    if (equals > 0) records[record.slice(0, equals)] = record.slice(equals + 1);
    at += length;
  }
  return records;
}

const TYPES: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '5': 'directory',
  '2': 'symlink',
  '1': 'hardlink',
};

/**
 * Push-driven tar parser. `onEntry` is called for every entry; it returns a sink for the entry's data, or null to
 * skip the data. Call `end()` after the last chunk: it throws if the archive stopped inside an entry.
 * @example const reader = new TarReader('data.tar', (e) => sinkFor(e)); for (const c of chunks) reader.push(c); reader.end();
 */
export class TarReader {
  private header = new Uint8Array(BLOCK);
  private headerFill = 0;
  private dataLeft = 0;
  private paddingLeft = 0;
  private sink: TarSink | null = null;
  /** Set while the data being read is a pax or GNU long-name record rather than an entry's contents. */
  private meta: { kind: 'pax' | 'globalPax' | 'longName' | 'longLink'; chunks: Uint8Array[] } | null = null;
  private pax: Record<string, string> = {};
  private longName: string | null = null;
  private longLink: string | null = null;
  private finished = false;
  private entryCount = 0;
  private bytesSeen = 0;

  constructor(
    private readonly source: string,
    private readonly onEntry: (entry: TarEntry) => TarSink | null,
  ) {}

  /** Number of entries seen so far (pax and long-name records excluded). */
  get entries(): number {
    return this.entryCount;
  }

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length && !this.finished) {
      if (this.dataLeft > 0) {
        const n = Math.min(this.dataLeft, chunk.length - at);
        this.deliver(chunk.subarray(at, at + n));
        at += n;
        this.dataLeft -= n;
        if (this.dataLeft === 0) this.finishData();
      } else if (this.paddingLeft > 0) {
        const n = Math.min(this.paddingLeft, chunk.length - at);
        at += n;
        this.paddingLeft -= n;
      } else {
        const n = Math.min(BLOCK - this.headerFill, chunk.length - at);
        this.header.set(chunk.subarray(at, at + n), this.headerFill);
        this.headerFill += n;
        at += n;
        if (this.headerFill === BLOCK) {
          this.headerFill = 0;
          this.readHeader(this.header);
        }
      }
    }
    this.bytesSeen += chunk.length;
  }

  /** Checks that the archive ended between entries (an end-of-archive block, or at least a clean boundary). */
  end(): void {
    if (this.finished) return;
    if (this.dataLeft > 0 || this.headerFill > 0 || this.meta || this.entryCount === 0) {
      const what =
        this.entryCount === 0 && this.headerFill === 0 && !this.meta
          ? 'no entries at all'
          : `an end after ${this.bytesSeen} bytes, inside entry ${this.entryCount + (this.dataLeft > 0 ? 0 : 1)}`;
      throw new FormatError(
        `'${this.source}' is a truncated tar archive. Expected complete entries followed by the end-of-archive blocks, received ${what}. Hint: the download may have been cut short; download it again.`,
      );
    }
  }

  private deliver(data: Uint8Array): void {
    if (this.meta) this.meta.chunks.push(data.slice());
    else this.sink?.write(data);
  }

  private finishData(): void {
    if (this.meta) {
      const meta = this.meta;
      this.meta = null;
      const bytes = Buffer.concat(meta.chunks);
      if (meta.kind === 'pax') this.pax = parsePax(bytes, this.source);
      else if (meta.kind === 'longName') this.longName = cString(bytes, 0, bytes.length);
      else if (meta.kind === 'longLink') this.longLink = cString(bytes, 0, bytes.length);
      // Global pax headers carry defaults (mtime, charset) that do not change where or what is extracted.
      return;
    }
    this.sink?.close();
    this.sink = null;
  }

  private readHeader(block: Uint8Array): void {
    if (block.every((byte) => byte === 0)) {
      this.finished = true;
      return;
    }
    if (!checksumMatches(block)) {
      const where = this.entryCount === 0 ? 'its first header' : `the header after entry ${this.entryCount}`;
      throw new FormatError(
        `'${this.source}' is not a tar archive or is damaged. Expected a tar header with a valid checksum, received ${where} with a wrong checksum. Hint: check that the file is a .tar or .tar.gz archive and download it again if it is.`,
      );
    }
    const size = numberField(block, 124, 12);
    if (!(Number.isSafeInteger(size) && size >= 0)) {
      throw new FormatError(
        `'${this.source}' is a damaged tar archive. Expected an entry size in octal, received '${cString(block, 124, 12)}'. Hint: download it again.`,
      );
    }
    const typeFlag = String.fromCharCode(block[156]!);
    const metaKinds: Record<string, 'pax' | 'globalPax' | 'longName' | 'longLink'> = {
      x: 'pax',
      g: 'globalPax',
      L: 'longName',
      K: 'longLink',
    };
    const metaKind = metaKinds[typeFlag];
    if (metaKind) {
      this.meta = { kind: metaKind, chunks: [] };
      this.startData(size);
      return;
    }
    const ustar = cString(block, 257, 6).startsWith('ustar');
    const prefix = ustar ? cString(block, 345, 155) : '';
    const baseName = cString(block, 0, 100);
    const entry: TarEntry = {
      name: this.pax.path ?? this.longName ?? (prefix ? `${prefix}/${baseName}` : baseName),
      type: TYPES[typeFlag] ?? 'special',
      size: this.pax.size !== undefined ? Number(this.pax.size) : size,
      mode: numberField(block, 100, 8) & 0o7777,
      linkName: this.pax.linkpath ?? this.longLink ?? cString(block, 157, 100),
    };
    this.pax = {};
    this.longName = null;
    this.longLink = null;
    this.entryCount++;
    this.sink = this.onEntry(entry);
    this.startData(entry.type === 'file' || entry.type === 'special' ? entry.size : 0);
  }

  private startData(size: number): void {
    this.dataLeft = size;
    this.paddingLeft = (BLOCK - (size % BLOCK)) % BLOCK;
    if (size === 0) this.finishData();
  }
}
