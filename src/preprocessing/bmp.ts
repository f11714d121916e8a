// A minimal BMP reader, because sharp's prebuilt libvips has no BMP loader while Keras's image folders accept .bmp:
// uncompressed 24- and 32-bit pixels and 8-bit palettes (the forms image editors and PIL write), bottom-up or
// top-down rows. It returns raw RGB bytes for sharp's `raw` input; anything else (RLE, 16-bit, bit fields with
// unusual masks) is refused with a FormatError so the caller can skip the file.

import type { Sharp } from 'sharp';
import { FormatError } from '../errors.js';

export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3;
}

export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length > 2 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

export function decodeBmp(bytes: Uint8Array, where: string): RawImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (why: string) =>
    new FormatError(`${where}: unsupported or damaged BMP (${why}). Expected an uncompressed 8-, 24- or 32-bit BMP.`);
  if (bytes.length < 54 || !isBmp(bytes)) throw fail('too short or no BM signature');
  const offset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  const width = view.getInt32(18, true);
  const rawHeight = view.getInt32(22, true);
  const bits = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  const height = Math.abs(rawHeight);
  const bitfields32 = compression === 3 && bits === 32;
  if (width <= 0 || height === 0 || (compression !== 0 && !bitfields32) || ![8, 24, 32].includes(bits)) {
    throw fail(`${bits}-bit, compression ${compression}, ${width}x${rawHeight}`);
  }
  if (bitfields32 && headerSize >= 56) {
    const masks = [view.getUint32(54, true), view.getUint32(58, true), view.getUint32(62, true)];
    if (masks[0] !== 0xff0000 || masks[1] !== 0xff00 || masks[2] !== 0xff) throw fail('unusual bit-field masks');
  }
  // The fourth byte of 32-bit pixels is usually unused (often 0, which as alpha would hide the image): RGB only.
  const channels = 3;
  const stride = Math.ceil((width * bits) / 32) * 4;
  if (offset + stride * height > bytes.length) throw fail('truncated pixel data');
  const paletteAt = 14 + headerSize;
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    const row = offset + (rawHeight > 0 ? height - 1 - y : y) * stride;
    for (let x = 0; x < width; x++) {
      const out = (y * width + x) * channels;
      let at = row + x * (bits / 8);
      if (bits === 8) at = paletteAt + bytes[row + x]! * 4;
      data[out] = bytes[at + 2]!;
      data[out + 1] = bytes[at + 1]!;
      data[out + 2] = bytes[at]!;
    }
  }
  return { data, width, height, channels };
}

/**
 * A sharp pipeline over an image file's bytes: BMP through decodeBmp (sharp cannot read it), the rest as they are.
 * `limitInputPixels` is sharp's: a larger image fails with "exceeds pixel limit" (default: sharp's own limit).
 */
export function sharpInput(sharp: typeof import('sharp'), bytes: Uint8Array, where: string, limitInputPixels?: number): Sharp {
  const limit = limitInputPixels === undefined ? {} : { limitInputPixels };
  if (!isBmp(bytes)) return sharp(bytes, { failOn: 'error', ...limit });
  const image = decodeBmp(bytes, where);
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels }, ...limit });
}

/** Width and height from a BMP header, or null. */
export function bmpSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 26 || !isBmp(bytes)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getInt32(18, true), height: Math.abs(view.getInt32(22, true)) };
}
