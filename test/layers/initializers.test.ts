// Initializers (Keras fans and variance scaling, seeds, the global seed), regularizers (Keras penalty and
// gradient) and activation-name resolution.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveActivation } from '../../src/activations.js';
import { computeFans, getInitializer, glorotUniform, heNormal, setGlobalSeed, truncatedNormal } from '../../src/initializers.js';
import { Conv2D } from '../../src/layers/conv2d.js';
import { getRegularizer, l1l2, l2 } from '../../src/regularizers.js';

describe('initializers', () => {
  test('Keras fans: dense (IN, OUT), conv receptive field * channels', () => {
    assert.deepEqual(computeFans([1600, 128]), [1600, 128]);
    assert.deepEqual(computeFans([3, 3, 32, 64]), [288, 576]);
    assert.deepEqual(computeFans([3, 3, 144, 1]), [1296, 9]);
  });

  test('GlorotUniform stays within sqrt(6 / (fan_in + fan_out)) and has the uniform variance', () => {
    const values = new Float32Array(3 * 3 * 32 * 64);
    glorotUniform({ seed: 1 }).fill(values, [3, 3, 32, 64]);
    const limit = Math.sqrt(6 / (288 + 576));
    assert.ok(values.every((v) => Math.abs(v) <= limit));
    const variance = values.reduce((s, v) => s + v * v, 0) / values.length;
    assert.ok(Math.abs(variance - (limit * limit) / 3) / ((limit * limit) / 3) < 0.05, `variance ${variance}`);
  });

  test('HeNormal: truncated at 2 stddev, stddev sqrt(2 / fan_in) / .8796 before truncation', () => {
    const values = new Float32Array(20000);
    heNormal({ seed: 5 }).fill(values, [200, 100]);
    const std = Math.sqrt(2 / 200) / 0.87962566103423978;
    assert.ok(values.every((v) => Math.abs(v) <= 2 * std + 1e-6));
    const sampleStd = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
    assert.ok(Math.abs(sampleStd - Math.sqrt(2 / 200)) / Math.sqrt(2 / 200) < 0.05, `std ${sampleStd}`);
  });

  test('seeded initializers repeat; the global seed makes unseeded weights reproducible', () => {
    const a = new Float32Array(50);
    const b = new Float32Array(50);
    truncatedNormal(0, 1, 3).fill(a, [50]);
    truncatedNormal(0, 1, 3).fill(b, [50]);
    assert.deepEqual(a, b);
    setGlobalSeed(42);
    const first = new Conv2D({ filters: 4, kernelSize: 3 });
    first.build([null, 8, 8, 2]);
    setGlobalSeed(42);
    const second = new Conv2D({ filters: 4, kernelSize: 3 });
    second.build([null, 8, 8, 2]);
    assert.deepEqual(first.kernel!.value, second.kernel!.value);
    const third = new Conv2D({ filters: 4, kernelSize: 3 });
    third.build([null, 8, 8, 2]);
    assert.notDeepEqual(third.kernel!.value, first.kernel!.value);
  });

  test('names and configs resolve; unknown names list the known ones', () => {
    for (const name of ['glorot_uniform', 'GlorotUniform', 'glorotUniform'])
      assert.equal(getInitializer(name).className, 'GlorotUniform');
    assert.equal(getInitializer('he_normal').className, 'HeNormal');
    const vs = getInitializer({
      class_name: 'VarianceScaling',
      config: { scale: 1, mode: 'fan_avg', distribution: 'uniform', seed: null },
    });
    assert.deepEqual(vs.getConfig(), { scale: 1, mode: 'fan_avg', distribution: 'uniform', seed: null });
    assert.deepEqual(
      getInitializer({ module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null }).getConfig(),
      {},
    );
    assert.deepEqual(getInitializer('GlorotUniform').getConfig(), { seed: null });
    assert.throws(() => getInitializer('orthogonal'), /unknown initializer "orthogonal". Known: GlorotUniform/);
    assert.throws(() => getInitializer({ class_name: 'RandomNormal', config: { stddev: -1 } }), /invalid 'stddev'/);
  });
});

describe('regularizers', () => {
  test('L2 penalty l2 * sum(x^2) and gradient 2 * l2 * x (default 0.01); L1L2', () => {
    const reg = l2();
    const x = Float32Array.from([1, -2, 3]);
    assert.ok(Math.abs(reg.penalty(x) - 0.14) < 1e-9);
    const grad = Float32Array.from([1, 1, 1]);
    reg.addGradient(grad, x);
    assert.deepEqual(
      Array.from(grad, (v) => +v.toFixed(6)),
      [1.02, 0.96, 1.06],
    );
    const both = l1l2(0.1, 0.5);
    assert.ok(Math.abs(both.penalty(x) - (0.6 + 7)) < 1e-6);
    assert.deepEqual(getRegularizer({ class_name: 'L2', config: { l2: 0.001 } })!.getConfig(), { l2: 0.001 });
    assert.equal(getRegularizer(null), null);
    assert.equal(getRegularizer('l1_l2')!.className, 'L1L2');
    assert.throws(() => getRegularizer('l3'), /unknown regularizer "l3"/);
  });
});

describe('activations', () => {
  test('Keras names map to backend kinds; unknown names list valid ones', () => {
    assert.deepEqual(resolveActivation('relu').attrs, { kind: 'relu' });
    assert.equal(resolveActivation('silu').attrs.kind, 'swish');
    assert.equal(resolveActivation('leaky_relu').attrs.kind, 'leakyRelu');
    assert.equal(resolveActivation('hard_sigmoid').attrs.kind, 'hardSigmoid');
    assert.equal(resolveActivation(null).name, 'linear');
    assert.throws(() => resolveActivation('swishy'), /unknown activation "swishy". Expected one of: linear, relu, relu6/);
  });
});
