// Plain-loop oracles for the layer tests, written independently of the backends: NHWC convolution (grouped,
// strided, dilated, TF 'same' padding) forward and backward, plus small helpers (random data, comparisons).

import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import type { CallContext } from '../../src/layers/layer.js';

export const backend = createReferenceBackend();

export function ctx(training = false, needsInputGrad = true, seed = 1): CallContext {
  return { backend, training, needsInputGrad, rng: { seed, offset: 0 } };
}

/** Deterministic values in [low, high). */
export function rand(n: number, seed: number, low = -1, high = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = low + ((s >>> 8) / 16777216) * (high - low);
  }
  return out;
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = 1e-4): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) assert.fail(`${what}: index ${i}: got ${a}, expected ${e}`);
  }
}

export interface NaiveConv {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  kh: number;
  kw: number;
  stride: [number, number];
  dilation: [number, number];
  same: boolean;
  groups: number;
}

function pad1d(size: number, k: number, s: number, d: number, same: boolean): [number, number] {
  const eff = (k - 1) * d + 1;
  if (!same) return [0, Math.floor((size - eff) / s) + 1];
  const out = Math.ceil(size / s);
  const total = Math.max(0, (out - 1) * s + eff - size);
  return [Math.floor(total / 2), out];
}

/** Visits every (output, kernel tap) pair that reads a real input value. */
function each(p: NaiveConv, visit: (yi: number, xi: number, wi: number) => void): [number, number] {
  const [top, oh] = pad1d(p.h, p.kh, p.stride[0], p.dilation[0], p.same);
  const [left, ow] = pad1d(p.w, p.kw, p.stride[1], p.dilation[1], p.same);
  const cig = p.ci / p.groups;
  const cog = p.co / p.groups;
  for (let b = 0; b < p.n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let o = 0; o < p.co; o++) {
          const g = Math.floor(o / cog);
          for (let ky = 0; ky < p.kh; ky++)
            for (let kx = 0; kx < p.kw; kx++) {
              const iy = oy * p.stride[0] + ky * p.dilation[0] - top;
              const ix = ox * p.stride[1] + kx * p.dilation[1] - left;
              if (iy < 0 || iy >= p.h || ix < 0 || ix >= p.w) continue;
              for (let c = 0; c < cig; c++) {
                const xi = ((b * p.h + iy) * p.w + ix) * p.ci + g * cig + c;
                const wi = ((ky * p.kw + kx) * cig + c) * p.co + o;
                visit(((b * oh + oy) * ow + ox) * p.co + o, xi, wi);
              }
            }
        }
  return [oh, ow];
}

export function convForward(
  p: NaiveConv,
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  bias: ArrayLike<number> | null,
): { y: Float64Array; oh: number; ow: number } {
  const [oh, ow] = each(p, () => {});
  const y = new Float64Array(p.n * oh * ow * p.co);
  each(p, (yi, xi, wi) => {
    y[yi]! += x[xi]! * w[wi]!;
  });
  if (bias) for (let i = 0; i < y.length; i++) y[i]! += bias[i % p.co]!;
  return { y, oh, ow };
}

export function convBackward(
  p: NaiveConv,
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  dy: ArrayLike<number>,
): { dx: Float64Array; dw: Float64Array; db: Float64Array } {
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  const db = new Float64Array(p.co);
  each(p, (yi, xi, wi) => {
    dx[xi]! += dy[yi]! * w[wi]!;
    dw[wi]! += dy[yi]! * x[xi]!;
  });
  for (let i = 0; i < dy.length; i++) db[i % p.co]! += dy[i]!;
  return { dx, dw, db };
}
