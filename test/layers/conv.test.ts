// Conv2D, DepthwiseConv2D and SeparableConv2D forward and backward against the plain-loop convolution in
// naive.ts (valid/same, stride 2, dilation 2, groups, depth multiplier 2), fused and separate activations,
// the FusableOutputLayer path, frozen layers, and Keras's parameter counts.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Conv2D } from '../../src/layers/conv2d.js';
import { DepthwiseConv2D } from '../../src/layers/depthwise-conv2d.js';
import { isFusableOutputLayer } from '../../src/layers/layer.js';
import { SeparableConv2D } from '../../src/layers/separable-conv2d.js';
import { assertClose, convBackward, convForward, ctx, type NaiveConv, rand } from './naive.js';

const cases: (Partial<NaiveConv> & { label: string; padding: 'valid' | 'same' })[] = [
  { label: 'k=3 valid', padding: 'valid' },
  { label: 'k=3 s=2 same', padding: 'same', stride: [2, 2] },
  { label: 'k=3 d=2 same', padding: 'same', dilation: [2, 2] },
  { label: 'k=3 s=2 valid groups=2', padding: 'valid', stride: [2, 2], groups: 2 },
  { label: 'k=2x3 s=[1,2] same', padding: 'same', stride: [1, 2], kh: 2, kw: 3 },
];

