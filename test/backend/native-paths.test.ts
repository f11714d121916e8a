// Native against reference for the native paths the general suites miss: the hand-written AVX-512 one-channel
// 3x3 convolutions (16 and 32 filters, `same` borders, stride and dilation, no bias) with the AVX-512 kernels on
// and switched off at run time (the path a machine without AVX-512 takes; the addon's call counter proves which
// ran), dilation with `same` and with stride, depthwise with dilation, and the OpenMP branches above the
// parallel thresholds in native/*.cc, at 1 and 2 threads.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, describe, test } from 'node:test';
import type { Conv2dAttrs, Padding2d } from '../../src/backend/backend.js';
import { type Addon, loadNativeAddon } from '../../src/backend/native.js';
import { conv2dGeometry } from '../../src/backend/shapes.js';
import { reference } from '../helpers/backends.js';
import { atThreads, both, expectClose, native, rand, skip } from '../helpers/native-compare.js';

interface KernelInfo {
  avx512Compiled: boolean;
  avx512Kernels: boolean;
  smallConvCalls: number;
  onednnAvx512: boolean;
}

const addon = (): Addon => loadNativeAddon();
const info = (): KernelInfo => addon().kernelInfo!() as KernelInfo;
const setAvx512 = (on: boolean): void => {
  addon().setAvx512Kernels!(on);
};

interface ConvCase {
  x: [number, number, number, number];
  k: [number, number];
  co: number;
  s?: [number, number];
  d?: [number, number];
  padding: 'valid' | 'same' | Padding2d;
  groups?: number;
}

function attrsOf(c: ConvCase): Conv2dAttrs {
  return {
    batch: c.x[0],
    inHeight: c.x[1],
    inWidth: c.x[2],
    inChannels: c.x[3],
    outChannels: c.co,
    kernelHeight: c.k[0],
    kernelWidth: c.k[1],
    strides: c.s ?? [1, 1],
    dilations: c.d ?? [1, 1],
    padding: c.padding,
    groups: c.groups ?? 1,
    activation: 'linear',
  };
}

function caseName(c: ConvCase): string {
  const a = attrsOf(c);
  return `x=[${c.x}] k=${c.k.join('x')} co=${c.co} s=${a.strides} d=${a.dilations} ${JSON.stringify(c.padding)} g=${a.groups}`;
}

/** Forward (bias + fused relu, and no bias), backward data, backward weights (+ bias, no bias) against reference. */
function compareConv(c: ConvCase, passes: { data: boolean }): void {
  const attrs = attrsOf(c);
  const g = conv2dGeometry(attrs);
  const [n, h, w, ci] = c.x;
  const xLen = n * h * w * ci;
  const yLen = n * g.outHeight * g.outWidth * c.co;
  const wLen = c.k[0] * c.k[1] * (ci / attrs.groups) * c.co;
  const name = caseName(c);
  both(
    `${name} forward relu`,
    [new Float32Array(yLen), rand(xLen, 1), rand(wLen, 2), rand(c.co, 3)],
    (b, [y, x, k, bias]) => b.conv2dForward(y!, x!, k!, bias!, { ...attrs, activation: 'relu' }),
    1e-4,
    1e-4,
  );
  both(
    `${name} forward no bias`,
    [new Float32Array(yLen), rand(xLen, 4), rand(wLen, 5)],
    (b, [y, x, k]) => b.conv2dForward(y!, x!, k!, null, attrs),
    1e-4,
    1e-4,
  );
  if (passes.data) {
    both(
      `${name} backward data`,
      [new Float32Array(xLen), rand(yLen, 6), rand(wLen, 7)],
      (b, [dx, dy, k]) => b.conv2dBackwardData(dx!, dy!, k!, attrs),
      1e-4,
      1e-4,
    );
  }
  both(
    `${name} backward weights + bias`,
    [new Float32Array(wLen), new Float32Array(c.co), rand(xLen, 8), rand(yLen, 9)],
    (b, [dw, db, x, dy]) => b.conv2dBackwardWeights(dw!, db!, x!, dy!, attrs),
    1e-3,
    1e-4,
  );
  both(
    `${name} backward weights no bias`,
    [new Float32Array(wLen), rand(xLen, 10), rand(yLen, 11)],
    (b, [dw, x, dy]) => b.conv2dBackwardWeights(dw!, null, x!, dy!, attrs),
    1e-3,
    1e-4,
  );
}

