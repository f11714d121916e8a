// The largest batch a served model gets by default follows the size of its activations: the MNIST CNN (hand-summed
// below: 152,488 bytes per row) batches up to 32 rows, Teachable Machine's MobileNetV2 0.35 at 224x224 (36 MiB per
// row) up to 4, where the load benchmark found it serves best (docs/benchmarks.md); --max-batch-size overrides both.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_BATCH_ACTIVATION_BYTES, defaultMaxBatchSize } from '../../src/serve/batcher.js';
import { serve } from '../../src/serve/server.js';
import { missingFile, need, SHARED_DATA, skipUnless } from '../helpers/requirements.js';
import { MNIST_KERAS } from './serve-fixtures.js';

const TM_MODEL = `${SHARED_DATA}teachable-machine/cat-dog-11Maximus11/keras_model.h5`;
const missing = missingFile(MNIST_KERAS) ?? missingFile(TM_MODEL);

// mnist_cnn.keras, float32 outputs per row: conv 26x26x32 + pool 13x13x32 + conv 11x11x64 + pool 5x5x64 + flatten
// 1600 + dense 128 + dense 10.
const MNIST_BYTES_PER_ROW = 4 * (26 * 26 * 32 + 13 * 13 * 32 + 11 * 11 * 64 + 5 * 5 * 64 + 1600 + 128 + 10);

describe('serve: default batch size by activation size', () => {
  test('the largest power of two up to 32 whose activations fit 160 MiB', () => {
    assert.equal(DEFAULT_BATCH_ACTIVATION_BYTES, 160 * 2 ** 20);
    assert.equal(MNIST_BYTES_PER_ROW, 152_488);
    assert.equal(defaultMaxBatchSize(MNIST_BYTES_PER_ROW), 32);
    assert.equal(defaultMaxBatchSize(5 * 2 ** 20), 32); // 160 MiB exactly
    assert.equal(defaultMaxBatchSize(5 * 2 ** 20 + 1), 16);
    assert.equal(defaultMaxBatchSize(36 * 2 ** 20), 4);
    assert.equal(defaultMaxBatchSize(41 * 2 ** 20), 2);
    assert.equal(defaultMaxBatchSize(200 * 2 ** 20), 1);
  });

  test('convkit serve: MNIST CNN 32, MobileNetV2 at 224x224 4, an explicit maximum for both', {
    skip: skipUnless(missing),
  }, async () => {
    need(missing);
    const server = await serve({ mnist: MNIST_KERAS, pets: TM_MODEL }, { port: 0, web: false });
    try {
      assert.deepEqual(server.maxBatchSizes, { mnist: 32, pets: 4 });
      const stats = (await (await fetch(`${server.url}/api/stats`)).json()) as { maxBatchSizes: unknown };
      assert.deepEqual(stats.maxBatchSizes, { mnist: 32, pets: 4 });
    } finally {
      await server.close();
    }
    const fixed = await serve({ mnist: MNIST_KERAS }, { port: 0, web: false, maxBatchSize: 8 });
    try {
      assert.deepEqual(fixed.maxBatchSizes, { mnist: 8 });
    } finally {
      await fixed.close();
    }
  });
});
