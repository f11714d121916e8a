// Input gradients of the image-size layers (Resizing, CenterCrop, RandomCrop), for saliency maps and Grad-CAM
// through models that start with them: the adjoint (transpose) of tf.image.resize's bilinear, nearest and area
// maps (the reference backend's resizeImages, src/backend/reference/image.ts) and of window crops. Plain loops in
// float64 accumulators; not a training hot path (these layers sit before any weights), so no native kernel.

import type { ResizeAttrs } from '../backend/backend.js';

/** TensorFlow's half-pixel bilinear source positions, as the forward computes them. */
function bilinearWeights(outSize: number, inSize: number) {
  const scale = inSize / outSize;
  const lower = new Int32Array(outSize);
  const upper = new Int32Array(outSize);
  const frac = new Float64Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const src = (i + 0.5) * scale - 0.5;
    const floor = Math.floor(src);
    lower[i] = Math.max(floor, 0);
    upper[i] = Math.min(Math.ceil(src), inSize - 1);
    frac[i] = src - floor;
  }
  return { lower, upper, frac };
}

function nearestIndex(outSize: number, inSize: number): Int32Array {
  const scale = inSize / outSize;
  const index = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) index[i] = Math.max(0, Math.min(Math.floor((i + 0.5) * scale), inSize - 1));
  return index;
}

/**
 * dx: (N, inHeight, inWidth, C) = the transpose of resizeImages applied to dy: (N, outHeight, outWidth, C).
 * @example resizeImagesBackward(dx, dy, { batch: 1, inHeight: 4, inWidth: 4, outHeight: 2, outWidth: 2, channels: 3, method: 'bilinear' })
 */
export function resizeImagesBackward(dx: Float32Array, dy: Float32Array, a: ResizeAttrs): void {
  const { batch: N, inHeight: H, inWidth: W, channels: C, outHeight: OH, outWidth: OW } = a;
  const acc = new Float64Array(N * H * W * C);
  if (a.method === 'nearest') {
    const rows = nearestIndex(OH, H);
    const cols = nearestIndex(OW, W);
    for (let n = 0; n < N; n++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          const to = ((n * H + rows[oh]!) * W + cols[ow]!) * C;
          const from = ((n * OH + oh) * OW + ow) * C;
          for (let c = 0; c < C; c++) acc[to + c] = acc[to + c]! + dy[from + c]!;
        }
  } else if (a.method === 'area') {
    const sh = H / OH;
    const sw = W / OW;
    const inv = 1 / (sh * sw);
    for (let n = 0; n < N; n++)
      for (let oh = 0; oh < OH; oh++) {
        const y0 = oh * sh;
        const y1 = y0 + sh;
        for (let ow = 0; ow < OW; ow++) {
          const x0 = ow * sw;
          const x1 = x0 + sw;
          const from = ((n * OH + oh) * OW + ow) * C;
          for (let ih = Math.floor(y0); ih < Math.min(Math.ceil(y1), H); ih++) {
            const wy = Math.min(ih + 1, y1) - Math.max(ih, y0);
            for (let iw = Math.floor(x0); iw < Math.min(Math.ceil(x1), W); iw++) {
              const weight = wy * (Math.min(iw + 1, x1) - Math.max(iw, x0)) * inv;
              const to = ((n * H + ih) * W + iw) * C;
              for (let c = 0; c < C; c++) acc[to + c] = acc[to + c]! + weight * dy[from + c]!;
            }
          }
        }
      }
  } else {
    const ry = bilinearWeights(OH, H);
    const rx = bilinearWeights(OW, W);
    for (let n = 0; n < N; n++)
      for (let oh = 0; oh < OH; oh++) {
        const top = (n * H + ry.lower[oh]!) * W;
        const bottom = (n * H + ry.upper[oh]!) * W;
        const fy = ry.frac[oh]!;
        for (let ow = 0; ow < OW; ow++) {
          const l = rx.lower[ow]!;
          const r = rx.upper[ow]!;
          const fx = rx.frac[ow]!;
          const from = ((n * OH + oh) * OW + ow) * C;
          // y = (1-fy)((1-fx) tl + fx tr) + fy((1-fx) bl + fx br): each corner gets its weight times dy.
          const corners: [number, number][] = [
            [(top + l) * C, (1 - fy) * (1 - fx)],
            [(top + r) * C, (1 - fy) * fx],
            [(bottom + l) * C, fy * (1 - fx)],
            [(bottom + r) * C, fy * fx],
          ];
          for (const [at, weight] of corners) for (let c = 0; c < C; c++) acc[at + c] = acc[at + c]! + weight * dy[from + c]!;
        }
      }
  }
  for (let i = 0; i < acc.length; i++) dx[i] = acc[i]!;
}

/** dx: (N, H, W, C) zero except window (top, left, h, w), which receives dy: (N, h, w, C): a crop's transpose. */
export function cropBackward(
  dx: Float32Array,
  dy: Float32Array,
  dims: { n: number; height: number; width: number; channels: number; top: number; left: number; h: number; w: number },
): void {
  const { n, height, width, channels: c, top, left, h, w } = dims;
  dx.fill(0);
  for (let i = 0; i < n; i++)
    for (let r = 0; r < h; r++) {
      const from = (i * h + r) * w * c;
      dx.set(dy.subarray(from, from + w * c), ((i * height + top + r) * width + left) * c);
    }
}
