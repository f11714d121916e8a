// Loading image files into tensors (Keras's load_img + img_to_array), via sharp. Node only.
// Values stay in [0, 255]; scaling is the model's or the caller's business, as in Keras.

import type { OutputInfo } from 'sharp';
import { ConfigError, describe, FormatError } from '../errors.js';
import { MAX_INPUT_BYTES, readInputFile } from '../io/file-checks.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import { sharpInput } from './bmp.js';
import { cropToAspect } from './centre-crop.js';

export type ColorMode = 'grayscale' | 'rgb' | 'rgba';

export interface LoadImageOptions {
  /** [height, width]; the image is stretched to it (Keras's target_size). Omit to keep the original size. */
  targetSize?: [number, number];
  /** With targetSize: crop the centre to its aspect ratio first instead of stretching (Keras's keep_aspect_ratio). */
  keepAspectRatio?: boolean;
  colorMode?: ColorMode;
  interpolation?: 'nearest' | 'bilinear' | 'bicubic' | 'lanczos';
}

const CHANNELS: Record<ColorMode, number> = { grayscale: 1, rgb: 3, rgba: 4 };
const KERNELS = { nearest: 'nearest', bilinear: 'linear', bicubic: 'cubic', lanczos: 'lanczos3' } as const;

/** Decodes one image file (PNG, JPEG, WebP, GIF, TIFF...) into a (1, H, W, C) float32 tensor in [0, 255]. */
export async function loadImage(path: string, rawOptions?: LoadImageOptions): Promise<Tensor> {
  const options = checkOptions<LoadImageOptions>('loadImage', rawOptions, [
    'targetSize',
    'colorMode',
    'interpolation',
    'keepAspectRatio',
  ]);
  if (options.keepAspectRatio !== undefined && typeof options.keepAspectRatio !== 'boolean') {
    throw new ConfigError(
      `loadImage: invalid 'keepAspectRatio'. Expected true or false, received ${describe(options.keepAspectRatio)}.`,
    );
  }
  const colorMode = options.colorMode ?? 'rgb';
  if (!(colorMode in CHANNELS)) {
    throw new ConfigError(
      `loadImage: invalid 'colorMode'. Expected 'grayscale', 'rgb' or 'rgba', received ${describe(colorMode)}.`,
    );
  }
  // Read through the checked reader (regular files only, size-limited): sharp given a FIFO would wait forever.
  const bytes = readInputFile(path, { where: 'loadImage', expected: 'an image file', maxBytes: MAX_INPUT_BYTES.image });
  const channels = CHANNELS[colorMode];
  // sharp (libvips) loads on the first decode, so importing convkit/node does not pay for it.
  const { default: sharp } = await import('sharp');
  let pipeline = sharpInput(sharp, bytes, 'loadImage').rotate();
  if (options.targetSize) {
    const [height, width] = options.targetSize;
    if (options.keepAspectRatio) pipeline = await cropToAspect(pipeline, width, height).catch(() => pipeline);
    pipeline = pipeline.resize(width, height, { fit: 'fill', kernel: KERNELS[options.interpolation ?? 'bilinear'] });
  }
  pipeline =
    colorMode === 'grayscale' ? pipeline.grayscale() : colorMode === 'rgb' ? pipeline.removeAlpha() : pipeline.ensureAlpha();
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await pipeline.raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FormatError(`loadImage: could not decode ${path} as an image (${reason}). Expected PNG, JPEG, WebP, GIF or TIFF.`);
  }
  const { width, height } = raw.info;
  const got = raw.info.channels;
  const data = new Float32Array(width * height * channels);
  for (let i = 0, n = width * height; i < n; i++) {
    for (let c = 0; c < channels; c++) data[i * channels + c] = raw.data[i * got + Math.min(c, got - 1)]!;
  }
  return { data, shape: [1, height, width, channels] };
}

/** Stacks (1, H, W, C) tensors of one size into (N, H, W, C). */
export function stackImages(images: Tensor[]): Tensor {
  if (images.length === 0) throw new ConfigError(`stackImages: invalid 'images'. Expected at least one image, received 0.`);
  const [, h, w, c] = images[0]!.shape as [number, number, number, number];
  const size = h * w * c;
  const data = new Float32Array(images.length * size);
  images.forEach((image, i) => {
    if (image.data.length !== size) {
      throw new FormatError(
        `stackImages: image ${i} has shape ${describe(image.shape)}, expected [1, ${h}, ${w}, ${c}]. Give a targetSize so all images match.`,
      );
    }
    data.set(image.data, i * size);
  });
  return { data, shape: [images.length, h, w, c] };
}
