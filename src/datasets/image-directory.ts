// imageDatasetFromDirectory: Keras's image_dataset_from_directory for convkit. Photos in class subfolders become a
// Dataset of float32 batches [n, height, width, channels] in [0, 255] with their labels, streamed from disk: each
// batch is decoded by sharp (libvips threads, off the main thread) while up to `PREFETCH` batches wait ahead, so
// memory stays bounded by the queue. Corrupt images are skipped and listed in one warning per epoch.
// Listing and splitting live in image-index.ts.

import type { Sharp } from 'sharp';
import { ConfigError, describe, invalid, ValueError } from '../errors.js';
import { MAX_INPUT_BYTES, readInputFile } from '../io/file-checks.js';
import { checkOptions } from '../options.js';
import { sharpInput } from '../preprocessing/bmp.js';
import type { Tensor } from '../tensor.js';
import { oneHot } from '../tensor-ops.js';
import { type Batch, type Dataset, permutation } from '../training/data.js';
import { drawSeed } from '../training/seed.js';
import { type ImageIndex, indexDirectory, shuffledIndex, splitIndex } from './image-index.js';

export type LabelMode = 'int' | 'categorical' | 'binary';
export type ImageColorMode = 'grayscale' | 'rgb' | 'rgba';
/** Keras's interpolation names that sharp (libvips) has a kernel for. */
export type ImageInterpolation = 'nearest' | 'bilinear' | 'bicubic' | 'lanczos3' | 'mitchellcubic';

export interface ImageDatasetOptions {
  /** Only 'inferred' (a class is a subfolder), as Keras's default. */
  labels?: 'inferred';
  labelMode?: LabelMode;
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
  /** Resize to cover imageSize and crop the centre, keeping the aspect ratio (instead of stretching). */
  cropToAspectRatio?: boolean;
  /** Enter symbolically linked folders inside class folders. */
  followLinks?: boolean;
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
];
const WHERE = 'imageDatasetFromDirectory';
const CHANNELS: Record<ImageColorMode, number> = { grayscale: 1, rgb: 3, rgba: 4 };
// libvips kernels. 'linear' and 'cubic' widen when shrinking (antialiased), unlike TF's bilinear/bicubic.
const KERNELS = {
  nearest: 'nearest',
  bilinear: 'linear',
  bicubic: 'cubic',
  lanczos3: 'lanczos3',
  mitchellcubic: 'mitchell',
} as const;
/** Batches decoded ahead of the one being used. */
export const PREFETCH = 2;

function oneOf<T extends string>(arg: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw new ConfigError(invalid(WHERE, arg, allowed.map((a) => `'${a}'`).join(', '), value));
  return value as T;
}

interface Settings {
  labelMode: LabelMode;
  colorMode: ImageColorMode;
  batchSize: number;
  height: number;
  width: number;
  shuffle: boolean;
  seed: number | undefined;
  interpolation: ImageInterpolation;
  cropToAspectRatio: boolean;
}

/** A folder of class subfolders served as batches; see imageDatasetFromDirectory. */
export class ImageDirectoryDataset implements Dataset {
  readonly classNames: string[];
  readonly filePaths: string[];
  /** Class index per file, aligned with filePaths. */
  readonly labels: Int32Array;
  /** Batches per epoch. */
  readonly length: number;
  /** Files that failed to decode so far (skipped). */
  readonly skipped = new Set<string>();
  private epoch = 0;
  /** Decoded images by file index once cache() was called (uint8, a quarter of the float32 batches' bytes). */
  private memory: Map<number, Uint8Array> | null = null;

  constructor(
    index: ImageIndex,
    private readonly settings: Settings,
  ) {
    this.classNames = index.classNames;
    this.filePaths = index.filePaths;
    this.labels = index.labels;
    this.length = Math.ceil(this.filePaths.length / settings.batchSize);
  }

  /** Images per class, in classNames order. */
  get classCounts(): Record<string, number> {
    const counts: Record<string, number> = Object.fromEntries(this.classNames.map((name) => [name, 0]));
    for (const label of this.labels) counts[this.classNames[label]!]! += 1;
    return counts;
  }

