// Weight-free layers against hand-computed values and plain loops: pooling, global pooling, Flatten/Reshape,
// Dropout (seeded determinism, scaling, inference identity), SpatialDropout2D, Rescaling, ZeroPadding2D and
// Cropping2D (inverse of each other), Add and Concatenate backward, ReLU/LeakyReLU/Softmax/Activation, InputLayer.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Activation,
  Add,
  AveragePooling2D,
  Concatenate,
  Cropping2D,
  Dropout,
  Flatten,
  GlobalAveragePooling2D,
  GlobalMaxPooling2D,
  InputLayer,
  LeakyReLU,
  MaxPooling2D,
  ReLU,
  Rescaling,
  Reshape,
  Softmax,
  SpatialDropout2D,
  ZeroPadding2D,
} from '../../src/layers/index.js';
import { assertClose, ctx, rand } from './naive.js';

const img = (data: number[] | Float32Array, shape: number[]) => ({ data: Float32Array.from(data), shape });

describe('pooling', () => {
  // One 4x4 single-channel image; 2x2 windows.
  const x = img([1, 2, 5, 6, 3, 4, 7, 8, 9, 10, 13, 14, 11, 12, 15, 16], [1, 4, 4, 1]);

  test('MaxPooling2D forward routes the gradient to each max', () => {
    const layer = new MaxPooling2D({ poolSize: 2 });
    const out = layer.forward([x], ctx());
    assert.deepEqual(Array.from(out.data), [4, 8, 12, 16]);
    assert.deepEqual(out.shape, [1, 2, 2, 1]);
    const [dx] = layer.backward(img([1, 2, 3, 4], [1, 2, 2, 1]), ctx());
    assert.deepEqual(Array.from(dx!.data), [0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4]);
  });

  test('AveragePooling2D forward/backward; same padding averages real cells only', () => {
    const layer = new AveragePooling2D({ poolSize: 2 });
    assert.deepEqual(Array.from(layer.forward([x], ctx()).data), [2.5, 6.5, 10.5, 14.5]);
    const [dx] = layer.backward(img([4, 8, 12, 16], [1, 2, 2, 1]), ctx());
    assert.deepEqual(Array.from(dx!.data), [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    const same = new AveragePooling2D({ poolSize: 2, padding: 'same' });
    const out = same.forward([img([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1])], ctx());
    assert.deepEqual(out.shape, [1, 2, 2, 1]);
    assert.deepEqual(Array.from(out.data), [3, 4.5, 7.5, 9]);
  });

  test('global pooling: average, max, keepdims, backward', () => {
    const data = rand(2 * 3 * 3 * 2, 7);
    const avg = new GlobalAveragePooling2D();
    const out = avg.forward([img(data, [2, 3, 3, 2])], ctx());
    const expected = [0, 1, 2, 3].map((k) => {
      const [n, c] = [Math.floor(k / 2), k % 2];
      let s = 0;
      for (let p = 0; p < 9; p++) s += data[(n * 9 + p) * 2 + c]!;
      return s / 9;
    });
    assertClose(out.data, expected, 'avg');
    const [dx] = avg.backward(img([9, 18, 27, 36], [2, 2]), ctx());
    assertClose(
      dx!.data,
      Array.from({ length: 36 }, (_, i) => [1, 2, 3, 4][Math.floor(i / 18) * 2 + (i % 2)]!),
      'avg dx',
    );
    const max = new GlobalMaxPooling2D({ keepdims: true });
    assert.deepEqual(max.computeOutputShape([null, 3, 3, 2]), [null, 1, 1, 2]);
    const m = max.forward([img(data, [2, 3, 3, 2])], ctx());
    assert.deepEqual(m.shape, [2, 1, 1, 2]);
    assert.equal(m.data[0], Math.max(...Array.from({ length: 9 }, (_, p) => data[p * 2]!)));
  });

  test('too-small input names the layer', () => {
    assert.throws(
      () => new MaxPooling2D({ poolSize: 3, name: 'pool' }).computeOutputShape([null, 2, 2, 1]),
      /pool: invalid 'inputShape'/,
    );
    assert.throws(() => new MaxPooling2D({ poolSize: 0 }), /MaxPooling2D: invalid 'poolSize'/);
  });
});

describe('reshaping layers', () => {
  test('Flatten and Reshape share the buffer and restore the shape in backward', () => {
    const x = img(rand(24, 1), [2, 2, 3, 2]);
    const flat = new Flatten();
    const f = flat.forward([x], ctx());
    assert.deepEqual(f.shape, [2, 12]);
    assert.equal(f.data, x.data);
    assert.deepEqual(flat.backward(f, ctx())[0]!.shape, [2, 2, 3, 2]);
    const reshape = new Reshape({ targetShape: [3, -1] });
    assert.deepEqual(reshape.computeOutputShape([null, 2, 3, 2]), [null, 3, 4]);
    assert.deepEqual(reshape.forward([x], ctx()).shape, [2, 3, 4]);
    assert.throws(() => new Reshape({ targetShape: [5] }).computeOutputShape([null, 12]), /invalid 'inputShape'/);
    assert.throws(() => new Reshape({ targetShape: [-1, -1] }), /Reshape: invalid 'targetShape'/);
  });

  test('ZeroPadding2D and Cropping2D are inverses (forward and backward)', () => {
    const x = img(rand(2 * 3 * 4 * 2, 3), [2, 3, 4, 2]);
    const pad = new ZeroPadding2D({
      padding: [
        [0, 1],
        [2, 1],
      ],
    });
    const crop = new Cropping2D({
      cropping: [
        [0, 1],
        [2, 1],
      ],
    });
    const padded = pad.forward([x], ctx());
    assert.deepEqual(padded.shape, [2, 4, 7, 2]);
    assert.deepEqual(pad.computeOutputShape([null, 3, 4, 2]), [null, 4, 7, 2]);
    assert.equal(
      padded.data.reduce((a, b) => a + Math.abs(b), 0).toFixed(3),
      x.data.reduce((a, b) => a + Math.abs(b), 0).toFixed(3),
    );
    assert.equal(padded.data[0], 0); // left padding column
    const back = crop.forward([padded], ctx());
    assert.deepEqual(Array.from(back.data), Array.from(x.data));
    const [dPad] = pad.backward(padded, ctx());
    assert.deepEqual(Array.from(dPad!.data), Array.from(x.data));
    const [dCrop] = crop.backward(back, ctx());
    assert.deepEqual(Array.from(dCrop!.data), Array.from(padded.data));
    assert.deepEqual(new ZeroPadding2D().padding, [
      [1, 1],
      [1, 1],
    ]);
    assert.throws(() => new Cropping2D({ cropping: 2 }).computeOutputShape([null, 4, 4, 1]), /Cropping2D|cropping2d/);
  });
});

describe('Dropout', () => {
  test('seeded: deterministic, drops about rate, scales kept values by 1/(1-rate); backward uses the mask', () => {
    const x = img(new Float32Array(4000).fill(1), [40, 100]);
    const a = new Dropout({ rate: 0.25, seed: 7 });
    const b = new Dropout({ rate: 0.25, seed: 7 });
    const ya = Array.from(a.forward([x], ctx(true)).data);
    const yb = Array.from(b.forward([x], ctx(true)).data);
    assert.deepEqual(ya, yb);
    const kept = ya.filter((v) => v !== 0);
    assert.ok(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-6));
    assert.ok(Math.abs(1 - kept.length / 4000 - 0.25) < 0.03, `dropped fraction ${1 - kept.length / 4000}`);
    const [dx] = a.backward(img(new Float32Array(4000).fill(2), [40, 100]), ctx(true));
    assertClose(
      dx!.data,
      ya.map((v) => 2 * v),
      'dx',
    );
    const second = Array.from(a.forward([x], ctx(true)).data);
    assert.notDeepEqual(second, ya, 'successive calls draw new masks');
  });

  test('unseeded uses and advances ctx.rng; inference is the identity', () => {
    const layer = new Dropout({ rate: 0.5 });
    const c = ctx(true, true, 99);
    layer.forward([img(new Float32Array(10).fill(1), [2, 5])], c);
    assert.equal(c.rng.offset, 10);
    const x = img([1, 2, 3], [1, 3]);
    assert.equal(layer.forward([x], ctx(false)), x);
    assert.throws(() => new Dropout({ rate: 1 }), /Dropout: invalid 'rate'. Expected a number in \[0, 1\)/);
  });

  test('SpatialDropout2D drops whole channels: each (sample, channel) all zero or all x / (1 - rate)', () => {
    const layer = new SpatialDropout2D({ rate: 0.5, seed: 3 });
    const shape = [4, 3, 3, 8];
    const x = img(rand(4 * 9 * 8, 5, 0.5, 1.5), shape);
    const y = layer.forward([x], ctx(true)).data;
    const [dx] = layer.backward(img(new Float32Array(4 * 9 * 8).fill(3), shape), ctx(true));
    const kept: boolean[] = [];
    for (let n = 0; n < 4; n++)
      for (let ch = 0; ch < 8; ch++) {
        const at = (p: number) => (n * 9 + p) * 8 + ch;
        const keep = y[at(0)] !== 0;
        kept.push(keep);
        for (let p = 0; p < 9; p++) {
          const expected = keep ? x.data[at(p)]! / 0.5 : 0;
          assert.ok(Math.abs(y[at(p)]! - expected) < 1e-6, `y[${n},${p},${ch}] = ${y[at(p)]}, expected ${expected}`);
          assert.ok(Math.abs(dx!.data[at(p)]! - (keep ? 6 : 0)) < 1e-6, `dx[${n},${p},${ch}] uses the same mask`);
        }
      }
    const count = kept.filter(Boolean).length;
    assert.ok(count > 4 && count < 28, `${count} of 32 channels kept at rate 0.5`);
    const masks = [0, 1, 2, 3].map((n) => kept.slice(n * 8, n * 8 + 8).join());
    assert.ok(new Set(masks).size > 1, 'each sample draws its own channel mask');
  });
});

describe('element-wise layers', () => {
  test('Rescaling', () => {
    const layer = new Rescaling({ scale: 1 / 127.5, offset: -1 });
    assertClose(layer.forward([img([0, 127.5, 255], [1, 3])], ctx()).data, [-1, 0, 1], 'y');
    assertClose(layer.backward(img([1, 2, 3], [1, 3]), ctx())[0]!.data, [1 / 127.5, 2 / 127.5, 3 / 127.5], 'dx');
  });

  test('ReLU with maxValue/negativeSlope/threshold, LeakyReLU (alpha alias), Softmax, Activation', () => {
    const x = img([-2, -0.5, 0.5, 1.5, 7], [1, 5]);
    const relu = new ReLU({ maxValue: 6, negativeSlope: 0.1, threshold: 1 });
    assertClose(relu.forward([x], ctx()).data, [-0.3, -0.15, -0.05, 1.5, 6], 'relu');
    assertClose(relu.backward(img([1, 1, 1, 1, 1], [1, 5]), ctx())[0]!.data, [0.1, 0.1, 0.1, 1, 0], 'relu dx');
    const leaky = new LeakyReLU({ alpha: 0.2 });
    assert.equal(leaky.negativeSlope, 0.2);
    assertClose(leaky.forward([x], ctx()).data, [-0.4, -0.1, 0.5, 1.5, 7], 'leaky');
    assert.equal(new LeakyReLU().negativeSlope, 0.3);
    const sm = new Softmax();
    const y = sm.forward([img([1, 2, 3, 0, 0, 0], [2, 3])], ctx()).data;
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const s = e[0]! + e[1]! + e[2]!;
    assertClose(y, [e[0]! / s, e[1]! / s, e[2]! / s, 1 / 3, 1 / 3, 1 / 3], 'softmax');
    const act = new Activation({ activation: 'tanh' });
    assertClose(act.forward([x], ctx()).data, Array.from(x.data, Math.tanh), 'tanh');
    const dx = act.backward(img([1, 1, 1, 1, 1], [1, 5]), ctx())[0]!.data;
    assertClose(
      dx,
      Array.from(x.data, (v) => 1 - Math.tanh(v) ** 2),
      'tanh dx',
    );
    assert.throws(() => new Softmax({ axis: 1 }), /Softmax: invalid 'axis'/);
    assert.throws(() => new Activation({ activation: 'selu' }), /unknown activation "selu"/);
  });
});

describe('merge layers', () => {
  test('Add sums inputs; every input gets dy (independent copies)', () => {
    const add = new Add();
    const out = add.forward([img([1, 2], [1, 2]), img([10, 20], [1, 2]), img([100, 200], [1, 2])], ctx());
    assert.deepEqual(Array.from(out.data), [111, 222]);
    const grads = add.backward(img([1, -1], [1, 2]), ctx());
    assert.equal(grads.length, 3);
    for (const g of grads) assert.deepEqual(Array.from(g!.data), [1, -1]);
    assert.notEqual(grads[0]!.data, grads[1]!.data);
    assert.throws(
      () =>
        add.computeOutputShape([
          [null, 2],
          [null, 3],
        ]),
      /Expected equal shapes/,
    );
  });

  test('Concatenate along channels and along axis 1, backward splits dy', () => {
    const a = img([1, 2, 3, 4], [2, 1, 2]);
    const b = img([5, 6], [2, 1, 1]);
    const cat = new Concatenate();
    const out = cat.forward([a, b], ctx());
    assert.deepEqual(out.shape, [2, 1, 3]);
    assert.deepEqual(Array.from(out.data), [1, 2, 5, 3, 4, 6]);
    const [da, db] = cat.backward(img([10, 20, 30, 40, 50, 60], [2, 1, 3]), ctx());
    assert.deepEqual(Array.from(da!.data), [10, 20, 40, 50]);
    assert.deepEqual(Array.from(db!.data), [30, 60]);
    const rows = new Concatenate({ axis: 1 });
    assert.deepEqual(
      rows.computeOutputShape([
        [null, 1, 2],
        [null, 3, 2],
      ]),
      [null, 4, 2],
    );
    const r = rows.forward([a, img([7, 8, 9, 10], [2, 1, 2])], ctx());
    assert.deepEqual(Array.from(r.data), [1, 2, 7, 8, 3, 4, 9, 10]);
    assert.throws(() => new Concatenate({ axis: 0 }), /Concatenate: invalid 'axis'/);
  });
});

describe('InputLayer', () => {
  test('declares the batch shape; checks inputs', () => {
    const input = new InputLayer({ inputShape: [28, 28, 1] });
    assert.deepEqual(input.declaredBatchInputShape(), [null, 28, 28, 1]);
    assert.throws(() => input.computeOutputShape([null, 28, 28, 3]), /Expected \(None, 28, 28, 1\)/);
    assert.throws(() => new InputLayer({}), /InputLayer: invalid 'inputShape'/);
    assert.deepEqual(new InputLayer({ shape: [4] }).declaredBatchInputShape(), [null, 4]);
  });
});
