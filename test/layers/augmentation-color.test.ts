// RandomBrightness and RandomContrast against independent float64 computations: brightness shifts every pixel
// (and so the mean) by one offset per image and clips to valueRange; contrast keeps each channel's mean and scales
// deviations by one factor per image; gradients by central differences; inference identity; Keras JSON.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { RandomBrightness, RandomContrast } from '../../src/layers/index.js';
import type { CallContext, Layer } from '../../src/layers/layer.js';
import { layerFromKeras, layerToKeras } from '../../src/layers/serialization.js';
import type { Tensor } from '../../src/tensor.js';
import { reference } from '../helpers/backends.js';
import { rand } from './naive.js';

function context(training: boolean, needsInputGrad = false, seed = 1): CallContext {
  return { backend: reference, training, needsInputGrad, rng: { seed, offset: 0 } };
}

function batch(shape: number[], seed: number, low: number, high: number): Tensor {
  return {
    data: rand(
      shape.reduce((a, b) => a * b, 1),
      seed,
      low,
      high,
    ),
    shape,
  };
}

const x = batch([6, 4, 5, 3], 7, 50, 150);
const size = 4 * 5 * 3;
const imageOf = (t: ArrayLike<number>, n: number) => Array.from(t).slice(n * size, (n + 1) * size);
const sum = (v: readonly number[]) => v.reduce((a, b) => a + b, 0);

describe('RandomBrightness', () => {
  test('factor [0.1, 0.1] adds 0.1 * 255 to every pixel (the mean shifts by 25.5); the offset scales with valueRange', () => {
    const y = new RandomBrightness([0.1, 0.1]).forward([x], context(true));
    for (let k = 0; k < x.data.length; k++) assert.ok(Math.abs(y.data[k]! - (x.data[k]! + 25.5)) <= 1e-4, `[${k}]`);
    const shift = sum(Array.from(y.data)) / y.data.length - sum(Array.from(x.data)) / x.data.length;
    assert.ok(Math.abs(shift - 25.5) <= 1e-3, `mean shift ${shift}`);
    const signed = { data: Float32Array.from([-0.75, 0, 0.25]), shape: [1, 1, 3, 1] };
    const shifted = new RandomBrightness([0.25, 0.25], { valueRange: [-1, 1] }).forward([signed], context(true));
    assert.deepEqual(Array.from(shifted.data), [-0.25, 0.5, 0.75], 'a quarter of the range [-1, 1] is 0.5');
  });

  test('one offset per image within factor * range, different across images; clipped to valueRange; NaN kept', () => {
    const y = new RandomBrightness(0.2, { seed: 3 }).forward([x], context(true));
    const offsets = [];
    for (let n = 0; n < 6; n++) {
      const d = imageOf(y.data, n).map((v, i) => v - imageOf(x.data, n)[i]!);
      assert.ok(d.every((v) => Math.abs(v - d[0]!) <= 1e-4) && Math.abs(d[0]!) <= 0.2 * 255, `image ${n}: ${d[0]}`);
      offsets.push(d[0]!);
    }
    assert.equal(new Set(offsets.map((v) => v.toFixed(3))).size, 6);
    const unit = { data: Float32Array.from([0.2, 0.9, Number.NaN, 0.5]), shape: [1, 2, 2, 1] };
    const clipped = new RandomBrightness([0.5, 0.5], { valueRange: [0, 1] }).forward([unit], context(true));
    assert.deepEqual(Array.from(clipped.data), [0.699999988079071, 1, Number.NaN, 1]);
  });

  test('backward passes dy except where the output was clipped', () => {
    const layer = new RandomBrightness([0.5, 0.5]);
    const y = layer.forward([x], context(true, true));
    const dy = rand(x.data.length, 4);
    const [dx] = layer.backward({ data: dy, shape: x.shape }, context(true, true));
    for (let k = 0; k < dy.length; k++) {
      const clippedHere = x.data[k]! + 127.5 >= 255;
      assert.equal(dx!.data[k], clippedHere ? 0 : dy[k], `[${k}] y=${y.data[k]}`);
    }
  });
});

