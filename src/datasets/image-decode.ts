// One image file to resized uint8 pixels for imageDatasetFromDirectory, with sharp (libvips decodes on libuv's
// thread pool, off the main thread). A file that cannot be used gives a reason instead of pixels, so the caller
// can skip it (listing the reasons) or stop under `strict`. Images above the pixel limit are refused before
// decoding, by libvips itself (limitInputPixels), and the reason names their size.

import type { Sharp } from 'sharp';
import { MAX_INPUT_BYTES, readInputFile } from '../io/file-checks.js';
import { bmpSize, sharpInput } from '../preprocessing/bmp.js';
import { cropToAspect } from '../preprocessing/centre-crop.js';

export type ImageColorMode = 'grayscale' | 'rgb' | 'rgba';
/** Keras's interpolation names that sharp (libvips) has a kernel for. */
export type ImageInterpolation = 'nearest' | 'bilinear' | 'bicubic' | 'lanczos3' | 'mitchellcubic';

export const CHANNELS: Record<ImageColorMode, number> = { grayscale: 1, rgb: 3, rgba: 4 };
// libvips kernels. 'linear' and 'cubic' widen when shrinking (antialiased), unlike TF's bilinear/bicubic.
export const KERNELS = {
  nearest: 'nearest',
  bilinear: 'linear',
  bicubic: 'cubic',
  lanczos3: 'lanczos3',
  mitchellcubic: 'mitchell',
} as const;
/** sharp's own default limit (0x3FFF x 0x3FFF pixels): a 16k x 16k image decodes, a decompression bomb does not. */
export const DEFAULT_MAX_PIXELS = 0x3fff * 0x3fff;

export interface DecodeSettings {
  height: number;
  width: number;
  colorMode: ImageColorMode;
  interpolation: ImageInterpolation;
  cropToAspectRatio: boolean;
  /** Largest width x height decoded. */
  maxPixels: number;
}

export type Decoded = { pixels: Uint8Array } | { reason: string };

const WHERE = 'imageDatasetFromDirectory';

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

/** Width x height from the header only (no decode), or null. */
async function headerSize(sharp: typeof import('sharp'), bytes: Uint8Array): Promise<string | null> {
  try {
    const { width, height } = bmpSize(bytes) ?? (await sharp(bytes, { limitInputPixels: false }).metadata());
    return width && height ? `${width}x${height} (${(width * height).toLocaleString('en-US')} pixels)` : null;
  } catch {
    return null;
  }
}

/** Decodes and resizes one file; EXIF orientation applied, colour converted to `colorMode`. */
export async function decodeImage(path: string, s: DecodeSettings): Promise<Decoded> {
  const { default: sharp } = await import('sharp');
  let bytes: Uint8Array;
  try {
    bytes = readInputFile(path, { where: WHERE, expected: 'an image file', maxBytes: MAX_INPUT_BYTES.image });
  } catch (error) {
    return { reason: messageOf(error) };
  }
  try {
    let pipeline: Sharp = sharpInput(sharp, bytes, WHERE, s.maxPixels).rotate();
    // Keras crops the centred window first, then resizes (sharp's 'cover' would blend the cropped borders in).
    if (s.cropToAspectRatio) pipeline = await cropToAspect(pipeline, s.width, s.height);
    pipeline = pipeline.resize(s.width, s.height, { fit: 'fill', kernel: KERNELS[s.interpolation] });
    pipeline =
      s.colorMode === 'grayscale'
        ? pipeline.removeAlpha().grayscale()
        : s.colorMode === 'rgb'
          ? pipeline.removeAlpha().toColourspace('srgb')
          : pipeline.ensureAlpha().toColourspace('srgb');
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== CHANNELS[s.colorMode] || info.width !== s.width || info.height !== s.height) {
      return {
        reason: `decoded to ${info.width}x${info.height}x${info.channels}, not ${s.width}x${s.height}x${CHANNELS[s.colorMode]}`,
      };
    }
    return { pixels: data };
  } catch (error) {
    const message = messageOf(error);
    if (/pixel limit/i.test(message)) {
      const size = await headerSize(sharp, bytes);
      return {
        reason: `${size ?? 'the image'} is above the decode limit of ${s.maxPixels.toLocaleString('en-US')} pixels (raise maxPixels if it is genuine)`,
      };
    }
    return { reason: message };
  }
}
