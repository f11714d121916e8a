// Optimizers, schedules and metrics against hand-computed values (Keras formulas).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LayerWeight } from '../../src/layers/layer.js';
import { getLoss } from '../../src/training/losses.js';
import { AUC, AutoAccuracy, getMetric, ThresholdMetric, TopKCategoricalAccuracy } from '../../src/training/metrics.js';
import { Adam, AdamW, getOptimizer, RMSprop, SGD } from '../../src/training/optimizers/index.js';
import { CosineDecay, ExponentialDecay, PiecewiseConstantDecay } from '../../src/training/schedules.js';
import { backend } from './fixtures.js';

function weight(values: number[], grads: number[]): LayerWeight {
  return {
    name: 'kernel',
    shape: [values.length],
    value: Float32Array.from(values),
    grad: Float32Array.from(grads),
    trainable: true,
    regularizer: null,
  };
}

const close = (a: number, b: number, tol = 1e-5): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('training/optimizers', () => {
  test('Keras defaults by name', () => {
    const adam = getOptimizer('adam') as Adam;
    assert.deepEqual([adam.currentLearningRate(), adam.beta1, adam.beta2, adam.epsilon], [0.001, 0.9, 0.999, 1e-7]);
    assert.equal(getOptimizer('SGD').currentLearningRate(), 0.01);
    const rms = getOptimizer('rmsprop') as RMSprop;
    assert.deepEqual([rms.currentLearningRate(), rms.rho, rms.epsilon], [0.001, 0.9, 1e-7]);
    assert.equal(getOptimizer('adamw').weightDecay, 0.004);
    assert.equal(getOptimizer({ name: 'sgd', learningRate: 0.5 }).currentLearningRate(), 0.5);
  });

  test('one step of each optimizer', () => {
    const a = weight([1], [0.5]);
    new Adam({ learningRate: 0.1 }).applyGradients(backend, [a]);
    close(a.value[0]!, 0.9, 1e-5);
    const s = weight([1], [0.5]);
    const sgd = new SGD({ learningRate: 0.1, momentum: 0.9 });
    sgd.applyGradients(backend, [s]);
    close(s.value[0]!, 0.95);
    sgd.applyGradients(backend, [s]);
    close(s.value[0]!, 0.855);
    const r = weight([1], [0.5]);
    new RMSprop({ learningRate: 0.1 }).applyGradients(backend, [r]);
    close(r.value[0]!, 1 - 0.05 / Math.sqrt(0.025), 1e-5);
    const w = weight([1], [0.5]);
    new AdamW({ learningRate: 0.1 }).applyGradients(backend, [w]);
    close(w.value[0]!, 0.9996 - 0.1, 1e-5);
  });

  test('clipnorm, globalClipnorm, clipvalue', () => {
    const a = weight([0, 0], [3, 4]);
    new SGD({ learningRate: 1, clipnorm: 1 }).applyGradients(backend, [a]);
    close(a.value[0]!, -0.6);
    close(a.value[1]!, -0.8);
    const b = weight([0], [3]);
    const c = weight([0], [4]);
    new SGD({ learningRate: 1, globalClipnorm: 1 }).applyGradients(backend, [b, c]);
    close(b.value[0]!, -0.6);
    close(c.value[0]!, -0.8);
    const d = weight([0, 0], [3, -0.1]);
    new SGD({ learningRate: 1, clipvalue: 0.5 }).applyGradients(backend, [d]);
    close(d.value[0]!, -0.5);
    close(d.value[1]!, 0.1);
  });

  test('state round trip and Keras config', () => {
    const opt = new Adam({ learningRate: 0.01 });
    const w = weight([1, 2], [0.1, -0.2]);
    opt.applyGradients(backend, [w]);
    const state = opt.getState();
    assert.deepEqual(
      opt.variables().map((v) => v.name),
      ['iterations', 'learning_rate', 'kernel_momentum', 'kernel_velocity'],
    );
    const copy = new Adam({ learningRate: 0.01 });
    copy.build([w]);
    copy.setState(state);
    assert.equal(copy.iterations, 1);
    assert.deepEqual(copy.getState(), state);
    const json = opt.toKerasConfig();
    assert.equal(json.class_name, 'Adam');
    assert.equal(json.config.beta_1, 0.9);
    assert.equal(json.config.learning_rate, 0.01);
    assert.equal(json.config.amsgrad, false);
  });

  test('schedules match Keras formulas and drive the optimizer per step', () => {
    const exp = new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
    close(exp.call(5), 0.1 * Math.sqrt(0.5));
    close(new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true }).call(15), 0.05);
    close(new CosineDecay({ initialLearningRate: 0.1, decaySteps: 100 }).call(50), 0.05);
    close(new CosineDecay({ initialLearningRate: 0.1, decaySteps: 100, alpha: 0.1 }).call(200), 0.01);
    const warm = new CosineDecay({ initialLearningRate: 0, decaySteps: 100, warmupTarget: 0.1, warmupSteps: 10 });
    close(warm.call(5), 0.05);
    close(warm.call(60), 0.05);
    const pw = new PiecewiseConstantDecay({ boundaries: [10, 20], values: [1, 0.5, 0.1] });
    assert.deepEqual([pw.call(10), pw.call(11), pw.call(20), pw.call(21)], [1, 0.5, 0.5, 0.1]);
    const opt = new SGD({ learningRate: pw });
    opt.iterations = 11;
    assert.equal(opt.currentLearningRate(), 0.5);
    opt.learningRate = 0.3;
    assert.equal(opt.currentLearningRate(), 0.3);
  });
});