describe('RandomContrast', () => {
  test('keeps every channel mean and scales deviations by one factor per image within [1 - f, 1 + f]', () => {
    const y = new RandomContrast(0.5, { seed: 2 }).forward([x], context(true));
    const factors = [];
    for (let n = 0; n < 6; n++) {
      const xi = imageOf(x.data, n);
      const yi = imageOf(y.data, n);
      let factor = Number.NaN;
      for (let ch = 0; ch < 3; ch++) {
        const xs = xi.filter((_, i) => i % 3 === ch);
        const ys = yi.filter((_, i) => i % 3 === ch);
        const mean = sum(xs) / xs.length;
        assert.ok(Math.abs(sum(ys) / ys.length - mean) <= 1e-3, `image ${n} channel ${ch} mean`);
        const k = xs.findIndex((v) => Math.abs(v - mean) > 10);
        factor = Number.isNaN(factor) ? (ys[k]! - mean) / (xs[k]! - mean) : factor;
        xs.forEach((v, i) => {
          assert.ok(Math.abs(mean + (v - mean) * factor - ys[i]!) <= 1e-3, `image ${n} channel ${ch} [${i}]`);
        });
      }
      assert.ok(factor >= 0.5 - 1e-4 && factor <= 1.5 + 1e-4, `factor ${factor}`);
      factors.push(factor);
    }
    assert.equal(new Set(factors.map((v) => v.toFixed(3))).size, 6);
  });

  test('backward matches central differences of <y, dy> (no pixel near the clip bounds)', () => {
    const dy = rand(x.data.length, 5);
    const direction = rand(x.data.length, 6);
    const make = () => new RandomContrast([0.3, 0.4], { seed: 9 });
    const layer = make();
    layer.forward([x], context(true, true));
    const [dx] = layer.backward({ data: dy, shape: x.shape }, context(true, true));
    const objective = (t: number) => {
      const moved = { data: x.data.map((v, i) => v + t * direction[i]!), shape: x.shape };
      const y = make().forward([moved], context(true, true)).data;
      return y.reduce((s, v, i) => s + v * dy[i]!, 0);
    };
    const numeric = (objective(0.5) - objective(-0.5)) / 1;
    const analytic = dx!.data.reduce((s, v, i) => s + v * direction[i]!, 0);
    assert.ok(Math.abs(numeric - analytic) <= 1e-3 * Math.abs(analytic) + 1e-2, `${numeric} vs ${analytic}`);
  });
});

describe('RandomBrightness and RandomContrast: inference, seeding, options, Keras JSON', () => {
  const layers = (): Layer[] => [new RandomBrightness(0.2, { seed: 1 }), new RandomContrast([0.1, 0.3], { valueRange: [0, 1] })];

  test('identity outside training; same seed same batch, another seed differs', () => {
    for (const layer of layers()) assert.equal(layer.forward([x], context(false)), x, layer.className);
    for (const make of [
      (s: number) => new RandomBrightness(0.2, { seed: s }),
      (s: number) => new RandomContrast(0.2, { seed: s }),
    ]) {
      const run = (s: number) => Array.from(make(s).forward([x], context(true)).data);
      assert.deepEqual(run(4), run(4));
      assert.notDeepEqual(run(4), run(5));
    }
  });

  test('options are validated', () => {
    const throwsConfig = (make: () => unknown, pattern: RegExp) =>
      assert.throws(make, (e: Error) => e instanceof ConfigError && pattern.test(e.message), String(pattern));
    throwsConfig(() => new RandomBrightness(1.5), /'factor'.*within \[-1, 1\]/);
    throwsConfig(() => new RandomBrightness(0.1, { valueRange: [1, 0] }), /'valueRange'/);
    throwsConfig(() => new RandomBrightness(0.1, { value_range: [0, 1] } as never), /value_range.*valueRange/s);
    throwsConfig(() => new RandomContrast(-0.1), /'factor'/);
    throwsConfig(() => new RandomContrast([0.1, 1.2]), /'factor'/);
  });

  test('Keras 3 names and keys (factor, value_range, seed); JSON round trip', () => {
    const [brightness, contrast] = layers().map(layerToKeras);
    assert.equal(brightness!.class_name, 'RandomBrightness');
    assert.deepEqual([brightness!.config.factor, brightness!.config.value_range, brightness!.config.seed], [0.2, [0, 255], 1]);
    assert.equal(contrast!.class_name, 'RandomContrast');
    assert.deepEqual([contrast!.config.factor, contrast!.config.value_range, contrast!.config.seed], [[0.1, 0.3], [0, 1], null]);
    for (const json of [brightness, contrast])
      assert.deepEqual(layerToKeras(layerFromKeras(JSON.parse(JSON.stringify(json)))), json);
  });
});
