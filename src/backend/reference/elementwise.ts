// Reference element-wise kernels and reductions: axpby, multiply, scale, clip, sumRows, sumSquares, argmaxRows.
// Outputs may alias inputs where backend.ts allows it (each element is read before it is written). Does not validate.

import type { FloatArray } from '../backend.js';

export function axpby(out: FloatArray, a: FloatArray, b: FloatArray, alpha: number, beta: number): void {
  for (let i = 0; i < out.length; i++) out[i] = alpha * a[i]! + beta * b[i]!;
}

export function multiply(out: FloatArray, a: FloatArray, b: FloatArray): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i]! * b[i]!;
}

export function scale(out: FloatArray, x: FloatArray, alpha: number): void {
  for (let i = 0; i < out.length; i++) out[i] = x[i]! * alpha;
}

export function clip(out: FloatArray, x: FloatArray, low: number, high: number): void {
  for (let i = 0; i < out.length; i++) out[i] = Math.min(Math.max(x[i]!, low), high);
}

export function sumRows(out: FloatArray, x: FloatArray, rows: number, cols: number): void {
  const acc = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) acc[c] = acc[c]! + x[base + c]!;
  }
  out.set(acc);
}

export function sumSquares(x: FloatArray): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i]! * x[i]!;
  return sum;
}

export function argmaxRows(out: Int32Array, x: FloatArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let best = x[base]!;
    let bestIndex = 0;
    for (let c = 1; c < cols; c++) {
      const v = x[base + c]!;
      if (v > best) {
        best = v;
        bestIndex = c;
      }
    }
    out[r] = bestIndex;
  }
}