describe('Conv2D', () => {
  for (const c of cases) {
    test(`forward/backward x=[2,7,6,4] ${c.label}`, () => {
      const p: NaiveConv = {
        n: 2,
        h: 7,
        w: 6,
        ci: 4,
        co: 6,
        kh: 3,
        kw: 3,
        stride: [1, 1],
        dilation: [1, 1],
        same: c.padding === 'same',
        groups: 1,
        ...c,
      };
      const layer = new Conv2D({
        filters: p.co,
        kernelSize: [p.kh, p.kw],
        strides: p.stride,
        dilationRate: p.dilation,
        padding: c.padding,
        groups: p.groups,
        biasInitializer: { className: 'RandomNormal', config: { seed: 3 } },
      });
      layer.build([null, p.h, p.w, p.ci]);
      const x = rand(p.n * p.h * p.w * p.ci, 11);
      const out = layer.forward([{ data: x, shape: [p.n, p.h, p.w, p.ci] }], ctx());
      const ref = convForward(p, x, layer.kernel!.value, layer.bias!.value);
      assert.deepEqual(out.shape, [p.n, ref.oh, ref.ow, p.co]);
      assert.deepEqual(layer.computeOutputShape([null, p.h, p.w, p.ci]), [null, ref.oh, ref.ow, p.co]);
      assertClose(out.data, ref.y, 'y');
      const dy = rand(out.data.length, 12);
      const [dx] = layer.backward({ data: dy, shape: out.shape }, ctx());
      const g = convBackward(p, x, layer.kernel!.value, dy);
      assertClose(dx!.data, g.dx, 'dx');
      assertClose(layer.kernel!.grad, g.dw, 'dw');
      assertClose(layer.bias!.grad, g.db, 'db');
    });
  }

  test('relu fused and tanh separate: forward and backward', () => {
    const p: NaiveConv = {
      n: 1,
      h: 5,
      w: 5,
      ci: 2,
      co: 3,
      kh: 3,
      kw: 3,
      stride: [1, 1],
      dilation: [1, 1],
      same: true,
      groups: 1,
    };
    const x = rand(50, 5);
    for (const act of ['relu', 'tanh'] as const) {
      const layer = new Conv2D({ filters: 3, kernelSize: 3, padding: 'same', activation: act });
      layer.build([null, 5, 5, 2]);
      const out = layer.forward([{ data: x, shape: [1, 5, 5, 2] }], ctx());
      const z = convForward(p, x, layer.kernel!.value, layer.bias!.value).y;
      const f = act === 'relu' ? (v: number) => Math.max(v, 0) : Math.tanh;
      assertClose(out.data, Array.from(z, f), `${act} y`);
      const dy = rand(out.data.length, 6);
      const [dx] = layer.backward({ data: dy, shape: out.shape }, ctx());
      const dz = Array.from(dy, (d, i) => (act === 'relu' ? (z[i]! > 0 ? d : 0) : d * (1 - Math.tanh(z[i]!) ** 2)));
      assertClose(dx!.data, convBackward(p, x, layer.kernel!.value, dz).dx, `${act} dx`);
    }
  });

  test('softmax output is fusable: preActivation is the logits, backwardPreActivation backprops from them', () => {
    const layer = new Conv2D({ filters: 4, kernelSize: 1, activation: 'softmax' });
    assert.ok(isFusableOutputLayer(layer));
    assert.equal(layer.outputActivation(), 'softmax');
    const x = rand(2 * 2 * 2 * 3, 8);
    const out = layer.forward([{ data: x, shape: [2, 2, 2, 3] }], ctx());
    const z = layer.preActivation();
    for (let r = 0; r < 8; r++) {
      const row = Array.from(z.data.subarray(r * 4, r * 4 + 4));
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      assertClose(
        out.data.subarray(r * 4, r * 4 + 4),
        e.map((v) => v / s),
        'softmax row',
      );
    }
    const dz = rand(z.data.length, 9);
    const [dx] = layer.backwardPreActivation({ data: dz, shape: z.shape }, ctx());
    const p: NaiveConv = {
      n: 2,
      h: 2,
      w: 2,
      ci: 3,
      co: 4,
      kh: 1,
      kw: 1,
      stride: [1, 1],
      dilation: [1, 1],
      same: false,
      groups: 1,
    };
    assertClose(dx!.data, convBackward(p, x, layer.kernel!.value, dz).dx, 'dx');
  });

  test('frozen layer keeps weight grads untouched; needsInputGrad=false returns null', () => {
    const layer = new Conv2D({ filters: 2, kernelSize: 3, trainable: false });
    const out = layer.forward([{ data: rand(2 * 4 * 4 * 1, 1), shape: [2, 4, 4, 1] }], ctx());
    const [dx] = layer.backward({ data: rand(out.data.length, 2), shape: out.shape }, ctx(true, false));
    assert.equal(dx, null);
    assert.ok(layer.kernel!.grad.every((v) => v === 0));
  });

  test('reuses its output buffer while the batch size is unchanged', () => {
    const layer = new Conv2D({ filters: 2, kernelSize: 3 });
    const a = layer.forward([{ data: rand(32, 1), shape: [2, 4, 4, 1] }], ctx());
    const b = layer.forward([{ data: rand(32, 2), shape: [2, 4, 4, 1] }], ctx());
    assert.equal(a.data, b.data);
    const c = layer.forward([{ data: rand(16, 2), shape: [1, 4, 4, 1] }], ctx());
    assert.equal(c.data.length, 2 * 2 * 2);
  });

  test('parameter counts and FLOPs match Keras (100 filters 3x3 on 400x600x3 = 2,800)', () => {
    const layer = new Conv2D({ filters: 100, kernelSize: [3, 3], activation: 'relu', inputShape: [400, 600, 3] });
    assert.deepEqual(layer.computeOutputShape([null, 400, 600, 3]), [null, 398, 598, 100]);
    layer.build([null, 400, 600, 3]);
    assert.equal(layer.countParams(), 2800);
    assert.equal(layer.flopsPerSample(), 2 * 398 * 598 * 100 * 27);
    const mnist = new Conv2D({ filters: 64, kernelSize: 3 });
    mnist.build([null, 13, 13, 32]);
    assert.equal(mnist.countParams(), 18496);
  });

  test('bad options and shapes give clear errors', () => {
    assert.throws(
      () => new Conv2D({ filters: 0, kernelSize: 3 }),
      /Conv2D: invalid 'filters'. Expected a positive integer, received 0\./,
    );
    assert.throws(() => new Conv2D({ filters: 3, kernelSize: [3] as unknown as number }), /invalid 'kernelSize'/);
    assert.throws(
      () => new Conv2D({ filters: 3, kernelSize: 3, padding: 'full' as 'same' }),
      /invalid 'padding'. Expected 'valid' or 'same'/,
    );
    assert.throws(
      () => new Conv2D({ filters: 3, kernelSize: 3, activation: 'relu7' }),
      /unknown activation "relu7". Expected one of: linear, relu/,
    );
    assert.throws(() => new Conv2D({ filters: 3, kernelSize: 3, groups: 2 }), /invalid 'groups'/);
    assert.throws(() => new Conv2D({ filters: 3, kernelSize: 3, kernalSize: 3 } as never), /unknown option 'kernalSize'/);
    const layer = new Conv2D({ filters: 3, kernelSize: 5, name: 'c5' });
    assert.throws(
      () => layer.computeOutputShape([null, 3, 3, 1]),
      /c5: invalid 'inputShape'. Expected height x width of at least the dilated kernel 5x5/,
    );
    assert.throws(() => layer.computeOutputShape([null, 28, 28]), /c5: invalid 'inputShape'. Expected rank 4/);
  });
});

