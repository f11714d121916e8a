// `cache(path)` for image-folder datasets, as tf.data's cache(filename): the first complete epoch writes every
// decoded, resized image to a temp file beside `path`, renamed into place only when the epoch ends complete, and
// later epochs (and later runs) read from it instead of decoding. Images are stored as the uint8 pixels the decoder
// gives (the float32 batches are made from them exactly, at a quarter of the bytes), in the order of the sorted
// file list, so any shuffle reuses the same file. The file is keyed by a SHA-256 of the files (path, size, mtime)
// and the decode settings: a different folder, subset or image size rebuilds it (with a warning), never misreads it.
//
// Layout: a 4096-byte header (magic line, JSON), the images (count x rowBytes), one status byte per image
// (1 decoded, 2 skipped), then the skipped files' reasons as JSON.

import { createHash } from 'node:crypto';
import { closeSync, ftruncateSync, mkdirSync, openSync, read, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { IOError } from '../errors.js';
import { holdTempPath, removeStaleTemps } from '../io/atomic-write.js';
import { errnoReason, isErrnoError } from '../io/file-checks.js';
import type { DecodeSettings } from './image-decode.js';

const MAGIC = 'convkit image cache v1\n';
const HEADER_BYTES = 4096;
const readAt = promisify(read);

interface Header {
  key: string;
  count: number;
  rowBytes: number;
  reasonsBytes: number;
}

type Written = { temp: string; release: () => void };

/** One dataset's cache file; see the file comment. Open per epoch (beginEpoch / endEpoch), so no descriptor lingers. */
export class ImageFileCache {
  private key: string | null = null;
  /** File index -> position in the sorted file list (the image's place in the file). */
  private readonly slots: Int32Array;
  private fd: number | null = null;
  private writing: Written | null = null;
  private status = new Uint8Array(0);
  private reasons: Record<number, string> = {};
  /** Reads still running: the descriptor is closed only after them (a reused descriptor number would misread). */
  private pendingReads = 0;
  private closeAfterReads: number | null = null;

  constructor(
    readonly path: string,
    private readonly filePaths: string[],
    private readonly settings: DecodeSettings,
    private readonly rowBytes: number,
  ) {
    const sorted = filePaths.map((p, i) => [p, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    this.slots = new Int32Array(filePaths.length);
    sorted.forEach(([, index], slot) => {
      this.slots[index] = slot;
    });
  }

  /** True while the epoch reads from a complete cache file (false while it is being written). */
  get reading(): boolean {
    return this.fd !== null && this.writing === null;
  }

  private computeKey(): string {
    const { height, width, colorMode, interpolation, cropToAspectRatio, maxPixels } = this.settings;
    const hash = createHash('sha256').update(
      JSON.stringify({ height, width, colorMode, interpolation, cropToAspectRatio, maxPixels }),
    );
    for (const path of [...this.filePaths].sort()) {
      let stamp = 'missing';
      try {
        const stats = statSync(path);
        stamp = `${stats.size}:${stats.mtimeMs}`;
      } catch {
        // A file gone since listing is part of the key; decoding will report it.
      }
      hash.update(`\n${path}\t${stamp}`);
    }
    return hash.digest('hex');
  }

  /** The header of an existing, complete cache file that matches, or why it cannot be used (null: no file). */
  private existing(key: string): { fd: number; header: Header } | { why: string } | null {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return null;
    }
    try {
      const head = Buffer.alloc(HEADER_BYTES);
      readSync(fd, head, 0, HEADER_BYTES, 0);
      const text = head.toString('utf8');
      if (!text.startsWith(MAGIC)) throw new Error('it is not a convkit image cache');
      const header = JSON.parse(text.slice(MAGIC.length).trimEnd()) as Header;
      if (header.key !== key || header.count !== this.filePaths.length || header.rowBytes !== this.rowBytes) {
        throw new Error('it was made for other files or decode settings');
      }
      const size = HEADER_BYTES + header.count * (header.rowBytes + 1) + header.reasonsBytes;
      if (statSync(this.path).size !== size) throw new Error('it is truncated');
      return { fd, header };
    } catch (error) {
      closeSync(fd);
      return { why: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Opens the cache file for reading, or a temp file to write this epoch's images into. */
  beginEpoch(): void {
    this.key ??= this.computeKey();
    const found = this.existing(this.key);
    if (found && 'fd' in found) {
      this.fd = found.fd;
      const { count, rowBytes, reasonsBytes } = found.header;
      this.status = new Uint8Array(count);
      readSync(this.fd, this.status, 0, count, HEADER_BYTES + count * rowBytes);
      const reasons = Buffer.alloc(reasonsBytes);
      readSync(this.fd, reasons, 0, reasonsBytes, HEADER_BYTES + count * (rowBytes + 1));
      this.reasons = JSON.parse(reasons.toString('utf8') || '{}') as Record<number, string>;
      return;
    }
    if (found)
      console.warn(`imageDatasetFromDirectory: not using the cache file '${this.path}': ${found.why}. Writing it again.`);
    mkdirSync(dirname(this.path), { recursive: true });
    removeStaleTemps(dirname(this.path));
    this.writing = holdTempPath(this.path);
    this.fd = openSync(this.writing.temp, 'w');
    ftruncateSync(this.fd, HEADER_BYTES + this.filePaths.length * this.rowBytes);
    this.status = new Uint8Array(this.filePaths.length);
    this.reasons = {};
  }

  /** Pixels of file `index`, or the reason it was skipped when the cache was written. Only while reading. */
  async get(index: number): Promise<{ pixels: Uint8Array } | { reason: string }> {
    const slot = this.slots[index]!;
    if (this.status[slot] !== 1) return { reason: this.reasons[slot] ?? 'skipped when the cache file was written' };
    const pixels = new Uint8Array(this.rowBytes);
    const fd = this.fd!;
    this.pendingReads++;
    try {
      const { bytesRead } = await readAt(fd, pixels, 0, this.rowBytes, HEADER_BYTES + slot * this.rowBytes);
      if (bytesRead !== this.rowBytes) return { reason: `the cache file '${this.path}' is truncated` };
      return { pixels };
    } finally {
      if (--this.pendingReads === 0 && this.closeAfterReads !== null) {
        closeSync(this.closeAfterReads);
        this.closeAfterReads = null;
      }
    }
  }

  /** Records file `index` while writing (pixels, or the reason it was skipped). Ignored after the epoch ended. */
  put(index: number, decoded: { pixels: Uint8Array } | { reason: string }): void {
    if (!this.writing || this.fd === null) return;
    const slot = this.slots[index]!;
    if ('pixels' in decoded) {
      try {
        writeSync(this.fd, decoded.pixels, 0, decoded.pixels.length, HEADER_BYTES + slot * this.rowBytes);
      } catch (error) {
        if (!isErrnoError(error)) throw error;
        throw new IOError(
          `imageDatasetFromDirectory: cannot write the cache file '${this.path}': ${errnoReason(error)}. Hint: free some space, give cache() another path, or call cache() without a path to keep the images in memory.`,
        );
      }
      this.status[slot] = 1;
    } else {
      this.status[slot] = 2;
      this.reasons[slot] = decoded.reason;
    }
  }

  /** Closes the epoch: a complete written epoch becomes the cache file (atomically); an incomplete one is removed. */
  endEpoch(complete: boolean): void {
    const fd = this.fd;
    const writing = this.writing;
    this.fd = null;
    this.writing = null;
    if (fd === null) return;
    if (!writing) {
      if (this.pendingReads > 0) this.closeAfterReads = fd;
      else closeSync(fd);
      return;
    }
    try {
      if (complete && this.status.every((s) => s !== 0)) {
        const count = this.filePaths.length;
        const reasons = Buffer.from(JSON.stringify(this.reasons));
        writeSync(fd, this.status, 0, count, HEADER_BYTES + count * this.rowBytes);
        writeSync(fd, reasons, 0, reasons.length, HEADER_BYTES + count * (this.rowBytes + 1));
        const header: Header = { key: this.key!, count, rowBytes: this.rowBytes, reasonsBytes: reasons.length };
        writeSync(fd, Buffer.from((MAGIC + JSON.stringify(header)).padEnd(HEADER_BYTES, ' ')), 0, HEADER_BYTES, 0);
        closeSync(fd);
        renameSync(writing.temp, this.path);
      } else {
        closeSync(fd);
        rmSync(writing.temp, { force: true });
      }
    } catch (error) {
      rmSync(writing.temp, { force: true });
      throw error;
    } finally {
      writing.release();
    }
  }
}
