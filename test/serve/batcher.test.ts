// The dynamic batcher's schedule, with a model whose every call the test controls (it doubles its input and answers
// when told): greedy by default (an idle model starts at once; requests arriving while it is busy form the next
// batch, padded to a power of two, each request getting its own rows back); with a timeout an idle model waits for
// company unless the batch fills; overload and abort.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_BATCHING, DynamicBatcher, OverloadError } from '../../src/serve/batcher.js';
import type { Tensor } from '../../src/tensor.js';

/** A model the test steps through: each call waits until `answer()`; output = 2 * input, one value per row. */
function steppedModel() {
  const calls: { shape: number[]; rows: number[]; answer: () => void }[] = [];
  const run = (x: Tensor) =>
    new Promise<Tensor>((resolve) => {
      const rows = Array.from(x.data);
      calls.push({ shape: x.shape as number[], rows, answer: () => resolve({ data: x.data.map((v) => 2 * v), shape: x.shape }) });
    });
  return { calls, run };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const rows = (...values: number[]) => Float32Array.from(values);

describe('serve: dynamic batcher', () => {
  test('greedy by default: a lone request runs at once; requests that arrive while the model is busy form the next batch', async () => {
    assert.equal(DEFAULT_BATCHING.batchTimeoutMs, 0);
    const model = steppedModel();
    const batcher = new DynamicBatcher([1], model.run, DEFAULT_BATCHING);
    const first = batcher.submit(rows(1), 1);
    assert.equal(model.calls.length, 1, 'no wait for company when the model is idle');
    assert.deepEqual(model.calls[0]!.shape, [1, 1]);
    const later = [batcher.submit(rows(2), 1), batcher.submit(rows(3, 4), 2), batcher.submit(rows(5), 1)];
    await tick();
    assert.equal(model.calls.length, 1, 'one batch at a time');
    model.calls[0]!.answer();
    assert.deepEqual(Array.from(await first), [2]);
    await tick();
    assert.equal(model.calls.length, 2);
    // 4 rows from three requests in one batch, in arrival order (already a power of two: no padding).
    assert.deepEqual(model.calls[1]!.shape, [4, 1]);
    assert.deepEqual(model.calls[1]!.rows, [2, 3, 4, 5]);
    model.calls[1]!.answer();
    assert.deepEqual(
      (await Promise.all(later)).map((y) => Array.from(y)),
      [[4], [6, 8], [10]],
    );
    assert.deepEqual(
      [...batcher.batchSizes],
      [
        [1, 1],
        [4, 1],
      ],
    );
    assert.ok(batcher.idle);
  });

  test('batches take the largest power of two the waiting rows fill; the rest runs next (no zero-row padding)', async () => {
    const model = steppedModel();
    const batcher = new DynamicBatcher([1], model.run, DEFAULT_BATCHING);
    const busy = batcher.submit(rows(0), 1);
    const six = [1, 2, 3, 4, 5, 6].map((v) => batcher.submit(rows(v), 1));
    model.calls[0]!.answer();
    await busy;
    await tick();
    assert.deepEqual(model.calls[1]!.rows, [1, 2, 3, 4], '4 of the 6 waiting rows, not 6 padded to 8');
    model.calls[1]!.answer();
    await tick();
    assert.deepEqual(model.calls[2]!.rows, [5, 6]);
    model.calls[2]!.answer();
    assert.deepEqual(
      (await Promise.all(six)).map((y) => y[0]),
      [2, 4, 6, 8, 10, 12],
    );
    assert.deepEqual(
      [...batcher.batchSizes],
      [
        [1, 1],
        [4, 1],
        [2, 1],
      ],
    );
  });

  test('multi-row requests are never split: a short batch is padded up to an allowed size; big requests run alone', async () => {
    const model = steppedModel();
    const batcher = new DynamicBatcher([1], model.run, { ...DEFAULT_BATCHING, maxBatchSize: 4 });
    const busy = batcher.submit(rows(0), 1);
    const three = batcher.submit(rows(1, 2, 3), 3);
    const big = batcher.submit(rows(4, 5, 6, 7, 8), 5);
    model.calls[0]!.answer();
    await busy;
    await tick();
    assert.deepEqual(model.calls[1]!.rows, [1, 2, 3, 0]);
    model.calls[1]!.answer();
    assert.deepEqual(Array.from(await three), [2, 4, 6]);
    await tick();
    assert.deepEqual(model.calls[2]!.shape, [5, 1], 'a request is never split, nor padded past its size');
    model.calls[2]!.answer();
    assert.deepEqual(Array.from(await big), [8, 10, 12, 14, 16]);
  });

  test('with a timeout an idle model waits for company, unless the batch fills first', async () => {
    const model = steppedModel();
    const batcher = new DynamicBatcher([1], model.run, { ...DEFAULT_BATCHING, maxBatchSize: 2, batchTimeoutMs: 30 });
    const alone = batcher.submit(rows(1), 1);
    await tick();
    assert.equal(model.calls.length, 0, 'waits up to 30 ms for a second request');
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(model.calls.length, 1, 'then runs alone');
    model.calls[0]!.answer();
    await alone;
    const pair = [batcher.submit(rows(2), 1), batcher.submit(rows(3), 1)];
    assert.equal(model.calls.length, 2, 'a full batch runs at once');
    assert.deepEqual(model.calls[1]!.rows, [2, 3]);
    model.calls[1]!.answer();
    await Promise.all(pair);
  });

  test('too many waiting rows is an OverloadError; an aborted request leaves the queue', async () => {
    const model = steppedModel();
    const batcher = new DynamicBatcher([1], model.run, { ...DEFAULT_BATCHING, maxQueuedRows: 3 });
    const running = batcher.submit(rows(1), 1); // runs at once: it does not count as waiting
    const waiting = batcher.submit(rows(2, 3), 2);
    await assert.rejects(batcher.submit(rows(4, 5), 2), OverloadError);
    const controller = new AbortController();
    const dropped = batcher.submit(rows(9), 1, controller.signal); // 3 rows waiting: still within the limit
    controller.abort(new OverloadError('client went away'));
    await assert.rejects(dropped, /client went away/);
    model.calls[0]!.answer();
    await running;
    await tick();
    assert.deepEqual(model.calls[1]!.rows, [2, 3], 'the aborted request is not in the batch');
    model.calls[1]!.answer();
    assert.deepEqual(Array.from(await waiting), [4, 6]);
  });
});
