// utils.getFile, Keras's keras.utils.get_file: downloads a URL into convkit's cache folder ($CONVKIT_HOME or
// ~/.convkit, sub-folder 'datasets' by default) unless it is already there, verifies its SHA-256 or MD5 hash, and
// optionally extracts a zip / tar / tar.gz archive. Downloads go to a temp file renamed only once complete and
// verified, so the cache never holds half a file. No progress bar, no retries, no bzip2/xz archives.

import { createHash, type Hash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, resolve } from 'node:path';
import { ConfigError, IOError, invalid, ValueError } from '../errors.js';
import { atomicWrite } from '../io/atomic-write.js';
import { type ArchiveFormat, extractArchive } from '../io/extract-archive.js';
import { checkWritable, errnoReason, isErrnoError } from '../io/file-checks.js';
import { withPositional } from '../options.js';
import { writeOut } from '../output.js';

export interface GetFileOptions {
  /** Local file name; by default the last part of the URL's path. Must not contain a folder. */
  fname?: string | null;
  /** The URL to download (http or https). */
  origin?: string;
  /** Expected hex digest of the downloaded file (SHA-256, 64 digits, or MD5, 32). */
  fileHash?: string | null;
  /** 'auto' (by the hash's length, as Keras), 'sha256' or 'md5'. */
  hashAlgorithm?: 'auto' | 'sha256' | 'md5';
  /** Sub-folder of the cache folder ('datasets'); an absolute path is used as is. */
  cacheSubdir?: string;
  /** The cache folder; default $CONVKIT_HOME, else ~/.convkit. */
  cacheDir?: string | null;
  /** Extract the archive and return the folder it was extracted into. */
  extract?: boolean;
  /** 'auto' (tar then zip), 'tar' (.tar, .tar.gz), 'zip', or a list of these. */
  archiveFormat?: 'auto' | ArchiveFormat | readonly ArchiveFormat[] | null;
  /** Download even when the file is in the cache. */
  forceDownload?: boolean;
}

const KEYS = [
  'fname',
  'origin',
  'fileHash',
  'hashAlgorithm',
  'cacheSubdir',
  'cacheDir',
  'extract',
  'archiveFormat',
  'forceDownload',
];

const OFFLINE_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** The cache folder: $CONVKIT_HOME, else ~/.convkit (Keras: $KERAS_HOME, else ~/.keras). */
export function convkitHome(): string {
  const fromEnv = process.env.CONVKIT_HOME;
  return fromEnv ? resolve(fromEnv.replace(/^~(?=$|\/)/, homedir())) : resolve(homedir(), '.convkit');
}

function resolveAlgorithm(algorithm: string, fileHash: string): 'sha256' | 'md5' {
  if (!/^[0-9a-fA-F]+$/.test(fileHash)) {
    throw new ConfigError(invalid('getFile', 'fileHash', 'a hex digest (64 digits for SHA-256, 32 for MD5)', fileHash));
  }
  const wanted = algorithm === 'auto' ? (fileHash.length === 64 ? 'sha256' : 'md5') : algorithm;
  const digits = wanted === 'sha256' ? 64 : 32;
  if (fileHash.length !== digits) {
    throw new ConfigError(
      invalid(
        'getFile',
        'fileHash',
        `a ${wanted === 'sha256' ? 'SHA-256' : 'MD5'} hex digest of ${digits} digits`,
        fileHash,
        `Hint: it has ${fileHash.length} digits; check hashAlgorithm ('${algorithm}') and the digest (sha256sum / md5sum print it).`,
      ),
    );
  }
  return wanted as 'sha256' | 'md5';
}

/** Hex digest of a file, read as a stream. */
export async function hashFile(path: string, algorithm: 'sha256' | 'md5'): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Uint8Array);
  return hash.digest('hex');
}

function checkedOptions(args: unknown[]) {
  const o = withPositional<GetFileOptions>('getFile', args, ['fname', 'origin'], KEYS);
  if (typeof o.origin !== 'string' || o.origin === '') {
    throw new ConfigError(
      invalid('getFile', 'origin', 'the URL of the file to download', o.origin, "Hint: getFile('name.zip', 'https://...')."),
    );
  }
  let url: URL;
  try {
    url = new URL(o.origin);
  } catch {
    throw new ConfigError(invalid('getFile', 'origin', 'an absolute http:// or https:// URL', o.origin));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(invalid('getFile', 'origin', 'an http:// or https:// URL', o.origin));
  }
  const fname = o.fname ?? decodeURIComponent(basename(url.pathname));
  if (typeof fname !== 'string' || fname === '' || fname === '.' || fname === '..' || /[/\\]/.test(fname)) {
    const why =
      o.fname == null
        ? `Hint: the URL's path has no file name; pass fname.`
        : 'Hint: give a folder through cacheDir / cacheSubdir, not in fname.';
    throw new ConfigError(invalid('getFile', 'fname', 'a file name without folders', o.fname ?? fname, why));
  }
  for (const key of ['extract', 'forceDownload'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'boolean')
      throw new ConfigError(invalid('getFile', key, 'true or false', o[key]));
  }
  for (const key of ['cacheSubdir', 'cacheDir'] as const) {
    if (o[key] != null && (typeof o[key] !== 'string' || o[key] === ''))
      throw new ConfigError(invalid('getFile', key, 'a folder path', o[key]));
  }
  const algorithm = o.hashAlgorithm ?? 'auto';
  if (!['auto', 'sha256', 'md5'].includes(algorithm)) {
    throw new ConfigError(invalid('getFile', 'hashAlgorithm', "'auto', 'sha256' or 'md5'", algorithm));
  }
  if (o.fileHash != null && typeof o.fileHash !== 'string')
    throw new ConfigError(invalid('getFile', 'fileHash', 'a hex digest string', o.fileHash));
  const hash = o.fileHash ? { digest: o.fileHash.toLowerCase(), algorithm: resolveAlgorithm(algorithm, o.fileHash) } : null;
  const format = o.archiveFormat === undefined ? 'auto' : o.archiveFormat;
  const formatList = format === null ? [] : format === 'auto' ? ['tar', 'zip'] : typeof format === 'string' ? [format] : format;
  if (!Array.isArray(formatList) || formatList.some((f) => f !== 'tar' && f !== 'zip')) {
    throw new ConfigError(invalid('getFile', 'archiveFormat', "'auto', 'tar', 'zip', a list of these, or null", format));
  }
  return { o, url: o.origin, fname, hash, formats: formatList as ArchiveFormat[] };
}

