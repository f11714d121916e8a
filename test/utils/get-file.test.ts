// utils.getFile against a loopback HTTP server this test starts, with archives written by Python's tarfile and
// zipfile (make_archives.py, the independent writer, which also lists what each archive holds): download into the
// cache and reuse, SHA-256 / MD5 checks (a mismatch leaves nothing behind), Keras 3's file and folder names,
// extraction of tar.gz / tar / zip compared entry by entry, refusal of unsafe archives (path traversal, absolute
// paths, links leading out, FIFOs) with nothing written, offline and HTTP errors with their hints, bad options.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, FormatError, IOError, ValueError } from '../../src/errors.js';
import { utils } from '../../src/node.js';
import { getFile } from '../../src/utils/get-file.js';
import { missingFile, need, PYTHON, skipUnless } from '../helpers/requirements.js';

const missing = missingFile(PYTHON);
const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const md5 = (bytes: Uint8Array | string) => createHash('md5').update(bytes).digest('hex');

let work: string;
let archives: string;
let listing: { tar: Record<string, string | { link: string }>; zip: Record<string, string> };
let server: Server;
let base: string;
const requests: string[] = [];
const served: Record<string, Uint8Array> = { '/hello.txt': new TextEncoder().encode('hello, cache\n') };

before(() => {
  if (missing) return;
  work = mkdtempSync(join(tmpdir(), 'convkit-getfile-'));
  archives = join(work, 'archives');
  mkdirSync(archives);
  const script = fileURLToPath(new URL('make_archives.py', import.meta.url));
  listing = JSON.parse(execFileSync(PYTHON, [script, archives], { encoding: 'utf8' }));
  for (const name of readdirSync(archives)) served[`/${name}`] = readFileSync(join(archives, name));
  server = createServer((request, response) => {
    const url = request.url ?? '';
    requests.push(url);
    if (url === '/moved') {
      response.writeHead(302, { location: '/hello.txt' }).end();
    } else if (url === '/cut-short') {
      // Declares 1000 bytes, sends 10, then drops the connection.
      response.writeHead(200, { 'content-length': '1000' });
      response.write('0123456789', () => response.destroy());
    } else if (served[url]) {
      response.writeHead(200, { 'content-length': String(served[url]!.length) }).end(served[url]);
    } else {
      response.writeHead(404, 'Not Found').end('no such file');
    }
  });
  return new Promise<void>((done) =>
    server.listen(0, '127.0.0.1', () => {
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      done();
    }),
  );
});

