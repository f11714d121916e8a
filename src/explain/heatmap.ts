// Heatmap helpers for explanations: bilinear resizing of a (h, w) map to the image size, scaling to [0, 1], a
// jet-like colormap, and blending a heatmap over an image as RGB bytes. Browser-safe (plain arrays, no sharp);
// PNG encoding of the result lives in overlay.ts (Node).

import { invalid, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';

/**
 * Resizes a (h, w) map to (height, width) with bilinear interpolation on pixel centres (half-pixel offsets, as
 * tf.image.resize and OpenCV do), edges clamped.
 */
export function resizeMap(map: Tensor, height: number, width: number): Tensor {
  const [h, w] = map.shape as [number, number];
  if (map.shape.length !== 2 || map.data.length !== h * w) {
    throw new ShapeError(invalid('resizeMap', 'map', 'a (h, w) tensor', map.shape));
  }
  const out = new Float32Array(height * width);
  const sy = h / height;
  const sx = w / width;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const ty = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const tx = fx - x0;
      const top = map.data[y0 * w + x0]! * (1 - tx) + map.data[y0 * w + x1]! * tx;
      const bottom = map.data[y1 * w + x0]! * (1 - tx) + map.data[y1 * w + x1]! * tx;
      out[y * width + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return { data: out, shape: [height, width] };
}

/**
 * Divides by the largest value so the map spans [0, 1] (Keras's Grad-CAM example). An all-zero map stays zero
 * (there is no evidence, not a division by zero); NaN stays NaN.
 */
export function scaleToUnit(values: Float32Array): Float32Array {
  let max = 0;
  for (const v of values) if (v > max) max = v;
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = max > 0 ? values[i]! / max : Number.isNaN(values[i]!) ? Number.NaN : 0;
  return out;
}

/** A jet-like colormap (blue, cyan, yellow, red) for v in [0, 1]: [r, g, b] bytes. NaN is grey. */
export function jetColor(v: number): [number, number, number] {
  if (Number.isNaN(v)) return [128, 128, 128];
  const t = Math.min(Math.max(v, 0), 1);
  const channel = (offset: number) => Math.round(255 * Math.min(Math.max(1.5 - Math.abs(4 * t - offset), 0), 1));
  return [channel(3), channel(2), channel(1)];
}

export interface OverlayOptions {
  /** Heatmap opacity over the image, 0..1 (default 0.4, Keras's Grad-CAM example). */
  alpha?: number;
}

/**
 * Blends a [0, 1] heatmap (height x width) over an image's RGB or grayscale bytes (height x width x channels):
 * each pixel becomes (1 - alpha) * image + alpha * jet(heat). Returns RGB bytes.
 */
export function blendHeatmap(pixels: Uint8Array, channels: number, heat: Tensor, alpha = 0.4): Uint8Array {
  const [height, width] = heat.shape as [number, number];
  if (pixels.length !== height * width * channels) {
    throw new ShapeError(
      invalid('blendHeatmap', 'pixels', `${height}x${width}x${channels} bytes (the heatmap's size)`, pixels.length),
    );
  }
  const out = new Uint8Array(height * width * 3);
  for (let i = 0; i < height * width; i++) {
    const color = jetColor(heat.data[i]!);
    for (let c = 0; c < 3; c++) {
      const base = pixels[i * channels + Math.min(c, channels - 1)]!;
      out[i * 3 + c] = Math.round((1 - alpha) * base + alpha * color[c]!);
    }
  }
  return out;
}
