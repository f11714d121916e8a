// Unpacks a zip, .tar or .tar.gz archive into a folder, safely: the folder appears complete or not at all (it is
// filled as a temp folder and renamed), and an entry that would land outside it (an absolute path, a '..'
// component, a link pointing out, a device or FIFO) refuses the whole archive instead of being written. Symbolic
// links are created only after every file, so no file is ever written through one. bzip2 and xz tars are refused
// with a hint (node:zlib has no decoder for them).

import {
  closeSync,
  copyFileSync,
  createReadStream,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  realpathSync,
  symlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join, posix, sep } from 'node:path';
import { createGunzip } from 'node:zlib';
import { FormatError, IOError } from '../errors.js';
import { atomicWriteFolder } from './atomic-write.js';
import { errnoReason, isErrnoError, MAX_INPUT_BYTES, readInputFile } from './file-checks.js';
import { type TarEntry, TarReader, type TarSink } from './tar.js';
import { openZip, readZipEntry } from './zip.js';

export type ArchiveFormat = 'tar' | 'zip';

type Signature = 'gzip' | 'tar' | 'zip' | 'bzip2' | 'xz' | null;

/** What the first bytes of a file say it is. */
export function archiveSignature(head: Uint8Array): Signature {
  const ascii = (at: number, text: string) => [...text].every((c, i) => head[at + i] === c.charCodeAt(0));
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (ascii(0, 'PK\x03\x04') || ascii(0, 'PK\x05\x06')) return 'zip';
  if (ascii(257, 'ustar')) return 'tar';
  if (ascii(0, 'BZh')) return 'bzip2';
  if (head[0] === 0xfd && ascii(1, '7zXZ')) return 'xz';
  return null;
}

function readHead(path: string): Uint8Array {
  const head = new Uint8Array(512);
  const fd = openSync(path, 'r');
  try {
    return head.subarray(0, readSync(fd, head, 0, head.length, 0));
  } finally {
    closeSync(fd);
  }
}

/** Writes entries under `root`, refusing any that would escape it. */
class SafeWriter {
  private readonly symlinks: { name: string; path: string; target: string }[] = [];
  count = 0;

  constructor(
    private readonly root: string,
    private readonly where: string,
    private readonly source: string,
  ) {}

  private refuse(name: string, why: string): FormatError {
    return new FormatError(
      `${this.where}: refused to extract '${this.source}': entry '${name}' ${why}. Expected every entry inside the target folder, received one outside it. Hint: the archive is unsafe or damaged; nothing was extracted.`,
    );
  }

  /** The path of `name` inside root, or null for the root itself. */
  private pathOf(name: string): string | null {
    if (name.includes('\0')) throw this.refuse(name, 'has a NUL character in its name');
    if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw this.refuse(name, 'has an absolute path');
    const parts = name.split(/[/\\]/).filter((part) => part !== '' && part !== '.');
    if (parts.includes('..')) throw this.refuse(name, "has a '..' component (path traversal)");
    return parts.length === 0 ? null : join(this.root, ...parts);
  }

  directory(name: string): void {
    const path = this.pathOf(name);
    if (path) mkdirSync(path, { recursive: true, mode: 0o755 });
  }

  file(name: string, mode: number): TarSink {
    const path = this.pathOf(name);
    if (!path) throw this.refuse(name, 'names the target folder itself as a file');
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(path, 'w', mode & 0o111 ? 0o755 : 0o644);
    this.count++;
    return {
      write: (data) => {
        for (let at = 0; at < data.length; ) at += writeSync(fd, data, at, data.length - at);
      },
      close: () => closeSync(fd),
    };
  }

  hardlink(name: string, target: string): void {
    const path = this.pathOf(name);
    const from = this.pathOf(target);
    if (!path || !from) throw this.refuse(name, `is a hard link to '${target}'`);
    let isFile = false;
    try {
      isFile = lstatSync(from).isFile();
    } catch {
      // reported below
    }
    if (!isFile) throw this.refuse(name, `is a hard link to '${target}', which is not a file extracted before it`);
    mkdirSync(dirname(path), { recursive: true });
    copyFileSync(from, path);
    this.count++;
  }

  /** Checked now against the names; created by finish(), after all files, and checked again on disk. */
  symlink(name: string, target: string): void {
    const path = this.pathOf(name);
    if (!path) throw this.refuse(name, 'replaces the target folder with a link');
    if (target.startsWith('/') || /^[A-Za-z]:/.test(target))
      throw this.refuse(name, `is a link to the absolute path '${target}'`);
    const resolved = posix.normalize(posix.join(posix.dirname(name), target));
    if (resolved === '..' || resolved.startsWith('../')) throw this.refuse(name, `is a link to '${target}', outside the folder`);
    this.symlinks.push({ name, path, target });
  }

  special(entry: TarEntry): void {
    throw this.refuse(entry.name, 'is a device, FIFO or other special file');
  }