after(() => {
  server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

let cache: string;
beforeEach(() => {
  if (missing) return;
  cache = mkdtempSync(join(work, 'cache-'));
  requests.length = 0;
});

/** Every file and link under `folder` as {relative path: text | {link}} (folders themselves omitted). */
function tree(folder: string): Record<string, string | { link: string }> {
  const out: Record<string, string | { link: string }> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stats = lstatSync(path);
      if (stats.isSymbolicLink()) out[relative(folder, path)] = { link: readlinkSync(path) };
      else if (stats.isDirectory()) walk(path);
      else out[relative(folder, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(folder);
  return out;
}

describe('utils.getFile', { skip: skipUnless(missing) }, () => {
  test('is exported as utils.getFile from convkit/node', () => {
    assert.equal(utils.getFile, getFile);
  });

  test('downloads into cacheDir/datasets, checks SHA-256, then reuses the cached file without a request', async () => {
    need(missing);
    const bytes = served['/hello.txt']!;
    const path = await getFile('hello.txt', `${base}/hello.txt`, { cacheDir: cache, fileHash: sha256(bytes) });
    assert.equal(path, join(cache, 'datasets', 'hello.txt'));
    assert.deepEqual(readFileSync(path), Buffer.from(bytes));
    assert.deepEqual(requests, ['/hello.txt']);
    assert.equal(await getFile('hello.txt', `${base}/hello.txt`, { cacheDir: cache, fileHash: sha256(bytes) }), path);
    assert.deepEqual(requests, ['/hello.txt'], 'second call served from the cache');
    await getFile({ origin: `${base}/hello.txt`, cacheDir: cache, forceDownload: true });
    assert.equal(requests.length, 2, 'forceDownload downloads again');
    assert.deepEqual(readdirSync(join(cache, 'datasets')), ['hello.txt'], 'no temp file left');
  });

  test('MD5 by length (auto) and by name; the name comes from the URL when fname is absent; redirects are followed', async () => {
    need(missing);
    const bytes = served['/hello.txt']!;
    const auto = await getFile(null, `${base}/hello.txt`, { cacheDir: cache, fileHash: md5(bytes), cacheSubdir: 'm' });
    assert.equal(auto, join(cache, 'm', 'hello.txt'));
    const named = await getFile('x.txt', `${base}/moved`, { cacheDir: cache, fileHash: md5(bytes), hashAlgorithm: 'md5' });
    assert.deepEqual(readFileSync(named), Buffer.from(bytes));
  });

  test('a hash mismatch after download is a ValueError and leaves nothing in the cache', async () => {
    need(missing);
    const wrong = sha256('something else');
    await assert.rejects(
      getFile('hello.txt', `${base}/hello.txt`, { cacheDir: cache, fileHash: wrong }),
      (error: Error) =>
        error instanceof ValueError && error.message.includes(wrong) && error.message.includes(sha256(served['/hello.txt']!)),
    );
    assert.deepEqual(readdirSync(join(cache, 'datasets')), []);
  });

  test('a cached file whose hash does not match is downloaded again', async () => {
    need(missing);
    mkdirSync(join(cache, 'datasets'));
    writeFileSync(join(cache, 'datasets', 'hello.txt'), 'stale, half-written');
    const path = await getFile('hello.txt', `${base}/hello.txt`, { cacheDir: cache, fileHash: sha256(served['/hello.txt']!) });
    assert.deepEqual(readFileSync(path), Buffer.from(served['/hello.txt']!));
    assert.equal(requests.length, 1);
  });

  for (const [file, fname, folder] of [
    ['photos.tar.gz', 'photos.tar.gz', 'photos_extracted'],
    ['photos.tar', 'photos.tar', 'photos_extracted'],
  ] as const) {
    test(`extract ${file}: Keras 3 names, every entry as Python's tarfile wrote it, reused on the next call`, async () => {
      need(missing);
      const hash = sha256(served[`/${file}`]!);
      const path = await getFile(fname, `${base}/${file}`, { cacheDir: cache, extract: true, fileHash: hash });
      assert.equal(path, join(cache, 'datasets', folder));
      assert.ok(existsSync(join(cache, 'datasets', fname)), 'the archive stays in the cache');
      assert.deepEqual(tree(path), listing.tar);
      assert.equal(readFileSync(join(path, 'photos', 'latest.txt'), 'utf8'), 'cat a', 'the symlink resolves inside');
      assert.ok(statSync(join(path, 'photos', 'run.sh')).mode & 0o100, 'executable bit kept');
      writeFileSync(join(path, 'marker'), 'left by the user');
      assert.equal(await getFile(fname, `${base}/${file}`, { cacheDir: cache, extract: true, fileHash: hash }), path);
      assert.ok(existsSync(join(path, 'marker')), 'an extracted folder is reused, not extracted again');
      assert.equal(requests.length, 1);
    });
  }

  test('extract a zip (stored and deflated entries); fname without a dot names the folder', async () => {
    need(missing);
    const path = await getFile('pack', `${base}/photos.zip`, { cacheDir: cache, extract: true, archiveFormat: 'zip' });
    assert.equal(path, join(cache, 'datasets', 'pack'));
    assert.ok(existsSync(join(cache, 'datasets', 'pack_archive')));
    assert.deepEqual(tree(path), listing.zip);
    writeFileSync(join(path, 'marker'), 'left by the user');
    await getFile('pack', `${base}/photos.zip`, { cacheDir: cache, extract: true, forceDownload: true });
    assert.deepEqual(tree(path), listing.zip, 'a new download replaces the extracted folder');
    assert.deepEqual(readdirSync(join(cache, 'datasets')).sort(), ['pack', 'pack_archive'], 'no temp or old folder left');
  });

  test('archiveFormat limits what is extracted; bzip2 is refused with a hint; a non-archive is named', async () => {
    need(missing);
    await assert.rejects(
      getFile('p.zip', `${base}/photos.zip`, { cacheDir: cache, extract: true, archiveFormat: 'tar' }),
      (error: Error) => error instanceof FormatError && /received a zip archive/.test(error.message),
    );
    await assert.rejects(
      getFile('p.tar.bz2', `${base}/photos.tar.bz2`, { cacheDir: cache, extract: true }),
      (error: Error) => error instanceof FormatError && /bzip2/.test(error.message) && /tar xf/.test(error.message),
    );
    await assert.rejects(
      getFile('h.txt', `${base}/hello.txt`, { cacheDir: cache, extract: true }),
      (error: Error) => error instanceof FormatError && /no archive/.test(error.message),
    );
    assert.ok(!existsSync(join(cache, 'datasets', 'p_extracted')) && !existsSync(join(cache, 'datasets', 'h_extracted')));
  });

  test('a truncated tar.gz is a FormatError and no folder appears', async () => {
    need(missing);
    await assert.rejects(
      getFile('cut.tar.gz', `${base}/cut.tar.gz`, { cacheDir: cache, extract: true }),
      (error: Error) => error instanceof FormatError && /truncated/.test(error.message),
    );
    assert.deepEqual(readdirSync(join(cache, 'datasets')), ['cut.tar.gz']);
  });

  for (const [file, entry] of [
    ['dotdot.tar.gz', '../evil.txt'],
    ['absolute.tar.gz', 'evil.txt'],
    ['link-out.tar.gz', "'out'"],
    ['link-abs.tar.gz', "'out'"],
    ['link-chain.tar.gz', "'up'"],
    ['fifo.tar.gz', "'pipe'"],
    ['dotdot.zip', '../evil.txt'],
  ] as const) {
    test(`refuses ${file} (entry ${entry}) and writes nothing, inside or outside`, async () => {
      need(missing);
      await assert.rejects(
        getFile(file, `${base}/${file}`, { cacheDir: cache, extract: true }),
        (error: Error) =>
          error instanceof FormatError && error.message.includes(entry) && /nothing was extracted/.test(error.message),
      );
      assert.deepEqual(readdirSync(join(cache, 'datasets')), [file], 'only the download itself, no folder or temp');
      assert.ok(!existsSync(join(cache, 'evil.txt')) && !existsSync(join(archives, 'evil.txt')));
    });
  }

  test('offline: the URL, the reason and where to put the file by hand; a file placed there is then used', async () => {
    need(missing);
    const closed = createServer();
    const port = await new Promise<number>((done) =>
      closed.listen(0, '127.0.0.1', () => done((closed.address() as AddressInfo).port)),
    );
    await new Promise((done) => closed.close(done));
    const url = `http://127.0.0.1:${port}/weights.h5`;
    const target = join(cache, 'models', 'weights.h5');
    await assert.rejects(
      getFile('weights.h5', url, { cacheDir: cache, cacheSubdir: 'models' }),
      (error: Error) =>
        error instanceof IOError &&
        error.message.includes(url) &&
        /ECONNREFUSED/.test(error.message) &&
        error.message.includes(target),
    );
    assert.ok(!existsSync(target));
    mkdirSync(join(cache, 'models'));
    writeFileSync(target, 'placed by hand');
    assert.equal(
      await getFile('weights.h5', url, { cacheDir: cache, cacheSubdir: 'models', fileHash: sha256('placed by hand') }),
      target,
    );
  });

  test('HTTP 404 and a connection dropped mid-body are IOErrors that leave nothing behind', async () => {
    need(missing);
    await assert.rejects(
      getFile('nope.bin', `${base}/nope.bin`, { cacheDir: cache }),
      (error: Error) => error instanceof IOError && /HTTP 404/.test(error.message),
    );
    await assert.rejects(
      getFile('cut.bin', `${base}/cut-short`, { cacheDir: cache }),
      (error: Error) => error instanceof IOError && /cut-short/.test(error.message),
    );
    assert.deepEqual(readdirSync(join(cache, 'datasets')), []);
  });

  test('$CONVKIT_HOME is the default cache folder', async () => {
    need(missing);
    const saved = process.env.CONVKIT_HOME;
    process.env.CONVKIT_HOME = join(cache, 'home');
    try {
      assert.equal(await getFile('hello.txt', `${base}/hello.txt`), join(cache, 'home', 'datasets', 'hello.txt'));
    } finally {
      if (saved === undefined) delete process.env.CONVKIT_HOME;
      else process.env.CONVKIT_HOME = saved;
    }
  });

  test('bad options: unknown key, hash of the wrong length or not hex, fname with a folder, non-http origin', async () => {
    need(missing);
    const url = `${base}/hello.txt`;
    const rejects = (promise: Promise<unknown>, pattern: RegExp) =>
      assert.rejects(promise, (error: Error) => error instanceof ConfigError && pattern.test(error.message));
    await rejects(getFile('a', url, { force: true } as never), /unknown option 'force'.*forceDownload/);
    await rejects(getFile('a', url, { fileHash: 'abc123' }), /fileHash.*32 digits/);
    await rejects(getFile('a', url, { fileHash: sha256('x'), hashAlgorithm: 'md5' }), /MD5.*64 digits/);
    await rejects(getFile('a', url, { fileHash: 'z'.repeat(64) }), /hex digest/);
    await rejects(getFile('sub/a.txt', url), /fname.*without folders/);
    await rejects(getFile('a', 'ftp://example.com/a'), /origin.*http/);
    await rejects(getFile('a', url, { archiveFormat: 'rar' as never }), /archiveFormat/);
    assert.equal(requests.length, 0, 'nothing was downloaded');
  });
});
