// Reference dense (fully connected) kernels: y = act(x @ w + b) and its two backward products, row-major
// loops with the contiguous OUT axis innermost. Accumulates in float64; does not validate.

import type { DenseAttrs, FloatArray } from '../backend.js';

/**
 * True when no value is NaN or infinite. The kernels skip zero inputs (MNIST is mostly zeros) only then:
 * 0 * NaN must stay NaN, as it does in Keras.
 */
export function allFinite(a: FloatArray): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
}

export function denseForward(y: FloatArray, x: FloatArray, w: FloatArray, b: FloatArray | null, a: DenseAttrs): void {
  const { batch: N, inUnits: IN, outUnits: OUT } = a;
  const relu = a.activation === 'relu';
  const acc = new Float64Array(OUT);
  const skipZeros = allFinite(w);
  for (let n = 0; n < N; n++) {
    if (b) acc.set(b);
    else acc.fill(0);
    for (let i = 0; i < IN; i++) {
      const xv = x[n * IN + i]!;
      if (xv === 0 && skipZeros) continue;
      const row = i * OUT;
      for (let o = 0; o < OUT; o++) acc[o] = acc[o]! + xv * w[row + o]!;
    }
    for (let o = 0; o < OUT; o++) {
      const v = acc[o]!;
      y[n * OUT + o] = relu && v < 0 ? 0 : v;
    }
  }
}

/** dx: (N, IN) = dy @ w^T. */
export function denseBackwardData(dx: FloatArray, dy: FloatArray, w: FloatArray, a: DenseAttrs): void {
  const { batch: N, inUnits: IN, outUnits: OUT } = a;
  for (let n = 0; n < N; n++) {
    const dyRow = n * OUT;
    for (let i = 0; i < IN; i++) {
      const row = i * OUT;
      let sum = 0;
      for (let o = 0; o < OUT; o++) sum += dy[dyRow + o]! * w[row + o]!;
      dx[n * IN + i] = sum;
    }
  }
}

/** dw: (IN, OUT) = x^T @ dy; db: (OUT) = column sums of dy. */
export function denseBackwardWeights(dW: FloatArray, dB: FloatArray | null, x: FloatArray, dy: FloatArray, a: DenseAttrs): void {
  const { batch: N, inUnits: IN, outUnits: OUT } = a;
  const acc = new Float64Array(IN * OUT);
  const bias = new Float64Array(OUT);
  const skipZeros = allFinite(dy);
  for (let n = 0; n < N; n++) {
    const dyRow = n * OUT;
    for (let o = 0; o < OUT; o++) bias[o] = bias[o]! + dy[dyRow + o]!;
    for (let i = 0; i < IN; i++) {
      const xv = x[n * IN + i]!;
      if (xv === 0 && skipZeros) continue;
      const row = i * OUT;
      for (let o = 0; o < OUT; o++) acc[row + o] = acc[row + o]! + xv * dy[dyRow + o]!;
    }
  }
  dW.set(acc);
  if (dB) dB.set(bias);
}
