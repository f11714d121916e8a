// Named input preprocessing, as common model sources expect it: 'teachable-machine' (centre crop to the model's
// aspect ratio, resize, x / 127.5 - 1, what Teachable Machine exports are trained on), 'mnist' (grayscale, x / 255)
// and 'none' (pixels 0..255 as decoded). A preset is a colour mode, a crop rule and a scale/offset; predict,
// finetune and the library all apply it the same way. Node only (images decode through sharp).

import { ConfigError, invalid, ShapeError } from '../errors.js';
import type { Model } from '../models/model.js';
import { checkOptions } from '../options.js';
import { formatShape, type Tensor } from '../tensor.js';
import type { Batch, Dataset } from '../training/data.js';
import { type ColorMode, loadImage, stackImages } from './image.js';

export type PreprocessName = 'teachable-machine' | 'mnist' | 'none';

export interface Preprocessing {
  /** Colour mode to decode in; undefined: the model's channel count decides (1 grayscale, 3 rgb, 4 rgba). */
  colorMode?: ColorMode;
  /** Crop the centre to the target's aspect ratio before resizing (instead of stretching). */
  keepAspectRatio: boolean;
  /** pixel * scale + offset. */
  scale: number;
  offset: number;
}

export const PREPROCESSING: Readonly<Record<PreprocessName, Readonly<Preprocessing>>> = {
  'teachable-machine': { colorMode: 'rgb', keepAspectRatio: true, scale: 1 / 127.5, offset: -1 },
  mnist: { colorMode: 'grayscale', keepAspectRatio: false, scale: 1 / 255, offset: 0 },
  none: { keepAspectRatio: false, scale: 1, offset: 0 },
};

/** The preset called `name`; an unknown name lists the known ones. */
export function preprocessing(name: unknown, where = 'preprocess'): Preprocessing {
  if (typeof name !== 'string' || !Object.hasOwn(PREPROCESSING, name)) {
    throw new ConfigError(
      invalid(
        where,
        'preprocess',
        Object.keys(PREPROCESSING)
          .map((n) => `'${n}'`)
          .join(', '),
        name,
      ),
    );
  }
  return { ...PREPROCESSING[name as PreprocessName] };
}

/** pixel * scale + offset on every value, in place; returns the tensor. */
export function scalePixels(x: Tensor, scale: number, offset: number): Tensor {
  const data = x.data;
  for (let i = 0; i < data.length; i++) data[i] = data[i]! * scale + offset;
  return x;
}

/** A dataset whose image batches are scaled in place as they pass (each batch is a fresh buffer). */
export function scaledDataset(source: Dataset, scale: number, offset: number): Dataset {
  return {
    ...(source.length !== undefined ? { length: source.length } : {}),
    async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
      for await (const batch of source) {
        for (const x of Array.isArray(batch.x) ? batch.x : [batch.x]) scalePixels(x, scale, offset);
        yield batch;
      }
    },
  };
}

export interface LoadImagesOptions {
  /** A named preset (default: none of them; scale 1/255 as `convkit predict` always did). */
  preprocess?: PreprocessName;
  /** Pixel multiplier instead of a preset (default 1/255). */
  scale?: number;
  /** Added after scaling (default 0). */
  offset?: number;
  /** 255 - pixel before scaling (dark digits on white paper to MNIST's white on black). */
  invert?: boolean;
}

/**
 * Decodes image files into one batch ready for `model`: its input size and channels, with the preset's crop,
 * colour mode and scaling (or scale/offset). Input files of any size; output (N, H, W, C) float32.
 * @example const x = await loadImagesFor(model, ['cat.jpg'], { preprocess: 'teachable-machine' });
 */
export async function loadImagesFor(model: Model, paths: string[], rawOptions?: LoadImagesOptions): Promise<Tensor> {
  const options = checkOptions<LoadImagesOptions>('loadImagesFor', rawOptions, ['preprocess', 'scale', 'offset', 'invert']);
  if (options.preprocess !== undefined && (options.scale !== undefined || options.offset !== undefined)) {
    throw new ConfigError(
      invalid(
        'loadImagesFor',
        'preprocess',
        "either a preset or 'scale'/'offset'",
        options.preprocess,
        'A preset sets both; drop one.',
      ),
    );
  }
  for (const key of ['scale', 'offset'] as const) {
    const v = options[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v)))
      throw new ConfigError(invalid('loadImagesFor', key, 'a finite number', v));
  }
  const preset: Preprocessing = options.preprocess
    ? preprocessing(options.preprocess, 'loadImagesFor')
    : { keepAspectRatio: false, scale: options.scale ?? 1 / 255, offset: options.offset ?? 0 };
  const inputShape = model.expectedInputShapes()[0] ?? [];
  if (inputShape.length !== 4 || inputShape.slice(1).some((d) => d === null)) {
    throw new ShapeError(
      `loadImagesFor: the model takes inputs of shape ${formatShape(inputShape)}. Expected an image model with inputs (N, H, W, C) of known size; only such models can take image files.`,
    );
  }
  const [, height, width, channels] = inputShape as [null, number, number, number];
  const colorMode: ColorMode = channels === 1 ? 'grayscale' : channels === 4 ? 'rgba' : 'rgb';
  if (preset.colorMode && preset.colorMode !== colorMode) {
    throw new ShapeError(
      `loadImagesFor: preprocess '${options.preprocess}' gives ${preset.colorMode} images, but the model takes ${channels} channel(s) (input ${formatShape(inputShape)}). Hint: choose the preset the model was trained with.`,
    );
  }
  const images = await Promise.all(
    paths.map((p) => loadImage(p, { targetSize: [height, width], colorMode, keepAspectRatio: preset.keepAspectRatio })),
  );
  const x = stackImages(images);
  if (options.invert) for (let i = 0; i < x.data.length; i++) x.data[i] = 255 - x.data[i]!;
  return scalePixels(x, preset.scale, preset.offset);
}