// One input channel, 3x3, 16 or 32 filters: the shapes conv_small.cc takes (borders, stride, dilation, pads).
const smallCases: ConvCase[] = [
  { x: [2, 9, 11, 1], k: [3, 3], co: 16, padding: 'valid' },
  { x: [3, 10, 9, 1], k: [3, 3], co: 32, padding: 'same' },
  { x: [2, 11, 10, 1], k: [3, 3], co: 16, s: [2, 2], padding: 'same' },
  { x: [2, 12, 12, 1], k: [3, 3], co: 16, d: [2, 2], padding: 'same' },
  { x: [1, 13, 12, 1], k: [3, 3], co: 32, s: [2, 1], d: [1, 2], padding: 'valid' },
  { x: [2, 7, 8, 1], k: [3, 3], co: 16, padding: { top: 2, bottom: 0, left: 1, right: 2 } },
];
// One channel but outside the hand-written kernels: oneDNN must take them.
const notSmall: ConvCase[] = [
  { x: [2, 9, 9, 1], k: [3, 3], co: 8, padding: 'same' },
  { x: [2, 9, 9, 1], k: [5, 5], co: 16, padding: 'same' },
  { x: [2, 9, 9, 2], k: [3, 3], co: 16, padding: 'same' },
];
// Dilation with `same` and with stride; depthwise (groups = channels) with dilation.
const dilated: ConvCase[] = [
  { x: [2, 9, 9, 3], k: [3, 3], co: 4, d: [2, 2], padding: 'same' },
  { x: [2, 11, 10, 3], k: [3, 3], co: 4, d: [2, 2], s: [2, 2], padding: 'same' },
  { x: [1, 12, 11, 2], k: [3, 2], co: 3, d: [2, 3], s: [2, 1], padding: 'valid' },
  { x: [2, 9, 9, 4], k: [3, 3], co: 4, groups: 4, d: [2, 2], padding: 'same' },
  { x: [2, 10, 9, 3], k: [3, 3], co: 6, groups: 3, d: [2, 1], padding: 'same' },
  { x: [2, 12, 12, 4], k: [3, 3], co: 8, groups: 4, d: [2, 2], s: [2, 2], padding: 'valid' },
];

