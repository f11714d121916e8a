// Float64 finite differences through every layer's backward (not only the kernels), on the reference backend:
// BatchNormalization (training, inference), pooling, depthwise and separable convolutions, global pooling,
// Dropout and SpatialDropout2D with a fixed mask, padding, cropping, reshape, rescaling, the ReLU variants,
// LeakyReLU, Softmax, Activation, Dense and Conv2D with fused relu, and regularizer gradients. Layers are float32
// by contract, so the checks run in a child process where Float32Array is Float64Array (same code, float64
// arithmetic); this file turns its JSON report into one test per layer case.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { CaseResult } from './float64/layer-gradients.child.js';

const CHILD = fileURLToPath(new URL('./float64/layer-gradients.child.ts', import.meta.url));
const FLOAT64 = 'data:text/javascript,globalThis.Float32Array = Float64Array;';
const TOLERANCE = 1e-6;

const run = spawnSync(process.execPath, ['--import', FLOAT64, '--import', 'tsx', CHILD], { encoding: 'utf8' });
let results: CaseResult[] = [];
let failure: string | null = null;
try {
  if (run.status !== 0) throw new Error(`exit ${run.status}`);
  results = JSON.parse(run.stdout) as CaseResult[];
} catch (error) {
  failure = `the float64 child failed (${String(error)}): ${run.stderr}`;
}

describe('gradcheck layers (reference, float64, central differences)', () => {
  test('the float64 child ran every case', () => {
    if (failure) assert.fail(failure);
    assert.ok(results.length >= 40, `${results.length} cases`);
  });
  for (const r of results) {
    test(r.name, () => {
      if (r.error) assert.fail(r.error);
      assert.ok(r.checks.length > 0);
      for (const c of r.checks) {
        // NaN-safe: worst is Infinity for NaN, and `!(worst <= tol)` fails on anything not a small number.
        if (!(c.worst <= TOLERANCE)) {
          assert.fail(
            `${r.name} ${c.what}: largest relative difference ${c.worst} at index ${c.index} (backward ${c.analytic}, finite difference ${c.numeric})`,
          );
        }
      }
    });
  }
});
