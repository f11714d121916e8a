// Grad-CAM and saliency gradients against float64 central differences (reference backend, in a child process where
// Float32Array is Float64Array, as the layer gradchecks do): the saliency gradient is d score / d input and the
// Grad-CAM channel weights are the spatially averaged d score / d activation, on a conv-pool-conv-BN softmax model
// (default layer: the BN after the last convolution) and on a nested model with a one-unit sigmoid output.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Check } from './float64/explain-gradients.child.js';

const CHILD = fileURLToPath(new URL('./float64/explain-gradients.child.ts', import.meta.url));
const FLOAT64 = 'data:text/javascript,globalThis.Float32Array = Float64Array;';
const TOLERANCE = 1e-6;

const run = spawnSync(process.execPath, ['--import', FLOAT64, '--import', 'tsx', CHILD], { encoding: 'utf8' });
let results: Check[] = [];
let failure: string | null = null;
try {
  if (run.status !== 0) throw new Error(`exit ${run.status}`);
  results = JSON.parse(run.stdout) as Check[];
} catch (error) {
  failure = `the float64 child failed (${String(error)}): ${run.stderr}`;
}

describe('explanations: gradients (reference, float64, central differences)', () => {
  test('the float64 child ran every check', () => {
    if (failure) assert.fail(failure);
    assert.equal(results.length, 8);
  });
  for (const check of results) {
    test(check.what, () => {
      assert.ok(
        check.worst <= TOLERANCE,
        `largest relative difference ${check.worst.toExponential(2)} at ${check.index}: analytic ${check.analytic}, numeric ${check.numeric}`,
      );
    });
  }
});
