// Native kernels whose sums are split among threads give the same bits at 1, 2 and 3 threads (the adaptive
// default switches counts between steps, so a count-dependent rounding would make seeded runs differ), and
// stay close to the reference backend on the paths this adds (batch slices, large-batch dense).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Backend, Conv2dAttrs } from '../../src/backend/backend.js';
import { reference } from '../helpers/backends.js';
import { expectClose, native, rand, skip } from '../helpers/native-compare.js';

/** Runs `kernel` at 1, 2 and 3 threads (back to the adaptive default after) and asserts identical bits. */
function sameBitsAtEveryCount(what: string, kernel: (b: Backend) => Float32Array[]): Float32Array[] {
  const runs: Float32Array[][] = [];
  try {
    for (const count of [1, 2, 3]) {
      native.setThreads(count);
      runs.push(kernel(native));
    }
  } finally {
    native.setThreads('auto');
  }
  for (let r = 1; r < runs.length; r++)
    for (const [k, a] of runs[0]!.entries()) {
      const b = runs[r]![k]!;
      const first = a.findIndex((v, j) => !Object.is(v, b[j]));
      assert.equal(first, -1, `${what} output ${k} at ${r + 1} threads: index ${first} differs (${a[first]} vs ${b[first]})`);
    }
  return runs[0]!;
}

const conv = (a: Partial<Conv2dAttrs> & Pick<Conv2dAttrs, 'inChannels' | 'outChannels'>): Conv2dAttrs => ({
  batch: 5,
  inHeight: 9,
  inWidth: 9,
  kernelHeight: 3,
  kernelWidth: 3,
  strides: [1, 1],
  dilations: [1, 1],
  padding: 'valid',
  groups: 1,
  activation: 'linear',
  ...a,
});

const convCases: [string, Conv2dAttrs][] = [
  ['one input channel, 16 filters (hand-written kernel)', conv({ inChannels: 1, outChannels: 16, padding: 'same' })],
  ['16 -> 32, 3x3 stride 1 (Winograd)', conv({ inChannels: 16, outChannels: 32 })],
  ['3 -> 8, stride 2 same (oneDNN direct)', conv({ inChannels: 3, outChannels: 8, strides: [2, 2], padding: 'same' })],
  ['depthwise 8 channels x 2', conv({ inChannels: 8, outChannels: 16, groups: 8 })],
  ['batch 1 (a single slice)', conv({ batch: 1, inChannels: 3, outChannels: 8 })],
];

describe('native: the same bits at every thread count', { skip }, () => {
  for (const [name, a] of convCases) {
    test(`conv2dBackwardWeights ${name}`, () => {
      const oh = a.padding === 'same' ? Math.ceil(a.inHeight / a.strides[0]) : a.inHeight - 2;
      const ow = a.padding === 'same' ? Math.ceil(a.inWidth / a.strides[1]) : a.inWidth - 2;
      const x = rand(a.batch * a.inHeight * a.inWidth * a.inChannels, 70);
      const dy = rand(a.batch * oh * ow * a.outChannels, 71);
      const kernel = (b: Backend) => {
        const dw = new Float32Array(9 * (a.inChannels / a.groups) * a.outChannels);
        const db = new Float32Array(a.outChannels);
        b.conv2dBackwardWeights(dw, db, x, dy, a);
        return [dw, db];
      };
      const [dw, db] = sameBitsAtEveryCount(name, kernel);
      const [rw, rb] = kernel(reference);
      expectClose('dw', dw!, rw!, 1e-4, 1e-4);
      expectClose('db', db!, rb!, 1e-4, 1e-4);
    });
  }

  test('denseBackwardWeights batch 2048 (split over the batch) and 64', () => {
    for (const batch of [2048, 64]) {
      const a = { batch, inUnits: 32, outUnits: 10, activation: 'linear' as const };
      const x = rand(batch * 32, 72);
      const dy = rand(batch * 10, 73);
      const kernel = (b: Backend) => {
        const dw = new Float32Array(320);
        const db = new Float32Array(10);
        b.denseBackwardWeights(dw, db, x, dy, a);
        return [dw, db];
      };
      const [dw, db] = sameBitsAtEveryCount(`dense batch ${batch}`, kernel);
      const [rw, rb] = kernel(reference);
      expectClose(`dw batch ${batch}`, dw!, rw!, 1e-3, 1e-4);
      expectClose(`db batch ${batch}`, db!, rb!, 1e-3, 1e-4);
    }
  });

  test('batchNormForwardTraining and batchNormBackward, 9000 rows', () => {
    const count = 9000;
    const c = 6;
    const x = rand(count * c, 74);
    const dy = rand(count * c, 75);
    const gamma = rand(c, 76, 0.5, 1.5);
    const beta = rand(c, 77);
    const attrs = { count, channels: c, epsilon: 1e-3, momentum: 0.99, training: true };
    const kernel = (b: Backend) => {
      const y = new Float32Array(count * c);
      const mean = new Float32Array(c);
      const inv = new Float32Array(c);
      const mm = new Float32Array(c);
      const mv = new Float32Array(c).fill(1);
      b.batchNormForwardTraining(y, mean, inv, x, gamma, beta, mm, mv, attrs);
      const dx = new Float32Array(count * c);
      const dg = new Float32Array(c);
      const dB = new Float32Array(c);
      b.batchNormBackward(dx, dg, dB, dy, x, gamma, mean, inv, attrs);
      return [y, mean, inv, mm, mv, dx, dg, dB];
    };
    const got = sameBitsAtEveryCount('batch norm', kernel);
    const want = kernel(reference);
    for (const [k, g] of got.entries()) expectClose(`batch norm output ${k}`, g, want[k]!, 1e-4, 1e-3);
  });

  test('sumSquares over 300,000 values', () => {
    const x = rand(300_000, 78);
    const [s] = sameBitsAtEveryCount('sumSquares', (b) => [new Float32Array(new Float64Array([b.sumSquares(x)]).buffer)]);
    const want = reference.sumSquares(x);
    assert.ok(Math.abs(new Float64Array(s!.buffer)[0]! - want) <= 1e-9 * want, `sumSquares ${s} vs ${want}`);
  });
});