describe('native paths: hand-written one-channel convolutions, AVX-512 on and off', { skip }, () => {
  after(() => {
    if (!skip) setAvx512(info().avx512Compiled);
  });
  for (const on of [true, false]) {
    for (const c of smallCases) {
      test(`${caseName(c)} with the AVX-512 kernels ${on ? 'on' : 'off'}`, () => {
        setAvx512(on);
        const before = info().smallConvCalls;
        compareConv(c, { data: true });
        const ran = info().smallConvCalls - before;
        // 2 forward + 2 backward-weights calls take the hand-written kernels when they are compiled in and on.
        assert.equal(ran, on && info().avx512Compiled ? 4 : 0, `hand-written kernel calls: ${ran}`);
      });
    }
  }
  for (const c of notSmall) {
    test(`${caseName(c)} is left to oneDNN`, () => {
      setAvx512(true);
      const before = info().smallConvCalls;
      compareConv(c, { data: true });
      assert.equal(info().smallConvCalls - before, 0);
    });
  }
  test('CONVKIT_AVX512=0 starts with the kernels off and oneDNN limited to AVX2, and still matches the reference', () => {
    const code = `
      const { loadNativeAddon, loadNativeBackend } = await import('./src/backend/native.ts');
      const { createReferenceBackend } = await import('./src/backend/reference/index.ts');
      const attrs = { batch: 2, inHeight: 9, inWidth: 9, inChannels: 1, outChannels: 16, kernelHeight: 3, kernelWidth: 3,
        strides: [1, 1], dilations: [1, 1], padding: 'same', groups: 1, activation: 'relu' };
      const x = Float32Array.from({ length: 162 }, (_, i) => Math.sin(i));
      const w = Float32Array.from({ length: 144 }, (_, i) => Math.cos(i));
      const ys = [loadNativeBackend(), createReferenceBackend()].map((b) => {
        const y = new Float32Array(2592);
        b.conv2dForward(y, x, w, null, attrs);
        return y;
      });
      let worst = 0;
      for (let i = 0; i < ys[0].length; i++) {
        const d = Math.abs(ys[0][i] - ys[1][i]);
        if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
      }
      console.log(JSON.stringify({ ...loadNativeAddon().kernelInfo(), worst: String(worst) }));
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      encoding: 'utf8',
      env: { ...process.env, CONVKIT_AVX512: '0' },
    });
    assert.equal(r.status, 0, r.stderr);
    const seen = JSON.parse(r.stdout) as KernelInfo & { worst: string };
    assert.equal(seen.avx512Kernels, false);
    assert.equal(seen.onednnAvx512, false);
    assert.equal(seen.smallConvCalls, 0);
    assert.ok(Number(seen.worst) <= 1e-5, `largest difference ${seen.worst}`);
  });
  test('kernelInfo reports the switch; setAvx512Kernels takes only booleans', () => {
    setAvx512(false);
    assert.equal(info().avx512Kernels, false);
    setAvx512(true);
    assert.equal(info().avx512Kernels, info().avx512Compiled);
    assert.throws(() => addon().setAvx512Kernels!('off'), /setAvx512Kernels: invalid 'on'\. Expected true or false/);
  });
});

describe('native paths: dilation with same and with stride, depthwise with dilation', { skip }, () => {
  for (const c of dilated) test(caseName(c), () => compareConv(c, { data: true }));
});

// Above every `if (len > ...)` parallel threshold in native/*.cc (2^16 elements, 2^13 for costly math, 32768 for
// optimizers, 256 loss entries, 2^16 pooled inputs).
const BIG = (1 << 17) + 3;

describe('native paths: OpenMP branches above the parallel thresholds', { skip }, () => {
  test(`activations x=[${BIG}]: plain relu, general relu, clipped relu, relu6, sigmoid, softmax`, () => {
    atThreads(native, [1, 2], (t) => {
      for (const a of [
        { kind: 'relu' as const },
        { kind: 'relu' as const, alpha: 0.1, maxValue: 2, threshold: 0.25 },
        { kind: 'relu' as const, maxValue: 2 },
        { kind: 'relu6' as const },
        { kind: 'sigmoid' as const },
        { kind: 'softmax' as const, axisSize: 1 },
      ]) {
        const x = rand(BIG, 70, -4, 4);
        const y = new Float32Array(BIG);
        reference.activationForward(y, x, a);
        both(`act fwd ${a.kind} t=${t}`, [new Float32Array(BIG), x], (b, [o, xx]) => b.activationForward(o!, xx!, a), 1e-6, 1e-5);
        both(
          `act bwd ${a.kind} t=${t}`,
          [new Float32Array(BIG), rand(BIG, 71), x, y],
          (b, [dx, dy, xx, yy]) => b.activationBackward(dx!, dy!, xx!, yy!, a),
          1e-6,
          1e-5,
        );
      }
    });
  });
  test(`element-wise and reductions x=[${BIG}]`, () => {
    atThreads(native, [1, 2], (t) => {
      both(`axpby t=${t}`, [new Float32Array(BIG), rand(BIG, 72), rand(BIG, 73)], (b, [o, p, q]) => b.axpby(o!, p!, q!, 0.5, -2));
      both(`multiply t=${t}`, [new Float32Array(BIG), rand(BIG, 74), rand(BIG, 75)], (b, [o, p, q]) => b.multiply(o!, p!, q!));
      both(`scale t=${t}`, [new Float32Array(BIG), rand(BIG, 76)], (b, [o, p]) => b.scale(o!, p!, 3));
      both(`clip t=${t}`, [new Float32Array(BIG), rand(BIG, 77)], (b, [o, p]) => b.clip(o!, p!, -0.5, 0.25));
      const x = rand(BIG, 78);
      expectClose(`sumSquares t=${t}`, [native.sumSquares(x)], [reference.sumSquares(x)], 1e-2, 1e-5);
    });
  });
  test('random and dropout x=[131075]: bit-exact at any thread count', () => {
    atThreads(native, [1, 2], (t) => {
      const out = [native, reference].map((b) => {
        const u = new Float32Array(BIG);
        b.random(u, { seed: 9, offset: 5, distribution: 'uniform', low: -2, high: 3 });
        const y = new Float32Array(BIG);
        const mask = new Float32Array(BIG);
        b.dropoutForward(y, mask, rand(BIG, 79), { rate: 0.3, seed: 9, offset: 11 });
        return [u, y, mask];
      });
      for (const i of [0, 1, 2]) expectClose(`random/dropout ${i} t=${t}`, out[0]![i]!, out[1]![i]!, 0, 0);
    });
  });
  test('pooling x=[4,64,64,17] (above 2^16 inputs): max, average, forward and backward', () => {
    const p = {
      batch: 4,
      inHeight: 64,
      inWidth: 64,
      channels: 17,
      poolSize: [2, 2] as [number, number],
      strides: [2, 2] as [number, number],
      padding: 'same' as const,
    };
    const xLen = 4 * 64 * 64 * 17;
    const yLen = 4 * 32 * 32 * 17;
    atThreads(native, [1, 2], (t) => {
      const x = rand(xLen, 80);
      const am = [new Int32Array(yLen), new Int32Array(yLen)];
      const ys = [new Float32Array(yLen), new Float32Array(yLen)];
      native.maxPool2dForward(ys[0]!, am[0]!, x, p);
      reference.maxPool2dForward(ys[1]!, am[1]!, x, p);
      expectClose(`max y t=${t}`, ys[0]!, ys[1]!, 0, 0);
      expectClose(`max argmax t=${t}`, am[0]!, am[1]!, 0, 0);
      const dy = rand(yLen, 81);
      both(`max bwd t=${t}`, [new Float32Array(xLen)], (b, [dx]) => b.maxPool2dBackward(dx!, dy, am[0]!, p));
      both(`avg fwd t=${t}`, [new Float32Array(yLen), x], (b, [y, xx]) => b.avgPool2dForward(y!, xx!, p));
      both(`avg bwd t=${t}`, [new Float32Array(xLen), dy], (b, [dx, d]) => b.avgPool2dBackward(dx!, d!, p));
    });
  });
  test('losses n=600 classes=10 (above 256 entries), every kind', () => {
    const n = 600;
    const k = 10;
    atThreads(native, [1, 2], (t) => {
      for (const kind of [
        'categoricalCrossentropy',
        'sparseCategoricalCrossentropy',
        'binaryCrossentropy',
        'meanSquaredError',
      ] as const) {
        const sparse = kind === 'sparseCategoricalCrossentropy';
        const target = sparse ? Float32Array.from({ length: n }, (_, i) => (i * 7) % k) : rand(n * k, 82, 0, 1);
        const a = { kind, batch: n, classes: k, fromLogits: kind !== 'binaryCrossentropy', labelSmoothing: 0.1 };
        both(
          `loss ${kind} t=${t}`,
          [
            new Float32Array(n),
            new Float32Array(n * k),
            rand(n * k, 83, kind === 'binaryCrossentropy' ? 0.01 : -3, kind === 'binaryCrossentropy' ? 0.99 : 3),
            target,
          ],
          (b, [l, d, inp, tg]) => b.lossForward(l!, d!, inp!, tg!, a),
          1e-5,
          1e-4,
        );
      }
    });
  });
  test('optimizers over 70000 parameters (above 32768): SGD momentum, Adam, RMSprop centered', () => {
    const len = 70000;
    atThreads(native, [1, 2], (t) => {
      both(`sgd t=${t}`, [rand(len, 84), rand(len, 85), rand(len, 86)], (b, [p, g, v]) =>
        b.sgdUpdate(p!, g!, v!, { learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
      );
      both(`adam t=${t}`, [rand(len, 87), rand(len, 88), rand(len, 89), rand(len, 90, 0, 1)], (b, [p, g, m, v]) =>
        b.adamUpdate(p!, g!, m!, v!, { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, step: 3, weightDecay: 0 }),
      );
      both(
        `rmsprop t=${t}`,
        [rand(len, 91), rand(len, 92), rand(len, 93, 0.5, 1), rand(len, 94, -0.1, 0.1), rand(len, 95)],
        (b, [p, g, ms, mg, mb]) =>
          b.rmspropUpdate(p!, g!, ms!, mg!, mb!, {
            learningRate: 0.01,
            rho: 0.9,
            momentum: 0.5,
            epsilon: 1e-7,
            centered: true,
            weightDecay: 0,
          }),
        1e-5,
        1e-4,
      );
    });
  });
  test('batch norm count=8192 C=16, training and inference, forward and backward', () => {
    const count = 8192;
    const c = 16;
    const a = { count, channels: c, epsilon: 1e-3, momentum: 0.99 };
    atThreads(native, [1, 2], (t) => {
      const x = rand(count * c, 96, -2, 3);
      both(
        `bn train t=${t}`,
        [
          new Float32Array(count * c),
          new Float32Array(c),
          new Float32Array(c),
          x,
          rand(c, 97),
          rand(c, 98),
          rand(c, 99),
          rand(c, 100, 0.5, 2),
        ],
        (b, [y, m, s, xx, gm, bt, mm, mv]) => b.batchNormForwardTraining(y!, m!, s!, xx!, gm!, bt!, mm!, mv!, a),
        1e-4,
        1e-4,
      );
      for (const training of [true, false]) {
        both(
          `bn backward training=${training} t=${t}`,
          [
            new Float32Array(count * c),
            new Float32Array(c),
            new Float32Array(c),
            rand(count * c, 101),
            x,
            rand(c, 102),
            rand(c, 103),
            rand(c, 104, 0.5, 2),
          ],
          (b, [dx, dg, dbt, dy, xx, gm, m, s]) => b.batchNormBackward(dx!, dg!, dbt!, dy!, xx!, gm!, m!, s!, { ...a, training }),
          1e-3,
          1e-3,
        );
      }
    });
  });
  test('one-channel convolution x=[16,28,28,1] co=32 same, AVX-512 kernels on and off, 1 and 2 threads', () => {
    const c: ConvCase = { x: [16, 28, 28, 1], k: [3, 3], co: 32, padding: 'same' };
    atThreads(native, [1, 2], () => {
      for (const on of [true, false]) {
        setAvx512(on);
        compareConv(c, { data: false });
      }
    });
    setAvx512(info().avx512Compiled);
  });
});