  /** Shape of one image: [height, width, channels]. */
  get imageShape(): [number, number, number] {
    return [this.settings.height, this.settings.width, CHANNELS[this.settings.colorMode]];
  }

  /**
   * Keeps each decoded, resized image in memory (as uint8) the first time it is read, so later epochs skip the
   * disk and the decoder. Costs height x width x channels bytes per image. Returns this dataset.
   * @example const train = (await imageDatasetFromDirectory('photos', { imageSize: [64, 64] })).cache();
   */
  cache(): this {
    this.memory ??= new Map();
    return this;
  }

  /** Decodes file `index`, or takes it from the cache. */
  private async load(index: number): Promise<Uint8Array | null> {
    const cached = this.memory?.get(index);
    if (cached) return cached;
    const pixels = await this.decode(this.filePaths[index]!);
    if (pixels && this.memory) this.memory.set(index, pixels);
    return pixels;
  }

  private async decode(path: string): Promise<Uint8Array | null> {
    const { height, width, colorMode, interpolation, cropToAspectRatio } = this.settings;
    const { default: sharp } = await import('sharp');
    try {
      const bytes = readInputFile(path, { where: WHERE, expected: 'an image file', maxBytes: MAX_INPUT_BYTES.image });
      let pipeline: Sharp = sharpInput(sharp, bytes, WHERE)
        .rotate()
        .resize(width, height, { fit: cropToAspectRatio ? 'cover' : 'fill', kernel: KERNELS[interpolation] });
      pipeline =
        colorMode === 'grayscale'
          ? pipeline.removeAlpha().grayscale()
          : colorMode === 'rgb'
            ? pipeline.removeAlpha().toColourspace('srgb')
            : pipeline.ensureAlpha().toColourspace('srgb');
      const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
      if (info.channels !== CHANNELS[colorMode] || info.width !== width || info.height !== height) return null;
      return data;
    } catch {
      return null;
    }
  }

  private async makeBatch(order: Int32Array, start: number, end: number): Promise<Batch | null> {
    const pixels = await Promise.all(Array.from({ length: end - start }, (_, i) => this.load(order[start + i]!)));
    const kept: number[] = [];
    pixels.forEach((p, i) => {
      if (p) kept.push(order[start + i]!);
      else this.skipped.add(this.filePaths[order[start + i]!]!);
    });
    if (kept.length === 0) return null;
    const [h, w, c] = this.imageShape;
    const row = h * w * c;
    const x = new Float32Array(kept.length * row);
    let n = 0;
    for (const p of pixels) if (p) x.set(p, row * n++);
    return { x: { data: x, shape: [kept.length, h, w, c] }, y: this.labelTensor(kept) };
  }

  private labelTensor(files: number[]): Tensor {
    const classes = this.classNames.length;
    const n = files.length;
    const data = Float32Array.from(files, (f) => this.labels[f]!);
    if (this.settings.labelMode === 'categorical') return oneHot(data, classes);
    return this.settings.labelMode === 'binary' ? { data, shape: [n, 1] } : { data, shape: [n] };
  }

  /** One epoch of batches: a new order each epoch when shuffling (from `seed` when given, else fit's seed). */
  async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
    const count = this.filePaths.length;
    const order = new Int32Array(count);
    const { shuffle, seed, batchSize } = this.settings;
    if (shuffle) permutation(order, seed === undefined ? drawSeed() : seed + 1 + this.epoch);
    else for (let i = 0; i < count; i++) order[i] = i;
    this.epoch++;
    const skippedBefore = this.skipped.size;
    const queue: Promise<Batch | null>[] = [];
    let next = 0;
    const fill = () => {
      while (queue.length <= PREFETCH && next < count) {
        const start = next;
        next = Math.min(count, next + batchSize);
        const pending = this.makeBatch(order, start, next);
        pending.catch(() => {}); // awaited below; this only keeps an early rejection from counting as unhandled
        queue.push(pending);
      }
    };
    fill();
    try {
      while (queue.length > 0) {
        const batch = await queue.shift()!;
        fill();
        if (batch) yield batch;
      }
    } finally {
      if (this.skipped.size > skippedBefore) {
        const list = [...this.skipped].slice(skippedBefore);
        console.warn(`${WHERE}: skipped ${list.length} image(s) that could not be decoded:\n  ${list.join('\n  ')}`);
      }
    }
  }
}

