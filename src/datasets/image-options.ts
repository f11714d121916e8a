// The options of imageDatasetFromDirectory: their types, Keras's defaults, and every check made before a file is
// read (unknown keys through checkOptions, then each value), turned into the settings the dataset runs with.

import { ConfigError, describe, invalid } from '../errors.js';
import { checkOptions } from '../options.js';
import {
  DEFAULT_MAX_PIXELS,
  type DecodeSettings,
  type ImageColorMode,
  type ImageInterpolation,
  KERNELS,
} from './image-decode.js';
import type { LabelSource } from './image-index.js';

export type LabelMode = 'int' | 'categorical' | 'binary';

export interface ImageDatasetOptions {
  /**
   * 'inferred' (a class is a subfolder, Keras's default), null (no labels: every image under the folder, for
   * predict), or one integer label per image file in Keras's sorted order (folders by path, files by name).
   */
  labels?: LabelSource;
  /** How labels are served; null serves images only (as labels: null). */
  labelMode?: LabelMode | null;
  /** The classes to use, in label order; default: every subfolder, sorted. */
  classNames?: string[];
  colorMode?: ImageColorMode;
  batchSize?: number;
  /** [height, width]; default [256, 256]. */
  imageSize?: [number, number];
  shuffle?: boolean;
  seed?: number;
  validationSplit?: number;
  subset?: 'training' | 'validation' | 'both';
  interpolation?: ImageInterpolation;
  /** Crop the centred window of imageSize's aspect ratio, then resize (instead of stretching), as Keras does. */
  cropToAspectRatio?: boolean;
  /** Enter symbolically linked folders inside class folders. */
  followLinks?: boolean;
  /** Stop with an error at the first image that cannot be decoded, instead of skipping it with a warning. */
  strict?: boolean;
  /** Largest width x height decoded (default sharp's 268,402,689); larger images are refused before decoding. */
  maxPixels?: number;
}

const KEYS = [
  'labels',
  'labelMode',
  'classNames',
  'colorMode',
  'batchSize',
  'imageSize',
  'shuffle',
  'seed',
  'validationSplit',
  'subset',
  'interpolation',
  'cropToAspectRatio',
  'followLinks',
  'strict',
  'maxPixels',
];

const WHERE = 'imageDatasetFromDirectory';

/** What a dataset runs with, once the options are checked. */
export interface ImageSettings extends DecodeSettings {
  labelMode: LabelMode | null;
  batchSize: number;
  shuffle: boolean;
  seed: number | undefined;
  strict: boolean;
}

export interface CheckedImageOptions {
  settings: ImageSettings;
  labels: LabelSource;
  classNames: string[] | undefined;
  followLinks: boolean;
  validationSplit: number | undefined;
  subset: 'training' | 'validation' | 'both' | undefined;
}

function oneOf<T extends string>(arg: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw new ConfigError(invalid(WHERE, arg, allowed.map((a) => `'${a}'`).join(', '), value));
  return value as T;
}

function checkLabels(labels: unknown, classNames: unknown, labelMode: unknown): LabelSource {
  if (labels === undefined || labels === 'inferred') return 'inferred';
  if (labels !== null) {
    const list = labels instanceof Int32Array ? [...labels] : labels;
    if (!Array.isArray(list) || !list.every((v) => Number.isInteger(v) && v >= 0)) {
      throw new ConfigError(
        invalid(WHERE, 'labels', "'inferred', null, or a list of non-negative integer labels (one per image file)", labels),
      );
    }
  }
  if (classNames !== undefined) {
    throw new ConfigError(
      invalid(
        WHERE,
        'classNames',
        "no classNames unless labels is 'inferred'",
        classNames,
        labels === null ? 'Without labels there are no classes.' : 'With a labels list the classes are its distinct values.',
      ),
    );
  }
  if (labels !== null && labelMode === null) {
    throw new ConfigError(invalid(WHERE, 'labelMode', "'int', 'categorical' or 'binary' with a labels list", null));
  }
  return labels as LabelSource;
}