  /** Creates the symbolic links, then checks where each really leads (a link through another link can escape). */
  finish(): void {
    for (const { path } of this.symlinks) mkdirSync(dirname(path), { recursive: true });
    for (const { path, target } of this.symlinks) symlinkSync(target, path);
    // realpathSync.native: Node's JS realpath joins a link's target with '..' lexically and misses the escape.
    const root = realpathSync.native(this.root);
    for (const { name, path, target } of this.symlinks) {
      let real: string;
      try {
        real = realpathSync.native(path);
      } catch {
        throw this.refuse(name, `is a link to '${target}', which does not exist in the archive`);
      }
      if (real !== root && !real.startsWith(root + sep))
        throw this.refuse(name, `is a link to '${target}', which leads outside the folder`);
    }
    this.count += this.symlinks.length;
  }
}

async function extractTar(path: string, gzip: boolean, writer: SafeWriter, source: string): Promise<void> {
  const reader = new TarReader(source, (entry) => {
    if (entry.type === 'file') return writer.file(entry.name, entry.mode);
    if (entry.type === 'directory') writer.directory(entry.name);
    else if (entry.type === 'symlink') writer.symlink(entry.name, entry.linkName);
    else if (entry.type === 'hardlink') writer.hardlink(entry.name, entry.linkName);
    else writer.special(entry);
    return null;
  });
  const stream = gzip ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  try {
    for await (const chunk of stream) reader.push(chunk as Uint8Array);
  } catch (error) {
    stream.destroy();
    if (error instanceof FormatError || isErrnoError(error)) throw error;
    throw new FormatError(
      `'${source}' is a damaged gzip stream. Expected a complete .tar.gz archive, received data that fails to decompress (${error instanceof Error ? error.message : String(error)}). Hint: the download may be truncated; download it again.`,
    );
  }
  reader.end();
}

function extractZip(path: string, writer: SafeWriter, source: string, where: string): void {
  const bytes = readInputFile(path, { where, expected: 'a zip archive', maxBytes: MAX_INPUT_BYTES.model });
  const archive = openZip(bytes, source, 'a zip archive');
  for (const entry of archive.entries.values()) {
    const type = entry.unixMode & 0o170000;
    if (entry.name.endsWith('/') || type === 0o040000) writer.directory(entry.name);
    else if (type === 0o120000) {
      writer.symlink(entry.name, new TextDecoder().decode(readZipEntry(archive, entry.name, 'a zip archive')));
    } else {
      const data = readZipEntry(archive, entry.name, 'a zip archive');
      const sink = writer.file(entry.name, entry.unixMode);
      sink.write(data);
      sink.close();
    }
  }
}

/**
 * Extracts `archivePath` into the folder `targetDir` (replacing it if it exists) when the file is one of
 * `formats` ('tar' covers .tar and .tar.gz). Returns the format found and the number of entries written.
 * @example await extractArchive('photos.tgz', 'photos', ['tar', 'zip'], 'getFile') // { format: 'tar', entries: 3670 }
 */
export async function extractArchive(
  archivePath: string,
  targetDir: string,
  formats: readonly ArchiveFormat[],
  where: string,
): Promise<{ format: ArchiveFormat; entries: number }> {
  const signature = readHead(archivePath);
  const kind = archiveSignature(signature);
  if (kind === 'bzip2' || kind === 'xz') {
    throw new FormatError(
      `${where}: cannot extract '${archivePath}'. Expected a zip, .tar or .tar.gz archive, received a ${kind} file. Hint: unpack it by hand (tar xf '${archivePath}' -C '${targetDir}'); a folder already at '${targetDir}' is used as is.`,
    );
  }
  const format: ArchiveFormat | null = kind === 'zip' ? 'zip' : kind === null ? null : 'tar';
  if (format === null || !formats.includes(format)) {
    const head = [...signature.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new FormatError(
      `${where}: cannot extract '${archivePath}'. Expected an archive of format ${formats.map((f) => `'${f}'`).join(' or ') || '(none allowed)'}, received ${format ? `a ${format} archive` : `a file starting with [${head}], which is no archive`}. Hint: ${format ? `allow it with archiveFormat: '${format}' (or 'auto')` : 'call without extract to keep the file as downloaded'}.`,
    );
  }
  let entries = 0;
  await atomicWriteFolder(targetDir, async (temp) => {
    const writer = new SafeWriter(temp, where, archivePath);
    try {
      if (format === 'zip') extractZip(archivePath, writer, archivePath, where);
      else await extractTar(archivePath, kind === 'gzip', writer, archivePath);
      writer.finish();
    } catch (error) {
      if (!isErrnoError(error)) throw error;
      throw new IOError(
        `${where}: cannot extract '${archivePath}' into '${targetDir}': ${errnoReason(error)}. Hint: check the free space and permissions of that folder.`,
      );
    }
    entries = writer.count;
  });
  return { format, entries };
}
