// crossValidate: one fresh model per fold trained on exactly the other folds, held-out metrics equal to an
// independent evaluate() of that model, mean ± std computed as NumPy does, seeds reproduce, bad options refused.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Model } from '../../src/models/model.js';
import { take } from '../../src/tensor-ops.js';
import { crossValidate, makeFolds, summarize } from '../../src/tuning/cross-validate.js';
import { smallSequential, toyData } from '../training/fixtures.js';

function build(): Model {
  const model = smallSequential();
  model.compile({
    optimizer: { name: 'adam', learningRate: 0.05 },
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}

describe('crossValidate', () => {
  test('each fold trains on the other folds and is scored on its own; mean ± std as NumPy (ddof 0)', async () => {
    const { x, y } = toyData(90);
    const seen: { fold: number; rows: number; model: Model }[] = [];
    const result = await crossValidate(
      (fold) => {
        const model = build();
        seen.push({ fold, rows: 0, model });
        return model;
      },
      x,
      y,
      { folds: 3, seed: 9, fit: { epochs: 4, batchSize: 16 } },
    );
    assert.equal(result.folds.length, 3);
    assert.deepEqual(
      seen.map((s) => s.fold),
      [0, 1, 2],
    );
    assert.equal(new Set(seen.map((s) => s.model)).size, 3, 'a fresh model per fold');
    const folds = makeFolds(y, { folds: 3, seed: 9 });
    for (const [k, f] of result.folds.entries()) {
      assert.equal(f.trainSize, folds[k]!.train.length);
      assert.equal(f.testSize, 30);
      assert.equal(f.history.loss!.length, 4);
      assert.equal(f.history.val_accuracy!.length, 4, 'the held-out fold is the validation data');
      // Independent check: evaluating that fold's trained model on its held-out rows gives the reported metrics.
      const logs = (await seen[k]!.model.evaluate(take(x, folds[k]!.test), take(y, folds[k]!.test), {
        verbose: 0,
        returnDict: true,
      })) as Record<string, number>;
      assert.equal(f.metrics.accuracy, logs.accuracy);
      assert.equal(f.metrics.loss, logs.loss);
      assert.equal(f.metrics.accuracy, f.history.val_accuracy!.at(-1));
    }
    const accuracies = result.folds.map((f) => f.metrics.accuracy!);
    const mean = accuracies.reduce((a, b) => a + b, 0) / 3;
    assert.ok(Math.abs(result.mean.accuracy! - mean) < 1e-15);
    const std = Math.sqrt(accuracies.reduce((a, v) => a + (v - mean) ** 2, 0) / 3);
    assert.ok(Math.abs(result.std.accuracy! - std) < 1e-15);
    assert.ok(result.mean.accuracy! > 0.6, `a separable problem is learned (${result.mean.accuracy})`);
  });

  test('the same seed gives identical fold metrics and histories; another seed does not', async () => {
    const { x, y } = toyData(60);
    const run = (seed: number) => crossValidate(build, x, y, { folds: 3, seed, fit: { epochs: 2, batchSize: 8 } });
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    const strip = (r: typeof a) => r.folds.map((f) => [f.metrics, f.history]);
    assert.deepEqual(strip(a), strip(b));
    assert.notDeepEqual(strip(a), strip(c));
  });

  test('one-hot labels stratify by their class; a custom scorer replaces evaluate()', async () => {
    const { x, y, yOneHot } = toyData(45);
    assert.deepEqual(
      makeFolds(yOneHot, { folds: 3, seed: 2 }).map((f) => [...f.test]),
      makeFolds(y, { folds: 3, seed: 2 }).map((f) => [...f.test]),
    );
    const result = await crossValidate(
      () => {
        const model = smallSequential();
        model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
        return model;
      },
      x,
      yOneHot,
      { folds: 3, seed: 2, fit: { epochs: 1 }, evaluate: async (_m, xt, _yt, fold) => ({ rows: xt.shape[0]!, fold }) },
    );
    assert.deepEqual(result.mean, { rows: 15, fold: 1 });
    assert.deepEqual(summarize(result.folds).std, { rows: 0, fold: Math.sqrt(2 / 3) });
  });

  test('bad options and bad models are refused by name', async () => {
    const { x, y } = toyData(20);
    await assert.rejects(crossValidate(build, x, y, { folds: 1 }), /'folds'. Expected an integer >= 2, received 1/);
    await assert.rejects(
      crossValidate(build, x, y, { fold: 3 } as never),
      /crossValidate: unknown option 'fold'. Did you mean 'folds'/,
    );
    await assert.rejects(
      crossValidate(build, x, y, { fit: { validationSplit: 0.2 } as never }),
      /crossValidate fit: unknown option 'validationSplit'/,
    );
    await assert.rejects(
      crossValidate(() => smallSequential(), x, y, { folds: 2 }),
      /Call model.compile\(...\) inside buildModel/,
    );
    await assert.rejects(
      crossValidate(build, x, { data: new Float32Array(19), shape: [19] }, { folds: 2 }),
      /crossValidate: invalid 'y'. Expected 20 rows \(one per row of x\), received 19/,
    );
    await assert.rejects(
      crossValidate(build, x, { data: new Float32Array(20).fill(0.5), shape: [20] }, { folds: 2 }),
      /Expected a class index .* received 0.5.*stratified: false/,
    );
  });
});
