// Reference losses with Keras 3 semantics: per-sample values (times sample weight) and the fused gradient of
// sum(losses) / N with respect to the input. Categorical/binary cross-entropy from probabilities or logits,
// label smoothing, sparse labels (checked), mean squared error. Does not validate attrs or lengths.

import type { FloatArray, LossAttrs } from '../backend.js';
import { checkSparseLabels } from '../validate.js';

// Keras clips probabilities to [1e-7, 1 - 1e-7] in float32, where 1 - 1e-7 rounds to 0.99999988: a saturated
// wrong prediction costs -log(1.19e-7) = 15.94, not -log(1e-7) = 16.12.
const LOW = Math.fround(1e-7);
const HIGH = Math.fround(1 - 1e-7);

function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** Fills `y` with sample n's (smoothed) target row. */
function targetRow(y: Float64Array, target: FloatArray, n: number, a: LossAttrs): void {
  const K = a.classes;
  const ls = a.labelSmoothing;
  if (a.kind === 'sparseCategoricalCrossentropy') {
    y.fill(0);
    y[target[n]!] = 1;
  } else {
    for (let j = 0; j < K; j++) y[j] = target[n * K + j]!;
  }
  if (ls === 0) return;
  if (a.kind === 'binaryCrossentropy') {
    for (let j = 0; j < K; j++) y[j] = y[j]! * (1 - ls) + 0.5 * ls;
  } else if (a.kind !== 'meanSquaredError') {
    for (let j = 0; j < K; j++) y[j] = y[j]! * (1 - ls) + ls / K;
  }
}

export function lossForward(
  losses: FloatArray,
  dInput: FloatArray | null,
  input: FloatArray,
  target: FloatArray,
  a: LossAttrs,
): void {
  const { batch: N, classes: K } = a;
  if (a.kind === 'sparseCategoricalCrossentropy') checkSparseLabels('lossForward', target, K);
  const y = new Float64Array(K);
  const g = new Float64Array(K);
  for (let n = 0; n < N; n++) {
    const base = n * K;
    const weight = a.sampleWeight ? a.sampleWeight[n]! : 1;
    targetRow(y, target, n, a);
    let loss = 0;
    if (a.kind === 'meanSquaredError') {
      for (let j = 0; j < K; j++) {
        const d = input[base + j]! - y[j]!;
        loss += d * d;
        g[j] = (2 * d) / K;
      }
      loss /= K;
    } else if (a.kind === 'binaryCrossentropy') {
      for (let j = 0; j < K; j++) {
        const t = y[j]!;
        const v = input[base + j]!;
        if (a.fromLogits) {
          loss += Math.max(v, 0) - v * t + Math.log1p(Math.exp(-Math.abs(v)));
          g[j] = (sigmoid(v) - t) / K;
        } else {
          const p = Math.min(Math.max(v, LOW), HIGH);
          loss -= t * Math.log(p) + (1 - t) * Math.log(1 - p);
          g[j] = v < LOW || v > HIGH ? 0 : (-t / p + (1 - t) / (1 - p)) / K;
        }
      }
      loss /= K;
    } else if (a.fromLogits) {
      // log-softmax: loss = -sum(y * (z - lse)); gradient sum(y) * softmax - y.
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < K; j++) max = Math.max(max, input[base + j]!);
      let sumExp = 0;
      for (let j = 0; j < K; j++) sumExp += Math.exp(input[base + j]! - max);
      const lse = max + Math.log(sumExp);
      let sumY = 0;
      for (let j = 0; j < K; j++) {
        loss -= y[j]! * (input[base + j]! - lse);
        sumY += y[j]!;
      }
      for (let j = 0; j < K; j++) g[j] = sumY * Math.exp(input[base + j]! - lse) - y[j]!;
    } else {
      // Keras: q = p / sum(p), clipped to [eps, 1 - eps]; loss = -sum(y log q). Chain rule through the normalisation.
      let sumP = 0;
      for (let j = 0; j < K; j++) sumP += input[base + j]!;
      let dot = 0;
      for (let j = 0; j < K; j++) {
        const q = input[base + j]! / sumP;
        const c = Math.min(Math.max(q, LOW), HIGH);
        loss -= y[j]! * Math.log(c);
        const dq = q < LOW || q > HIGH ? 0 : -y[j]! / c;
        g[j] = dq;
        dot += dq * q;
      }
      for (let j = 0; j < K; j++) g[j] = (g[j]! - dot) / sumP;
    }
    losses[n] = loss * weight;
    if (dInput) {
      const k = weight / N;
      for (let j = 0; j < K; j++) dInput[base + j] = g[j]! * k;
    }
  }
}
