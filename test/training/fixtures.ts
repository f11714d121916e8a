// Shared fixtures for model and training tests: the reference backend, small models, toy data, and a
// finite-difference gradient check through a whole compiled model.

import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { Dense } from '../../src/layers/dense.js';
import type { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import type { Tensor } from '../../src/tensor.js';
import { SGD } from '../../src/training/optimizers/index.js';
import { runBatch } from '../../src/training/step.js';

export const backend = createReferenceBackend();

/** Deterministic pseudo-random numbers in [-1, 1). */
export function seeded(n: number, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** A separable toy problem: 3 classes decided by which of the first 3 features is largest. */
export function toyData(n: number, features = 6, seed = 3): { x: Tensor; y: Tensor; yOneHot: Tensor } {
  const x = seeded(n * features, seed);
  const y = new Float32Array(n);
  const oneHot = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < 3; c++) if (x[i * features + c]! > x[i * features + best]!) best = c;
    y[i] = best;
    oneHot[i * 3 + best] = 1;
  }
  return { x: { data: x, shape: [n, features] }, y: { data: y, shape: [n] }, yOneHot: { data: oneHot, shape: [n, 3] } };
}

export function smallSequential(features = 6): Sequential {
  const model = new Sequential([
    new Dense({ units: 8, activation: 'tanh', inputShape: [features] }),
    new Dense({ units: 3, activation: 'softmax' }),
  ]);
  model.backendOverride = backend;
  return model;
}

/**
 * Compares the weight gradients backward() leaves (one SGD step at learning rate 0) with central finite
 * differences of the loss that forward() computes, in float32.
 */
export function checkGradients(
  model: Model,
  x: Tensor | Tensor[],
  y: Tensor,
  loss = 'sparseCategoricalCrossentropy',
  probes = 12,
): void {
  model.backendOverride = backend;
  model.compile({ optimizer: new SGD({ learningRate: 0 }), loss });
  const xs = Array.isArray(x) ? x : [x];
  runBatch(model, xs, y, null, true);
  const weights = model.trainableWeights;
  const analytic = weights.map((w) => w.grad.slice());
  const eps = 1e-2;
  let checked = 0;
  weights.forEach((w, wi) => {
    const step = Math.max(1, Math.floor(w.value.length / probes));
    for (let i = 0; i < w.value.length; i += step) {
      const original = w.value[i]!;
      w.value[i] = original + eps;
      const plus = runBatch(model, xs, y, null, false);
      w.value[i] = original - eps;
      const minus = runBatch(model, xs, y, null, false);
      w.value[i] = original;
      const numeric = (plus - minus) / (2 * eps);
      const got = analytic[wi]![i]!;
      assert.ok(
        Math.abs(numeric - got) <= 3e-3 + 3e-2 * Math.abs(numeric),
        `${w.name}[${i}]: backward ${got}, finite difference ${numeric}`,
      );
      checked++;
    }
  });
  assert.ok(checked > 0);
}