describe('training/metrics', () => {
  const pred = { data: Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.6, 0.4]), shape: [3, 2] };

  test('accuracy resolves sparse, categorical and binary labels', () => {
    const sparse = new AutoAccuracy();
    sparse.update(pred, { data: Float32Array.from([0, 1, 1]), shape: [3] }, backend);
    close(sparse.result(), 2 / 3);
    const cat = new AutoAccuracy();
    cat.update(pred, { data: Float32Array.from([1, 0, 0, 1, 1, 0]), shape: [3, 2] }, backend);
    close(cat.result(), 1);
    const bin = new AutoAccuracy();
    bin.update(
      { data: Float32Array.from([0.7, 0.2, 0.4]), shape: [3, 1] },
      { data: Float32Array.from([1, 0, 1]), shape: [3, 1] },
      backend,
    );
    close(bin.result(), 2 / 3);
  });

  test('precision, recall, AUC, top-k', () => {
    const p = { data: Float32Array.from([0.9, 0.8, 0.3, 0.6, 0.1]), shape: [5, 1] };
    const t = { data: Float32Array.from([1, 0, 1, 1, 0]), shape: [5, 1] };
    const precision = new ThresholdMetric('precision');
    precision.update(p, t);
    close(precision.result(), 2 / 3);
    const recall = new ThresholdMetric('recall');
    recall.update(p, t);
    close(recall.result(), 2 / 3);
    const auc = new AUC();
    auc.update(p, t);
    close(auc.result(), 4 / 6, 0.02);
    const perfect = new AUC();
    perfect.update({ data: Float32Array.from([0.9, 0.1]), shape: [2, 1] }, { data: Float32Array.from([1, 0]), shape: [2, 1] });
    close(perfect.result(), 1, 1e-6);
    const top1 = new TopKCategoricalAccuracy(1);
    top1.update(pred, { data: Float32Array.from([1, 0, 1, 0, 0, 1]), shape: [3, 2] });
    close(top1.result(), 1 / 3);
    assert.equal(getMetric('topKCategoricalAccuracy').name, 'top_k_categorical_accuracy');
    assert.equal(getLoss('SparseCategoricalCrossentropy').kind, 'sparseCategoricalCrossentropy');
    assert.equal(getLoss('mse').kind, 'meanSquaredError');
  });
});
