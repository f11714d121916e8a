// The native backend's OWN argument checks, reached without the shared TypeScript validator (which throws first
// in every other test): the raw backend (createRawNativeBackend) for the sparse-label check in loss.cc, and the
// addon's functions themselves for the N-API glue's buffer kind, length, params and groups checks.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Backend, LossAttrs } from '../../src/backend/backend.js';
import { type Addon, createRawNativeBackend, loadNativeAddon } from '../../src/backend/native.js';
import { BackendError, ValueError } from '../../src/errors.js';
import { atThreads, skip } from '../helpers/native-compare.js';

const addon = (): Addon => loadNativeAddon();
const raw = (): Backend => createRawNativeBackend(addon());

// conv params: [N, H, W, CI, CO, KH, KW, SH, SW, DH, DW, PT, PB, PL, PR, G, OH, OW, relu]
const CONV = [2, 5, 5, 1, 4, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 3, 3, 0];

function sparse(batch: number, classes: number): LossAttrs {
  return { kind: 'sparseCategoricalCrossentropy', batch, classes, fromLogits: true, labelSmoothing: 0 };
}

describe("native backend's own checks (no TypeScript validation in front)", { skip }, () => {
  test('loss.cc: an out-of-range sparse label is a ValueError naming the sample and the value', () => {
    const labels = Float32Array.from([0, 2, 5, 1]);
    assert.throws(
      () => raw().lossForward(new Float32Array(4), new Float32Array(12), new Float32Array(12), labels, sparse(4, 3)),
      (e: unknown) => {
        assert.ok(e instanceof ValueError, String(e));
        assert.match(e.message, /lossForward: invalid 'target'\. Expected class indices in \[0, 3\), received 5 at sample 2/);
        return true;
      },
    );
  });
  test('loss.cc: fractional, negative and NaN labels are refused too', () => {
    for (const bad of [1.5, -1, Number.NaN]) {
      const labels = Float32Array.from([0, bad]);
      assert.throws(
        () => raw().lossForward(new Float32Array(2), null, new Float32Array(6), labels, sparse(2, 3)),
        (e: unknown) =>
          e instanceof ValueError && /received NaN at sample 1|received -1 at sample 1|received 1\.5 at sample 1/.test(e.message),
        `label ${bad}`,
      );
    }
  });
  test('loss.cc: with many samples (parallel loop, 2 threads) the FIRST bad sample is named', () => {
    const n = 2000;
    const labels = new Float32Array(n).map((_, i) => i % 10);
    // Thread 1 starts at sample 1000 and meets its bad label at once; thread 0 reaches 999 last.
    labels[999] = -3;
    labels[1000] = 10;
    const backend = raw();
    atThreads(backend, [2], () => {
      assert.throws(
        () => backend.lossForward(new Float32Array(n), null, new Float32Array(n * 10), labels, sparse(n, 10)),
        /received -3 at sample 999/,
      );
    });
  });
  test('addon glue: wrong buffer kind, short buffers, bad params and groups name the kernel and argument', () => {
    const f = (n: number) => new Float32Array(n);
    const conv = addon().conv2dForward!;
    assert.throws(
      () => conv(f(72), new Int32Array(50), f(36), null, CONV),
      /convkit native conv2dForward: invalid 'x'\. Expected a Float32Array\./,
    );
    assert.throws(
      () => conv(f(72), f(49), f(36), null, CONV),
      /convkit native conv2dForward: invalid 'x'\. Expected at least 50 elements, received 49\./,
    );
    assert.throws(() => conv(f(72), f(50), f(36), f(3), CONV), /invalid 'b'\. Expected at least 4 elements, received 3/);
    assert.throws(() => conv(f(72), f(50), f(36), null, 'params'), /invalid 'params'\. Expected an array of numbers/);
    assert.throws(() => conv(f(72), f(50), f(36), null, CONV.slice(0, 10)), /invalid 'params'\. Expected 19 numbers/);
    const groups = [...CONV];
    groups[15] = 3;
    assert.throws(() => conv(f(72), f(50), f(36), null, groups), /groups must divide inChannels and outChannels/);
    // A zero batch used to reach the threaded backward-weights split and divide by zero (SIGFPE kills the process).
    const convWeights = addon().conv2dBackwardWeights as (...args: unknown[]) => void;
    for (const [at, value, message] of [
      [0, 0, /batch, sizes, channels, kernel, strides and dilations must be >= 1/],
      [7, 0, /strides and dilations must be >= 1/],
      [11, -1, /pads must be >= 0/],
      [16, 0, /output height and width must be >= 1/],
    ] as const) {
      const bad = [...CONV];
      bad[at] = value;
      atThreads(raw(), [1, 2], () => assert.throws(() => convWeights(f(36), null, f(0), f(0), bad), message));
    }
    assert.throws(
      () => addon().denseForward!(f(5), f(6), f(6), null, [2, 3, 3, 0]),
      /convkit native denseForward: invalid 'y'\. Expected at least 6 elements, received 5/,
    );
    assert.throws(
      () => addon().maxPool2dForward!(f(8), new Float32Array(8), f(32), [1, 4, 4, 2, 2, 2, 2, 2, 0, 0, 2, 2]),
      /convkit native maxPool2dForward: invalid 'argmax'\. Expected an Int32Array\./,
    );
  });
  test("the raw backend passes the glue's argument errors through as TypeErrors", () => {
    // groups = 3 does not divide CI = 1: no TypeScript check in front, so the glue's own check answers.
    const attrs = {
      batch: 1,
      inHeight: 3,
      inWidth: 3,
      inChannels: 1,
      outChannels: 3,
      kernelHeight: 1,
      kernelWidth: 1,
      strides: [1, 1] as [number, number],
      dilations: [1, 1] as [number, number],
      padding: 'valid' as const,
      groups: 3,
      activation: 'linear' as const,
    };
    assert.throws(
      () => raw().conv2dForward(new Float32Array(27), new Float32Array(9), new Float32Array(3), null, attrs),
      (e: unknown) =>
        e instanceof TypeError && !(e instanceof BackendError) && /conv2dForward: groups must divide/.test(e.message),
    );
  });
});
