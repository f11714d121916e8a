// Reference element-wise activations and softmax (over rows of attrs.axisSize), forward and backward, with Keras 3
// defaults (leakyRelu alpha 0.3, elu alpha 1, hardSigmoid = relu6(x + 3) / 6, exact gelu). Does not validate.

import type { ActivationAttrs, FloatArray } from '../backend.js';

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_K = 0.044715;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** erf(x) to about 1e-15 for |x| < 2 (Maclaurin series) and 1e-9 beyond (Numerical Recipes erfc, rel. 1.2e-7). */
export function erf(x: number): number {
  const z = Math.abs(x);
  if (z < 2) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(poly);
  return x >= 0 ? 1 - erfc : erfc - 1;
}

function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

function softplus(v: number): number {
  return Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
}

interface ReluParams {
  alpha: number;
  maxValue: number;
  threshold: number;
}

/**
 * Keras 3 relu(x, negative_slope, max_value, threshold): x * (x > threshold), clipped to [0, maxValue] when a
 * maxValue is given, minus negative_slope * max(threshold - x, 0). Exactly 0 at the threshold.
 */
function reluParams(a: ActivationAttrs): ReluParams {
  if (a.kind === 'relu6') return { alpha: 0, maxValue: 6, threshold: 0 };
  return { alpha: a.alpha ?? 0, maxValue: a.maxValue ?? Number.POSITIVE_INFINITY, threshold: a.threshold ?? 0 };
}

function softmaxForward(y: FloatArray, x: FloatArray, axis: number): void {
  for (let base = 0; base < x.length; base += axis) {
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < axis; j++) max = Math.max(max, x[base + j]!);
    let sum = 0;
    for (let j = 0; j < axis; j++) sum += Math.exp(x[base + j]! - max);
    for (let j = 0; j < axis; j++) y[base + j] = Math.exp(x[base + j]! - max) / sum;
  }
}

export function activationForward(y: FloatArray, x: FloatArray, a: ActivationAttrs): void {
  const n = x.length;
  switch (a.kind) {
    case 'linear':
      if (y !== x) y.set(x);
      return;
    case 'relu':
    case 'relu6': {
      const { alpha, maxValue, threshold } = reluParams(a);
      const clipped = maxValue !== Number.POSITIVE_INFINITY;
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        const kept = v > threshold || Number.isNaN(v) ? v : 0; // Keras's x * (x > t): NaN stays NaN
        const positive = clipped ? Math.min(Math.max(kept, 0), maxValue) : kept;
        // Keras adds the negative part only when there is a slope: 0 * -Infinity would make relu(-Infinity) NaN.
        y[i] = alpha !== 0 && v < threshold ? positive + alpha * (v - threshold) : positive;
      }
      return;
    }
    case 'leakyRelu': {
      const alpha = a.alpha ?? 0.3;
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        y[i] = v >= 0 ? v : alpha * v;
      }
      return;
    }
    case 'elu': {
      const alpha = a.alpha ?? 1;
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        y[i] = v > 0 ? v : alpha * Math.expm1(v);
      }
      return;
    }
    case 'sigmoid':
      for (let i = 0; i < n; i++) y[i] = sigmoid(x[i]!);
      return;
    case 'hardSigmoid':
      for (let i = 0; i < n; i++) y[i] = Math.min(Math.max(x[i]! + 3, 0), 6) / 6;
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]!);
      return;
    case 'softmax':
      softmaxForward(y, x, a.axisSize ?? n);
      return;
    case 'swish':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        y[i] = v * sigmoid(v);
      }
      return;
    case 'gelu':
      if (a.approximate) {
        for (let i = 0; i < n; i++) {
          const v = x[i]!;
          y[i] = 0.5 * v * (1 + Math.tanh(GELU_C * (v + GELU_K * v * v * v)));
        }
      } else {
        for (let i = 0; i < n; i++) {
          const v = x[i]!;
          y[i] = 0.5 * v * (1 + erf(v * SQRT1_2));
        }
      }
      return;
    case 'softplus':
      for (let i = 0; i < n; i++) y[i] = softplus(x[i]!);
      return;
  }
}

/** dx = dy * f'(x); uses x for most kinds and y for softmax. dx may alias dy. At kinks TensorFlow's choice: relu'(0) = 0, leakyRelu'(0) = alpha. */
export function activationBackward(dx: FloatArray, dy: FloatArray, x: FloatArray, y: FloatArray, a: ActivationAttrs): void {
  const n = x.length;
  switch (a.kind) {
    case 'linear':
      if (dx !== dy) dx.set(dy);
      return;
    case 'relu':
    case 'relu6': {
      const { alpha, maxValue, threshold } = reluParams(a);
      const clipped = maxValue !== Number.POSITIVE_INFINITY;
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        // Above the threshold the slope is 1 unless the clip holds v; at the threshold 0; below it alpha.
        if (v > threshold) dx[i] = v >= maxValue || (clipped && v < 0) ? 0 : dy[i]!;
        else dx[i] = v < threshold ? alpha * dy[i]! : 0;
      }
      return;
    }
    case 'leakyRelu': {
      const alpha = a.alpha ?? 0.3;
      for (let i = 0; i < n; i++) dx[i] = x[i]! > 0 ? dy[i]! : alpha * dy[i]!;
      return;
    }
    case 'elu': {
      const alpha = a.alpha ?? 1;
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        dx[i] = v > 0 ? dy[i]! : dy[i]! * alpha * Math.exp(v);
      }
      return;
    }
    case 'sigmoid':
      for (let i = 0; i < n; i++) {
        const s = sigmoid(x[i]!);
        dx[i] = dy[i]! * s * (1 - s);
      }
      return;
    case 'hardSigmoid':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        dx[i] = v > -3 && v < 3 ? dy[i]! / 6 : 0;
      }
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) {
        const t = Math.tanh(x[i]!);
        dx[i] = dy[i]! * (1 - t * t);
      }
      return;
    case 'softmax': {
      const axis = a.axisSize ?? n;
      for (let base = 0; base < n; base += axis) {
        let dot = 0;
        for (let j = 0; j < axis; j++) dot += dy[base + j]! * y[base + j]!;
        for (let j = 0; j < axis; j++) dx[base + j] = y[base + j]! * (dy[base + j]! - dot);
      }
      return;
    }
    case 'swish':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        const s = sigmoid(v);
        dx[i] = dy[i]! * (s + v * s * (1 - s));
      }
      return;
    case 'gelu':
      if (a.approximate) {
        for (let i = 0; i < n; i++) {
          const v = x[i]!;
          const t = Math.tanh(GELU_C * (v + GELU_K * v * v * v));
          const grad = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_C * (1 + 3 * GELU_K * v * v);
          dx[i] = dy[i]! * grad;
        }
      } else {
        for (let i = 0; i < n; i++) {
          const v = x[i]!;
          dx[i] = dy[i]! * (0.5 * (1 + erf(v * SQRT1_2)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
        }
      }
      return;
    case 'softplus':
      for (let i = 0; i < n; i++) dx[i] = dy[i]! * sigmoid(x[i]!);
      return;
  }
}
