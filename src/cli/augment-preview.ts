// `convkit augment-preview <image|dir>`: what an augmentation does, before training with it. The flags follow
// Keras's old ImageDataGenerator (rotation in degrees, shift and zoom ranges, flips), mapped onto the augmentation
// layers as README's table maps them (fill 'nearest', ImageDataGenerator's default), plus brightness and contrast;
// `--samples` augmented copies of one image (the first tile is the original), or of images drawn from a folder,
// are tiled into one PNG written atomically. Seeded: the same flags and seed draw the same grid.

import { ConfigError, invalid } from '../errors.js';
import { atomicWrite } from '../io/atomic-write.js';
import { checkWritable } from '../io/file-checks.js';
import type { Layer } from '../layers/layer.js';
import { RandomBrightness } from '../layers/random-brightness.js';
import { RandomContrast } from '../layers/random-contrast.js';
import { RandomFlip } from '../layers/random-flip.js';
import type { FillMode } from '../layers/random-image-layer.js';
import { RandomRotation } from '../layers/random-rotation.js';
import { RandomTranslation } from '../layers/random-translation.js';
import { RandomZoom } from '../layers/random-zoom.js';
import { augmentation } from '../preprocessing/augmentation.js';
import { loadImage } from '../preprocessing/image.js';
import type { Tensor } from '../tensor.js';
import { applyGlobalOptions, type GlobalOptions } from './common.js';

export interface AugmentPreviewOptions extends GlobalOptions {
  rotation?: number;
  shift?: number;
  zoom?: number;
  flip?: string;
  brightness?: number;
  contrast?: number;
  fillMode?: string;
  samples: number;
  seed: number;
  size: number;
  out: string;
}

const FLIPS = ['horizontal', 'vertical', 'horizontal_and_vertical'];
const FILLS = ['nearest', 'reflect', 'wrap', 'constant'];
const GAP = 4;

/** The augmentation layers the flags ask for, in Keras's usual order (flip, rotate, shift, zoom, colour). */
export function previewLayers(o: AugmentPreviewOptions): Layer[] {
  if (o.flip !== undefined && !FLIPS.includes(o.flip))
    throw new ConfigError(invalid('--flip', 'value', FLIPS.join(' | '), o.flip));
  const fillMode = (o.fillMode ?? 'nearest') as FillMode;
  if (!FILLS.includes(fillMode)) throw new ConfigError(invalid('--fill-mode', 'value', FILLS.join(' | '), o.fillMode));
  const seed = o.seed;
  const layers: Layer[] = [];
  if (o.flip) layers.push(new RandomFlip(o.flip as 'horizontal', { seed }));
  if (o.rotation) layers.push(new RandomRotation(o.rotation / 360, { fillMode, seed: seed + 1 }));
  if (o.shift) layers.push(new RandomTranslation(o.shift, o.shift, { fillMode, seed: seed + 2 }));
  if (o.zoom) layers.push(new RandomZoom(o.zoom, o.zoom, { fillMode, seed: seed + 3 }));
  if (o.brightness) layers.push(new RandomBrightness(o.brightness, { seed: seed + 4 }));
  if (o.contrast) layers.push(new RandomContrast(o.contrast, { seed: seed + 5 }));
  if (layers.length === 0) {
    throw new ConfigError(
      invalid(
        'augment-preview',
        'flags',
        'at least one augmentation',
        'none',
        'Hint: --rotation 20 --shift 0.1 --zoom 0.1 --flip horizontal.',
      ),
    );
  }
  return layers;
}

/** The images to augment, (N, size, size, C) in [0, 255]: one file repeated, or up to `samples` from a folder. */
async function sources(input: string, o: AugmentPreviewOptions): Promise<{ images: Tensor; original: boolean }> {
  const { statSync } = await import('node:fs');
  let isFolder = false;
  try {
    isFolder = statSync(input).isDirectory();
  } catch {
    // loadImage below gives the not-found message.
  }
  if (!isFolder) {
    const image = await loadImage(input, { targetSize: [o.size, o.size] });
    const row = image.data.length;
    const data = new Float32Array(row * o.samples);
    for (let i = 0; i < o.samples; i++) data.set(image.data, i * row);
    return { images: { data, shape: [o.samples, o.size, o.size, 3] }, original: true };
  }
  const { imageDatasetFromDirectory } = await import('../datasets/image-directory.js');
  const dataset = await imageDatasetFromDirectory(input, {
    labels: null,
    imageSize: [o.size, o.size],
    cropToAspectRatio: true,
    batchSize: o.samples,
    seed: o.seed,
  });
  for await (const batch of dataset) return { images: batch.x as Tensor, original: false };
  throw new ConfigError(invalid('augment-preview', 'input', 'a folder with decodable images', input));
}

/** Tiles (N, s, s, 3) images into one RGB grid, `GAP` white pixels between tiles. */
function tile(images: Tensor): { data: Uint8Array; width: number; height: number } {
  const [n, s] = images.shape as [number, number, number, number];
  const cols = Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const width = cols * s + (cols + 1) * GAP;
  const height = rows * s + (rows + 1) * GAP;
  const data = new Uint8Array(width * height * 3).fill(255);
  for (let i = 0; i < n; i++) {
    const top = GAP + Math.floor(i / cols) * (s + GAP);
    const left = GAP + (i % cols) * (s + GAP);
    for (let r = 0; r < s; r++) {
      for (let c = 0; c < s * 3; c++) {
        const v = images.data[(i * s + r) * s * 3 + c]!;
        data[((top + r) * width + left) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return { data, width, height };
}

export async function augmentPreviewCommand(input: string, o: AugmentPreviewOptions): Promise<void> {
  checkWritable(o.out, '--out', ['.png']);
  const layers = previewLayers(o);
  applyGlobalOptions(o);
  const { images, original } = await sources(input, o);
  const augment = augmentation(layers, { seed: o.seed });
  const augmented = augment.images(images);
  // One image: the first tile stays the original, for comparison.
  if (original) augmented.data.set(images.data.subarray(0, images.data.length / images.shape[0]!), 0);
  const grid = tile(augmented);
  const { default: sharp } = await import('sharp');
  const png = await sharp(grid.data, { raw: { width: grid.width, height: grid.height, channels: 3 } })
    .png()
    .toBuffer();
  await atomicWrite(o.out, async (temp) => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(temp, png);
  });
  const names = layers.map((layer) => layer.className).join(', ');
  console.log(
    `Wrote ${o.out}: ${augmented.shape[0]} samples of ${o.size}x${o.size}${original ? ' (the first is the original)' : ''}, seed ${o.seed}, through ${names}`,
  );
}