/** Checks every option (before any file is read) and returns the settings. */
export function checkImageOptions(directory: unknown, rawOptions: unknown): CheckedImageOptions {
  const o = checkOptions<ImageDatasetOptions>(WHERE, rawOptions, KEYS);
  if (typeof directory !== 'string' || directory === '')
    throw new ConfigError(invalid(WHERE, 'directory', 'a folder path', directory));
  let labels = checkLabels(o.labels, o.classNames, o.labelMode);
  const labelMode =
    o.labelMode === null || labels === null ? null : oneOf('labelMode', o.labelMode, ['int', 'categorical', 'binary'], 'int');
  // Keras: no labels either way means no labels at all (every image under the folder, no classes).
  if (labelMode === null) labels = null;
  const colorMode = oneOf('colorMode', o.colorMode, ['grayscale', 'rgb', 'rgba'], 'rgb');
  const interpolation = oneOf('interpolation', o.interpolation, Object.keys(KERNELS) as ImageInterpolation[], 'bilinear');
  const batchSize = o.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ConfigError(invalid(WHERE, 'batchSize', 'a positive integer', batchSize));
  const imageSize = o.imageSize ?? [256, 256];
  if (!Array.isArray(imageSize) || imageSize.length !== 2 || !imageSize.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new ConfigError(invalid(WHERE, 'imageSize', '[height, width] of positive integers', imageSize));
  }
  for (const key of ['shuffle', 'cropToAspectRatio', 'followLinks', 'strict'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') throw new ConfigError(invalid(WHERE, key, 'true or false', o[key]));
  }
  const maxPixels = o.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (!Number.isSafeInteger(maxPixels) || maxPixels < 1) {
    throw new ConfigError(invalid(WHERE, 'maxPixels', 'a positive integer (width x height)', maxPixels));
  }
  if (o.seed !== undefined && !Number.isInteger(o.seed)) throw new ConfigError(invalid(WHERE, 'seed', 'an integer', o.seed));
  if (
    o.classNames !== undefined &&
    (!Array.isArray(o.classNames) ||
      o.classNames.some((n) => typeof n !== 'string') ||
      new Set(o.classNames).size !== o.classNames.length)
  ) {
    throw new ConfigError(invalid(WHERE, 'classNames', 'a list of distinct subfolder names', o.classNames));
  }
  const split = o.validationSplit;
  if (split !== undefined && !(typeof split === 'number' && split > 0 && split < 1)) {
    throw new ConfigError(invalid(WHERE, 'validationSplit', 'a fraction between 0 and 1 (exclusive)', split));
  }
  const subset = o.subset === undefined ? undefined : oneOf('subset', o.subset, ['training', 'validation', 'both'], 'training');
  if ((split === undefined) !== (subset === undefined)) {
    throw new ConfigError(
      invalid(
        WHERE,
        split === undefined ? 'subset' : 'validationSplit',
        'validationSplit and subset given together',
        describe({ validationSplit: split, subset }),
      ),
    );
  }
  const shuffle = o.shuffle ?? true;
  if (split !== undefined && shuffle && o.seed === undefined) {
    throw new ConfigError(
      invalid(
        WHERE,
        'seed',
        'an integer when splitting shuffled data',
        undefined,
        'Training and validation must come from the same shuffled order; give the same seed to both calls.',
      ),
    );
  }
  return {
    settings: {
      labelMode,
      colorMode,
      batchSize,
      height: imageSize[0],
      width: imageSize[1],
      shuffle,
      seed: o.seed,
      interpolation,
      cropToAspectRatio: o.cropToAspectRatio ?? false,
      strict: o.strict ?? false,
      maxPixels,
    },
    labels,
    classNames: o.classNames,
    followLinks: o.followLinks ?? false,
    validationSplit: split,
    subset,
  };
}
