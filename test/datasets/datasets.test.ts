// Datasets: the embedded MNIST, the real Fashion-MNIST from ../shared/data (skipped when absent), IDX errors on
// truncated / bad-magic files, download fallback errors offline, and the preprocessing helpers.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { datasets, IDX_LABELS_MAGIC, normalize, parseIdx, readIdx, toCategorical } from '../../src/datasets/index.js';
import { FormatError, NotFoundError, ValueError } from '../../src/errors.js';
import { missingFile, need, skipUnless } from '../helpers/requirements.js';

const FASHION = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'fashion-mnist');

function classCounts(labels: Uint8Array): number[] {
  const counts = new Array(10).fill(0);
  for (const l of labels) counts[l]++;
  return counts;
}

function idxHeader(magic: number, dims: number[]): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  view.setUint32(0, magic);
  for (const [i, d] of dims.entries()) view.setUint32(4 + 4 * i, d);
  return header;
}

describe('datasets', () => {
  test('mnist embedded: 60000/10000, shapes, labels 0-9', async () => {
    const [[xTrain, yTrain], [xTest, yTest]] = await datasets.mnist.loadData();
    assert.deepEqual(xTrain.shape, [60000, 28, 28]);
    assert.deepEqual(yTrain.shape, [60000]);
    assert.deepEqual(xTest.shape, [10000, 28, 28]);
    assert.deepEqual(yTest.shape, [10000]);
    assert.equal(xTrain.data.length, 60000 * 784);
    assert.equal(
      classCounts(yTrain.data).reduce((a, b) => a + b, 0),
      60000,
    );
    // Known MNIST facts: first train label is 5, first test label is 7.
    assert.equal(yTrain.data[0], 5);
    assert.equal(yTest.data[0], 7);
    assert.equal(classCounts(yTest.data)[1], 1135);
  });

  test('fashion-mnist real files by path: counts and 6000 per class', {
    skip: skipUnless(missingFile(FASHION)),
  }, async () => {
    need(missingFile(FASHION));
    const [[xTrain, yTrain], [xTest, yTest]] = await datasets.fashionMnist.loadData({ path: FASHION });
    assert.deepEqual(xTrain.shape, [60000, 28, 28]);
    assert.deepEqual(xTest.shape, [10000, 28, 28]);
    assert.deepEqual(classCounts(yTrain.data), new Array(10).fill(6000));
    assert.deepEqual(classCounts(yTest.data), new Array(10).fill(1000));
  });

  test('fashion-mnist from a cache dir, and offline error names folder, URL and how to fix', {
    skip: skipUnless(missingFile(FASHION)),
  }, async () => {
    need(missingFile(FASHION));
    const dir = mkdtempSync(join(tmpdir(), 'convkit-fm-'));
    try {
      const failingFetch = (async () => {
        throw new Error('getaddrinfo ENOTFOUND');
      }) as unknown as typeof fetch;
      await assert.rejects(datasets.fashionMnist.loadData({ cacheDir: dir, fetch: failingFetch }), (error: Error) => {
        assert.ok(error instanceof NotFoundError);
        assert.match(error.message, /train-images-idx3-ubyte\.gz/);
        assert.match(error.message, /fashion-mnist\.s3-website\.eu-central-1\.amazonaws\.com/);
        assert.ok(error.message.includes(join(dir, 'datasets', 'fashion-mnist')));
        assert.match(error.message, /by hand/);
        return true;
      });
      // A fetch served from the real files: downloads land atomically in the cache and load.
      const servingFetch = (async (url: string) => {
        const name = String(url).split('/').pop()!;
        return new Response(readFileSync(join(FASHION, name)));
      }) as unknown as typeof fetch;
      const [[, yTrain]] = await datasets.fashionMnist.loadData({ cacheDir: dir, fetch: servingFetch });
      assert.equal(yTrain.shape[0], 60000);
      assert.ok(existsSync(join(dir, 'datasets', 'fashion-mnist', 't10k-labels-idx1-ubyte.gz')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('idx: truncated plain and gzip files name the file, expected and received bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-idx-'));
    try {
      const full = new Uint8Array([...idxHeader(0x803, [2, 2, 2]), 1, 2, 3, 4, 5, 6, 7, 8]);
      assert.deepEqual(parseIdx(full, 'x').shape, [2, 2, 2]);
      const truncated = join(dir, 'images-idx3-ubyte');
      writeFileSync(truncated, full.subarray(0, full.length - 3));
      assert.throws(
        () => readIdx(truncated),
        (e: Error) => {
          assert.ok(e instanceof FormatError);
          assert.ok(e.message.includes(truncated));
          assert.match(e.message, /truncated\. Expected 24 bytes for shape \[2, 2, 2\], received 21/);
          return true;
        },
      );
      const gz = join(dir, 'labels.gz');
      writeFileSync(gz, gzipSync(new Uint8Array([...idxHeader(0x801, [5]), 1, 2])));
      assert.throws(() => readIdx(gz), /Expected 13 bytes for shape \[5\], received 10/);
      const cutGzip = join(dir, 'cut.gz');
      const zipped = gzipSync(full);
      writeFileSync(cutGzip, zipped.subarray(0, zipped.length - 10));
      assert.throws(() => readIdx(cutGzip), FormatError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('idx: bad magic, wrong kind, missing file', async () => {
    assert.throws(
      () => parseIdx(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0, 0]), 'foo.bin'),
      (e: Error) => {
        assert.ok(e instanceof FormatError);
        assert.match(e.message, /'foo\.bin' has a bad magic number.*received 0x504b0304/);
        return true;
      },
    );
    const images = new Uint8Array([...idxHeader(0x803, [1, 1, 1]), 9]);
    assert.throws(() => parseIdx(images, 'labels', IDX_LABELS_MAGIC), /Expected 0x00000801 \(labels\), received 0x00000803/);
    assert.throws(() => readIdx('/nonexistent/t10k-labels-idx1-ubyte'), NotFoundError);
    await assert.rejects(datasets.mnist.loadData({ path: '/nonexistent' }), NotFoundError);
  });

  test('toCategorical and normalize', () => {
    const oneHot = toCategorical([0, 2, 1], 3);
    assert.deepEqual(oneHot.shape, [3, 3]);
    assert.deepEqual([...oneHot.data], [1, 0, 0, 0, 0, 1, 0, 1, 0]);
    assert.ok(oneHot.data instanceof Float32Array);
    assert.deepEqual(toCategorical({ data: new Uint8Array([3, 0]), shape: [2] }).shape, [2, 4]);
    assert.throws(() => toCategorical([0, 5], 3), ValueError);
    const x = normalize({ data: new Uint8Array([0, 255, 51, 102]), shape: [1, 2, 2] });
    assert.deepEqual(x.shape, [1, 2, 2, 1]);
    assert.deepEqual([...x.data], [0, 1, Math.fround(0.2), Math.fround(0.4)]);
  });
});