describe('DepthwiseConv2D', () => {
  for (const [label, stride, padding] of [
    ['s=1 same', 1, 'same'],
    ['s=2 valid', 2, 'valid'],
  ] as const) {
    test(`depthMultiplier=2 ${label} forward/backward vs grouped naive conv`, () => {
      const layer = new DepthwiseConv2D({ kernelSize: 3, strides: stride, padding, depthMultiplier: 2, biasInitializer: 'ones' });
      const shape = [2, 6, 5, 3];
      const x = rand(2 * 6 * 5 * 3, 21);
      const out = layer.forward([{ data: x, shape }], ctx());
      assert.deepEqual(layer.kernel!.shape, [3, 3, 3, 2]);
      assert.equal(layer.kernel!.name, 'depthwise_kernel');
      const p: NaiveConv = {
        n: 2,
        h: 6,
        w: 5,
        ci: 3,
        co: 6,
        kh: 3,
        kw: 3,
        stride: [stride, stride],
        dilation: [1, 1],
        same: padding === 'same',
        groups: 3,
      };
      const ref = convForward(p, x, layer.kernel!.value, layer.bias!.value);
      assert.deepEqual(out.shape, [2, ref.oh, ref.ow, 6]);
      assertClose(out.data, ref.y, 'y');
      const dy = rand(out.data.length, 22);
      const [dx] = layer.backward({ data: dy, shape: out.shape }, ctx());
      const g = convBackward(p, x, layer.kernel!.value, dy);
      assertClose(dx!.data, g.dx, 'dx');
      assertClose(layer.kernel!.grad, g.dw, 'dw');
      assertClose(layer.bias!.grad, g.db, 'db');
    });
  }

  test('accepts groups: 1 from old Keras files, rejects other groups', () => {
    assert.doesNotThrow(() => new DepthwiseConv2D({ kernelSize: 3, groups: 1 }));
    assert.throws(() => new DepthwiseConv2D({ kernelSize: 3, groups: 2 }), /DepthwiseConv2D: invalid 'groups'/);
    assert.throws(
      () => new DepthwiseConv2D({ kernelSize: 3, depthMultiplier: 0 }),
      /invalid 'depthMultiplier'. Expected a positive integer, received 0/,
    );
  });
});

describe('SeparableConv2D', () => {
  test('equals depthwise then pointwise naive convs; backward matches', () => {
    const layer = new SeparableConv2D({
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      depthMultiplier: 2,
      biasInitializer: 'ones',
      activation: 'relu',
    });
    const x = rand(1 * 5 * 5 * 2, 31);
    const out = layer.forward([{ data: x, shape: [1, 5, 5, 2] }], ctx());
    assert.deepEqual(
      layer.weights.map((w) => [w.name, w.shape]),
      [
        ['depthwise_kernel', [3, 3, 2, 2]],
        ['pointwise_kernel', [1, 1, 4, 4]],
        ['bias', [4]],
      ],
    );
    const pd: NaiveConv = {
      n: 1,
      h: 5,
      w: 5,
      ci: 2,
      co: 4,
      kh: 3,
      kw: 3,
      stride: [1, 1],
      dilation: [1, 1],
      same: true,
      groups: 2,
    };
    const pp: NaiveConv = { ...pd, ci: 4, co: 4, kh: 1, kw: 1, groups: 1 };
    const mid = convForward(pd, x, layer.depthwiseKernel!.value, null).y;
    const z = convForward(pp, mid, layer.pointwiseKernel!.value, layer.bias!.value).y;
    assertClose(
      out.data,
      Array.from(z, (v) => Math.max(v, 0)),
      'y',
    );
    const dy = rand(out.data.length, 32);
    const dz = Array.from(dy, (d, i) => (z[i]! > 0 ? d : 0));
    const gp = convBackward(pp, mid, layer.pointwiseKernel!.value, dz);
    const gd = convBackward(pd, x, layer.depthwiseKernel!.value, gp.dx);
    const [dx] = layer.backward({ data: dy, shape: out.shape }, ctx());
    assertClose(dx!.data, gd.dx, 'dx');
    assertClose(layer.pointwiseKernel!.grad, gp.dw, 'pointwise dw');
    assertClose(layer.depthwiseKernel!.grad, gd.dw, 'depthwise dw');
    assertClose(layer.bias!.grad, gp.db, 'db');
  });
});