/**
 * Keras's image_dataset_from_directory: `directory` holds one subfolder per class (sorted names are the classes;
 * images inside are found recursively: JPEG, PNG, WebP, GIF (first frame), BMP; EXIF orientation applied). Images
 * are resized to imageSize and served as float32 in [0, 255]. With validationSplit and a seed, the file list is
 * shuffled once and its last fraction is the validation subset; subset 'both' returns [training, validation].
 * @example
 * const [train, val] = await imageDatasetFromDirectory('photos', { validationSplit: 0.2, subset: 'both', seed: 42, imageSize: [64, 64] });
 * await model.fit(train, { epochs: 5, validationData: val });
 */
export async function imageDatasetFromDirectory(
  directory: string,
  options: ImageDatasetOptions & { subset: 'both' },
): Promise<[ImageDirectoryDataset, ImageDirectoryDataset]>;
export async function imageDatasetFromDirectory(directory: string, options?: ImageDatasetOptions): Promise<ImageDirectoryDataset>;
export async function imageDatasetFromDirectory(
  directory: string,
  rawOptions?: ImageDatasetOptions,
): Promise<ImageDirectoryDataset | [ImageDirectoryDataset, ImageDirectoryDataset]> {
  const o = checkOptions<ImageDatasetOptions>(WHERE, rawOptions, KEYS);
  if (typeof directory !== 'string' || directory === '')
    throw new ConfigError(invalid(WHERE, 'directory', 'a folder path', directory));
  oneOf('labels', o.labels, ['inferred'], 'inferred');
  const labelMode = oneOf('labelMode', o.labelMode, ['int', 'categorical', 'binary'], 'int');
  const colorMode = oneOf('colorMode', o.colorMode, ['grayscale', 'rgb', 'rgba'], 'rgb');
  const interpolation = oneOf('interpolation', o.interpolation, Object.keys(KERNELS) as ImageInterpolation[], 'bilinear');
  const batchSize = o.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ConfigError(invalid(WHERE, 'batchSize', 'a positive integer', batchSize));
  const imageSize = o.imageSize ?? [256, 256];
  if (!Array.isArray(imageSize) || imageSize.length !== 2 || !imageSize.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new ConfigError(invalid(WHERE, 'imageSize', '[height, width] of positive integers', imageSize));
  }
  for (const key of ['shuffle', 'cropToAspectRatio', 'followLinks'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') throw new ConfigError(invalid(WHERE, key, 'true or false', o[key]));
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
  let index = indexDirectory(directory, o.classNames, o.followLinks ?? false);
  if (labelMode === 'binary' && index.classNames.length !== 2) {
    throw new ValueError(
      invalid(
        WHERE,
        'labelMode',
        `'int' or 'categorical' for ${index.classNames.length} classes ('binary' needs exactly 2)`,
        'binary',
      ),
    );
  }
  if (shuffle) index = shuffledIndex(index, o.seed ?? drawSeed());
  const settings: Settings = {
    labelMode,
    colorMode,
    batchSize,
    height: imageSize[0],
    width: imageSize[1],
    shuffle,
    seed: o.seed,
    interpolation,
    cropToAspectRatio: o.cropToAspectRatio ?? false,
  };
  if (split === undefined || subset === undefined) return new ImageDirectoryDataset(index, settings);
  const make = (s: 'training' | 'validation') => new ImageDirectoryDataset(splitIndex(index, split, s), settings);
  return subset === 'both' ? [make('training'), make('validation')] : make(subset);
}
