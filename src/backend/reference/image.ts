// Reference image ops for data pipelines: tf.image.resize (v2: bilinear and nearest with half-pixel centers, exact
// area averaging) and TensorFlow's ImageProjectiveTransformV3 (nearest/bilinear, constant/nearest/reflect/wrap fill).
// Computes in float64 where TensorFlow uses float32, so results agree to float32 rounding. Does not validate.

import type { AffineAttrs, FloatArray, ResizeAttrs } from '../backend.js';

interface Lerp {
  lower: Int32Array;
  upper: Int32Array;
  frac: Float64Array;
}

/** TensorFlow's compute_interpolation_weights with the half-pixel scaler. */
function bilinearWeights(outSize: number, inSize: number): Lerp {
  const scale = inSize / outSize;
  const w: Lerp = { lower: new Int32Array(outSize), upper: new Int32Array(outSize), frac: new Float64Array(outSize) };
  for (let i = 0; i < outSize; i++) {
    const src = (i + 0.5) * scale - 0.5;
    const floor = Math.floor(src);
    w.lower[i] = Math.max(floor, 0);
    w.upper[i] = Math.min(Math.ceil(src), inSize - 1);
    w.frac[i] = src - floor;
  }
  return w;
}

function nearestIndex(outSize: number, inSize: number): Int32Array {
  const scale = inSize / outSize;
  const index = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) index[i] = Math.max(0, Math.min(Math.floor((i + 0.5) * scale), inSize - 1));
  return index;
}

function areaResize(y: FloatArray, x: FloatArray, a: ResizeAttrs): void {
  const { batch: N, inHeight: H, inWidth: W, channels: C, outHeight: OH, outWidth: OW } = a;
  const sh = H / OH;
  const sw = W / OW;
  const acc = new Float64Array(C);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const y0 = oh * sh;
      const y1 = y0 + sh;
      for (let ow = 0; ow < OW; ow++) {
        const x0 = ow * sw;
        const x1 = x0 + sw;
        acc.fill(0);
        for (let ih = Math.floor(y0); ih < Math.min(Math.ceil(y1), H); ih++) {
          const wy = Math.min(ih + 1, y1) - Math.max(ih, y0);
          for (let iw = Math.floor(x0); iw < Math.min(Math.ceil(x1), W); iw++) {
            const weight = wy * (Math.min(iw + 1, x1) - Math.max(iw, x0));
            const base = ((n * H + ih) * W + iw) * C;
            for (let c = 0; c < C; c++) acc[c] = acc[c]! + weight * x[base + c]!;
          }
        }
        const out = ((n * OH + oh) * OW + ow) * C;
        const inv = 1 / (sh * sw);
        for (let c = 0; c < C; c++) y[out + c] = acc[c]! * inv;
      }
    }
  }
}

export function resizeImages(y: FloatArray, x: FloatArray, a: ResizeAttrs): void {
  const { batch: N, inHeight: H, inWidth: W, channels: C, outHeight: OH, outWidth: OW } = a;
  if (a.method === 'area') {
    areaResize(y, x, a);
    return;
  }
  if (a.method === 'nearest') {
    const rows = nearestIndex(OH, H);
    const cols = nearestIndex(OW, W);
    for (let n = 0; n < N; n++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          const src = ((n * H + rows[oh]!) * W + cols[ow]!) * C;
          const out = ((n * OH + oh) * OW + ow) * C;
          for (let c = 0; c < C; c++) y[out + c] = x[src + c]!;
        }
      }
    }
    return;
  }
  const ry = bilinearWeights(OH, H);
  const rx = bilinearWeights(OW, W);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const top = (n * H + ry.lower[oh]!) * W;
      const bottom = (n * H + ry.upper[oh]!) * W;
      const fy = ry.frac[oh]!;
      for (let ow = 0; ow < OW; ow++) {
        const l = rx.lower[ow]!;
        const r = rx.upper[ow]!;
        const fx = rx.frac[ow]!;
        const out = ((n * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) {
          const tl = x[(top + l) * C + c]!;
          const tr = x[(top + r) * C + c]!;
          const bl = x[(bottom + l) * C + c]!;
          const br = x[(bottom + r) * C + c]!;
          const t = tl + (tr - tl) * fx;
          const b = bl + (br - bl) * fx;
          y[out + c] = t + (b - t) * fy;
        }
      }
    }
  }
}

/** TensorFlow's MapCoordinate for each fill mode (constant leaves the coordinate for the fill-value read). */
function mapCoordinate(coord: number, len: number, mode: AffineAttrs['fillMode']): number {
  let c = coord;
  if (mode === 'constant') return c;
  if (mode === 'reflect') {
    if (c < 0) {
      if (len <= 1) c = 0;
      else {
        const sz2 = 2 * len;
        if (c < sz2) c = sz2 * Math.trunc(-c / sz2) + c;
        c = c < -len ? c + sz2 : -c - 1;
      }
    } else if (c > len - 1) {
      if (len <= 1) c = 0;
      else {
        const sz2 = 2 * len;
        c -= sz2 * Math.trunc(c / sz2);
        if (c >= len) c = sz2 - c - 1;
      }
    }
  } else if (mode === 'wrap') {
    if (c < 0) {
      if (len <= 1) c = 0;
      else c += len * (Math.trunc(-c / (len - 1)) + 1);
    } else if (c > len - 1) {
      if (len <= 1) c = 0;
      else c -= len * Math.trunc(c / (len - 1));
    }
  }
  return Math.min(Math.max(c, 0), len - 1);
}

/** C's round(): halves away from zero. */
function roundHalfAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

export function affineTransform(y: FloatArray, x: FloatArray, a: AffineAttrs): void {
  const { batch: N, height: H, width: W, channels: C, fillValue, fillMode } = a;
  const read = (n: number, r: number, col: number, c: number): number =>
    r >= 0 && r < H && col >= 0 && col < W ? x[((n * H + r) * W + col) * C + c]! : fillValue;
  for (let n = 0; n < N; n++) {
    const t = a.transforms.subarray(n * 8, n * 8 + 8);
    const [a0, a1, a2, b0, b1, b2, c0, c1] = [t[0]!, t[1]!, t[2]!, t[3]!, t[4]!, t[5]!, t[6]!, t[7]!];
    for (let oy = 0; oy < H; oy++) {
      for (let ox = 0; ox < W; ox++) {
        const out = ((n * H + oy) * W + ox) * C;
        const k = c0 * ox + c1 * oy + 1;
        if (k === 0) {
          for (let c = 0; c < C; c++) y[out + c] = fillValue;
          continue;
        }
        const sx = mapCoordinate((a0 * ox + a1 * oy + a2) / k, W, fillMode);
        const sy = mapCoordinate((b0 * ox + b1 * oy + b2) / k, H, fillMode);
        if (a.interpolation === 'nearest') {
          const r = roundHalfAway(sy);
          const col = roundHalfAway(sx);
          for (let c = 0; c < C; c++) y[out + c] = read(n, r, col, c);
          continue;
        }
        const y0 = Math.floor(sy);
        const x0 = Math.floor(sx);
        const fy = sy - y0;
        const fx = sx - x0;
        for (let c = 0; c < C; c++) {
          const top = (1 - fx) * read(n, y0, x0, c) + fx * read(n, y0, x0 + 1, c);
          const bottom = (1 - fx) * read(n, y0 + 1, x0, c) + fx * read(n, y0 + 1, x0 + 1, c);
          y[out + c] = (1 - fy) * top + fy * bottom;
        }
      }
    }
  }
}
