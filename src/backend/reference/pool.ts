// Reference max/average pooling (windowed and global) over NHWC. 'same' padding cells never win a max and are
// not counted by the average (TensorFlow semantics). Does not validate.

import type { FloatArray, GlobalPool2dAttrs, Pool2dAttrs } from '../backend.js';
import { pool2dGeometry } from '../shapes.js';

interface Window {
  h0: number;
  h1: number;
  w0: number;
  w1: number;
}

/** Clipped input window [h0, h1) x [w0, w1) of output cell (oh, ow). */
function windowOf(a: Pool2dAttrs, top: number, left: number, oh: number, ow: number, out: Window): void {
  const hs = oh * a.strides[0] - top;
  const ws = ow * a.strides[1] - left;
  out.h0 = Math.max(hs, 0);
  out.h1 = Math.min(hs + a.poolSize[0], a.inHeight);
  out.w0 = Math.max(ws, 0);
  out.w1 = Math.min(ws + a.poolSize[1], a.inWidth);
}

/** Max-pool order: larger wins, and the first NaN wins over any number, so NaN input is never pooled away. */
function beats(v: number, best: number): boolean {
  return v > best || (Number.isNaN(v) && !Number.isNaN(best));
}

export function maxPool2dForward(y: FloatArray, argmax: Int32Array, x: FloatArray, a: Pool2dAttrs): void {
  const { outHeight: OH, outWidth: OW, pad } = pool2dGeometry(a);
  const { batch: N, inHeight: H, inWidth: W, channels: C } = a;
  const win: Window = { h0: 0, h1: 0, w0: 0, w1: 0 };
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        windowOf(a, pad.top, pad.left, oh, ow, win);
        const yBase = ((n * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) {
          let best = Number.NEGATIVE_INFINITY;
          let bestIndex = -1;
          for (let ih = win.h0; ih < win.h1; ih++) {
            for (let iw = win.w0; iw < win.w1; iw++) {
              const index = ((n * H + ih) * W + iw) * C + c;
              const v = x[index]!;
              if (bestIndex < 0 || beats(v, best)) {
                best = v;
                bestIndex = index;
              }
            }
          }
          y[yBase + c] = best;
          argmax[yBase + c] = bestIndex;
        }
      }
    }
  }
}

export function maxPool2dBackward(dx: FloatArray, dy: FloatArray, argmax: Int32Array, _a: Pool2dAttrs): void {
  const acc = new Float64Array(dx.length);
  for (let i = 0; i < dy.length; i++) {
    const j = argmax[i]!;
    acc[j] = acc[j]! + dy[i]!;
  }
  dx.set(acc);
}

export function avgPool2dForward(y: FloatArray, x: FloatArray, a: Pool2dAttrs): void {
  const { outHeight: OH, outWidth: OW, pad } = pool2dGeometry(a);
  const { batch: N, inHeight: H, inWidth: W, channels: C } = a;
  const win: Window = { h0: 0, h1: 0, w0: 0, w1: 0 };
  const acc = new Float64Array(C);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        windowOf(a, pad.top, pad.left, oh, ow, win);
        acc.fill(0);
        for (let ih = win.h0; ih < win.h1; ih++) {
          for (let iw = win.w0; iw < win.w1; iw++) {
            const xBase = ((n * H + ih) * W + iw) * C;
            for (let c = 0; c < C; c++) acc[c] = acc[c]! + x[xBase + c]!;
          }
        }
        const inv = 1 / ((win.h1 - win.h0) * (win.w1 - win.w0));
        const yBase = ((n * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) y[yBase + c] = acc[c]! * inv;
      }
    }
  }
}

export function avgPool2dBackward(dx: FloatArray, dy: FloatArray, a: Pool2dAttrs): void {
  const { outHeight: OH, outWidth: OW, pad } = pool2dGeometry(a);
  const { batch: N, inHeight: H, inWidth: W, channels: C } = a;
  const win: Window = { h0: 0, h1: 0, w0: 0, w1: 0 };
  const acc = new Float64Array(dx.length);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        windowOf(a, pad.top, pad.left, oh, ow, win);
        const inv = 1 / ((win.h1 - win.h0) * (win.w1 - win.w0));
        const dyBase = ((n * OH + oh) * OW + ow) * C;
        for (let ih = win.h0; ih < win.h1; ih++) {
          for (let iw = win.w0; iw < win.w1; iw++) {
            const xBase = ((n * H + ih) * W + iw) * C;
            for (let c = 0; c < C; c++) acc[xBase + c] = acc[xBase + c]! + dy[dyBase + c]! * inv;
          }
        }
      }
    }
  }
  dx.set(acc);
}

export function globalPool2dForward(y: FloatArray, x: FloatArray, a: GlobalPool2dAttrs): void {
  const { batch: N, channels: C } = a;
  const cells = a.inHeight * a.inWidth;
  const acc = new Float64Array(C);
  for (let n = 0; n < N; n++) {
    const base = n * cells * C;
    if (a.mode === 'max') acc.fill(Number.NEGATIVE_INFINITY);
    else acc.fill(0);
    for (let p = 0; p < cells; p++) {
      const row = base + p * C;
      if (a.mode === 'max') {
        for (let c = 0; c < C; c++) {
          const v = x[row + c]!;
          if (beats(v, acc[c]!)) acc[c] = v;
        }
      } else {
        for (let c = 0; c < C; c++) acc[c] = acc[c]! + x[row + c]!;
      }
    }
    for (let c = 0; c < C; c++) y[n * C + c] = a.mode === 'max' ? acc[c]! : acc[c]! / cells;
  }
}

export function globalPool2dBackward(dx: FloatArray, dy: FloatArray, x: FloatArray, a: GlobalPool2dAttrs): void {
  const { batch: N, channels: C } = a;
  const cells = a.inHeight * a.inWidth;
  dx.fill(0);
  for (let n = 0; n < N; n++) {
    const base = n * cells * C;
    if (a.mode === 'avg') {
      for (let p = 0; p < cells; p++) {
        for (let c = 0; c < C; c++) dx[base + p * C + c] = dy[n * C + c]! / cells;
      }
      continue;
    }
    for (let c = 0; c < C; c++) {
      let best = x[base + c]!;
      let bestIndex = base + c;
      for (let p = 1; p < cells; p++) {
        const v = x[base + p * C + c]!;
        if (beats(v, best)) {
          best = v;
          bestIndex = base + p * C + c;
        }
      }
      dx[bestIndex] = dy[n * C + c]!;
    }
  }
}