/** Where Keras 3 puts the download and the extracted folder, from the name given (or taken from the URL). */
function targets(folder: string, fname: string, given: boolean, extract: boolean): { file: string; folder: string | null } {
  if (!extract) return { file: resolve(folder, fname), folder: null };
  if (given && fname.includes('.')) {
    return { file: resolve(folder, fname), folder: resolve(folder, `${fname.slice(0, fname.indexOf('.'))}_extracted`) };
  }
  return { file: resolve(folder, `${fname}_archive`), folder: resolve(folder, fname) };
}

function offlineHint(target: string): string {
  return `Hint: you may be offline or behind a proxy. Download the file another way and place it at '${target}': getFile uses a file already in the cache without downloading (checking its hash when fileHash is given).`;
}

async function download(
  url: string,
  target: string,
  hash: { digest: string; algorithm: 'sha256' | 'md5' } | null,
): Promise<void> {
  writeOut(`Downloading data from ${url}\n`);
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow' });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? '';
    const reason = OFFLINE_CODES.has(code)
      ? `the server could not be reached (${code})`
      : `${cause?.message ?? String(error)}${code ? ` (${code})` : ''}`;
    throw new IOError(`getFile: cannot download '${url}': ${reason}. ${offlineHint(target)}`);
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new IOError(
      `getFile: cannot download '${url}': the server answered HTTP ${response.status} ${response.statusText}. Expected HTTP 200 with the file. Hint: check the URL; or place the file at '${target}' by hand.`,
    );
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  await atomicWrite(target, async (temp) => {
    const hasher: Hash | null = hash ? createHash(hash.algorithm) : null;
    let received = 0;
    const file = await open(temp, 'w');
    try {
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      for (let part = await reader.read(); !part.done; part = await reader.read()) {
        hasher?.update(part.value);
        received += part.value.length;
        await file.write(part.value);
      }
    } catch (error) {
      if (isErrnoError(error))
        throw new IOError(
          `getFile: cannot write the download to '${target}': ${errnoReason(error)}. Hint: free some space or set cacheDir / $CONVKIT_HOME to another folder.`,
        );
      throw new IOError(
        `getFile: the download of '${url}' broke off after ${received} bytes (${error instanceof Error ? error.message : String(error)}). ${offlineHint(target)}`,
      );
    } finally {
      await file.close();
    }
    if (Number.isFinite(declared) && received !== declared) {
      throw new IOError(
        `getFile: the download of '${url}' is incomplete. Expected ${declared} bytes, received ${received}. Hint: try again; nothing was kept.`,
      );
    }
    const digest = hasher?.digest('hex');
    if (hash && digest !== hash.digest) {
      throw new ValueError(
        `getFile: the file downloaded from '${url}' fails its ${hash.algorithm} check. Expected ${hash.digest}, received ${digest}. Hint: the file is corrupted or was changed on the server (or fileHash is wrong); nothing was kept.`,
      );
    }
  });
}

/**
 * Downloads a file into the cache unless it is already there, checks its hash, and (extract: true) unpacks a
 * zip / tar / tar.gz archive. Returns the file's path, or the extracted folder's path. Keras's positional form
 * (fname, origin) and its options object both work; so does `getFile({ origin, ... })`.
 * @example const folder = await utils.getFile('flower_photos.tgz', 'https://.../flower_photos.tgz', { extract: true, fileHash: '...' });
 */
export async function getFile(fname: string | null | undefined, origin: string, options?: GetFileOptions): Promise<string>;
export async function getFile(options: GetFileOptions & { origin: string }): Promise<string>;
export async function getFile(...args: unknown[]): Promise<string> {
  const { o, url, fname, hash, formats } = checkedOptions(args);
  const base = o.cacheDir ? resolve(o.cacheDir.replace(/^~(?=$|\/)/, homedir())) : convkitHome();
  const folder = resolve(base, o.cacheSubdir ?? 'datasets');
  const target = targets(folder, fname, o.fname != null, o.extract === true);
  checkWritable(target.file, 'getFile (cache folder)');
  let fetched = false;
  if (o.forceDownload || !existsSync(target.file)) {
    await download(url, target.file, hash);
    fetched = true;
  } else if (!statSync(target.file).isFile()) {
    throw new IOError(
      `getFile: '${target.file}' is in the way: expected the cached file, received a folder or special file. Hint: remove it, or choose another fname.`,
    );
  } else if (hash && (await hashFile(target.file, hash.algorithm)) !== hash.digest) {
    writeOut(
      `A local file was found at '${target.file}', but its ${hash.algorithm} hash does not match ${hash.digest}; downloading it again.\n`,
    );
    await download(url, target.file, hash);
    fetched = true;
  }
  if (!target.folder) return target.file;
  // A folder extracted by an earlier call is reused, unless the archive has just been (re)downloaded.
  if (fetched || !existsSync(target.folder)) await extractArchive(target.file, target.folder, formats, 'getFile');
  return target.folder;
}
