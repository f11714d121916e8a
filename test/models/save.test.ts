// Model persistence through src/io/keras-file.ts: save() then loadModel() gives the same predictions and
// optimizer state, and restore() (the TrainingTarget hook BackupAndRestore uses) loads state into this model.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { loadModel } from '../../src/io/keras-file.js';
import {
  AUC,
  Precision,
  SparseTopKCategoricalAccuracy,
  ThresholdMetric,
  TopKCategoricalAccuracy,
} from '../../src/training/metrics.js';
import { backend, smallSequential, toyData } from '../training/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-models-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const { x, y } = toyData(32);

describe('models/save', () => {
  test('save -> loadModel keeps predictions and optimizer state', async () => {
    const model = smallSequential();
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    const path = join(dir, 'small.keras');
    await model.save(path);
    const loaded = await loadModel(path);
    loaded.backendOverride = backend;
    assert.deepEqual((await loaded.predict(x, { verbose: 0 })).data, (await model.predict(x, { verbose: 0 })).data);
    assert.equal(loaded.compiled?.optimizer.iterations, 8);
    assert.deepEqual(loaded.compiled?.optimizer.getState(), model.compiled?.optimizer.getState());
  });

  test('restore() loads weights and optimizer state back into the same model', async () => {
    const model = smallSequential();
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    const path = join(dir, 'backup.keras');
    await model.save(path);
    const weights = model.getWeights();
    const state = model.compiled!.optimizer.getState();
    await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    await model.restore(path);
    assert.deepEqual(model.getWeights(), weights);
    assert.deepEqual(model.compiled!.optimizer.getState(), state);
  });

  test("saveWeights / loadWeights (Keras's save_weights and load_weights) round-trip the weights", async () => {
    const model = smallSequential();
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    const path = join(dir, 'small.weights.h5');
    await model.saveWeights(path);
    const fresh = smallSequential();
    assert.notDeepEqual(fresh.getWeights(), model.getWeights());
    await fresh.loadWeights(path);
    assert.deepEqual(fresh.getWeights(), model.getWeights());
    await assert.rejects(
      model.saveWeights(join(dir, 'small.h5')),
      (e: unknown) =>
        e instanceof ConfigError && /saveWeights: invalid 'path'\. Expected a path ending in '\.weights\.h5'/.test(e.message),
    );
  });

  test('metric objects keep their options through a .keras file (Precision thresholds, top-k k, AUC thresholds)', async () => {
    const model = smallSequential();
    model.compile({
      optimizer: 'adam',
      loss: 'sparseCategoricalCrossentropy',
      metrics: ['accuracy', new Precision({ thresholds: 0.7 }), new SparseTopKCategoricalAccuracy(2), new AUC(50)],
    });
    const path = join(dir, 'metrics.keras');
    await model.save(path);
    const loaded = await loadModel(path);
    const [accuracy, precision, topK, auc] = loaded.compiled!.metrics;
    assert.equal(accuracy?.name, 'accuracy');
    assert.ok(precision instanceof ThresholdMetric && precision.threshold === 0.7);
    assert.ok(topK instanceof TopKCategoricalAccuracy && topK.k === 2 && topK.name === 'sparse_top_k_categorical_accuracy');
    assert.ok(auc instanceof AUC && auc.numThresholds === 50);
    loaded.backendOverride = backend;
    model.backendOverride = backend;
    assert.deepEqual(await loaded.evaluate(x, y, { verbose: 0 }), await model.evaluate(x, y, { verbose: 0 }));
  });
});
