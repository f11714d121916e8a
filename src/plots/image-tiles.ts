// Image tensors as picture tiles: one image of an (N, H, W, C) batch to display bytes (the value range guessed
// from the batch, or given), and bytes to a PNG data URI at a display size (nearest-neighbour when enlarging, so
// 28x28 digits stay crisp; lanczos when shrinking photos). Node only (sharp).

import { ConfigError, invalid, ShapeError } from '../errors.js';
import { formatShape, type NumericArray, type Tensor } from '../tensor.js';

/** [low, high] of the pixel values: low shows black, high white. */
export type ValueRange = [number, number];

export interface DisplayImage {
  /** Row-major bytes, `channels` per pixel (1 gray, 3 RGB). */
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

/** Checks an (N, H, W, C) batch with C = 1, 3 or 4; returns its dimensions. */
export function batchDims(images: Tensor<NumericArray>, where: string): [number, number, number, number] {
  const shape = images?.shape;
  const ok =
    Array.isArray(shape) &&
    shape.length === 4 &&
    [1, 3, 4].includes(shape[3]!) &&
    images.data?.length === shape.reduce((a, b) => a * b, 1);
  if (!ok) {
    throw new ShapeError(
      invalid(
        where,
        'images',
        'an (N, H, W, C) image batch with C = 1, 3 or 4',
        Array.isArray(shape) ? formatShape(shape) : images,
      ),
    );
  }
  return shape as [number, number, number, number];
}

/**
 * The display range of a batch: uint8 data is [0, 255]; floats within [0, 1] are [0, 1] (images scaled by
 * 1/255); within [-1, 1] are [-1, 1] (MobileNet-style); anything else is treated as [0, 255].
 */
export function guessValueRange(images: Tensor<NumericArray>): ValueRange {
  if (images.data instanceof Uint8Array || images.data instanceof Uint8ClampedArray) return [0, 255];
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of images.data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min >= 0 && max <= 1) return [0, 1];
  if (min >= -1 && max <= 1) return [-1, 1];
  return [0, 255];
}

export function checkValueRange(range: unknown, where: string): ValueRange {
  if (!Array.isArray(range) || range.length !== 2 || !range.every(Number.isFinite) || !(range[0] < range[1])) {
    throw new ConfigError(invalid(where, 'valueRange', '[low, high] with low < high (e.g. [0, 1] or [0, 255])', range));
  }
  return range as ValueRange;
}

/** Image `index` of the batch as display bytes (alpha dropped; values outside the range clipped; NaN shows black). */
export function displayImage(images: Tensor<NumericArray>, index: number, range: ValueRange): DisplayImage {
  const [, height, width, c] = batchDims(images, 'displayImage');
  const channels = c === 1 ? 1 : 3;
  const pixels = new Uint8Array(height * width * channels);
  const start = index * height * width * c;
  const scale = 255 / (range[1] - range[0]);
  for (let i = 0; i < height * width; i++) {
    for (let k = 0; k < channels; k++) {
      const v = (images.data[start + i * c + k]! - range[0]) * scale;
      pixels[i * channels + k] = Number.isNaN(v) ? 0 : Math.min(255, Math.max(0, Math.round(v)));
    }
  }
  return { pixels, width, height, channels };
}

/** PNG bytes of an image at a display size (longest side `size` pixels, aspect kept). */
export async function imagePng(image: DisplayImage, size: number): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  const enlarge = size >= Math.max(image.width, image.height);
  return sharp(image.pixels, { raw: { width: image.width, height: image.height, channels: image.channels } })
    .resize(size, size, { fit: 'inside', kernel: enlarge ? 'nearest' : 'lanczos3' })
    .png()
    .toBuffer();
}

export function pngDataUri(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
}
