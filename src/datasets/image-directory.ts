// imageDatasetFromDirectory: Keras's image_dataset_from_directory for convkit. Photos in class subfolders become a
// Dataset of float32 batches [n, height, width, channels] in [0, 255] with their labels, streamed from disk: each
// batch is decoded by sharp (libvips threads, off the main thread) while up to `PREFETCH` batches wait ahead, so
// memory stays bounded by the queue. Unreadable images are skipped and listed (with why) in one warning per epoch,
// or stop the epoch under `strict`. Without labels (labels / labelMode null) batches hold images only, for predict.
// Listing and splitting live in image-index.ts, decoding in image-decode.ts, option checks in image-options.ts.

import { ConfigError, FormatError, invalid, ValueError } from '../errors.js';
import { checkWritable } from '../io/file-checks.js';
import type { Tensor } from '../tensor.js';
import { oneHot } from '../tensor-ops.js';
import { type Batch, type Dataset, type InputBatch, type InputDataset, permutation } from '../training/data.js';
import { drawSeed } from '../training/seed.js';
import { CHANNELS, decodeImage } from './image-decode.js';
import { ImageFileCache } from './image-file-cache.js';
import { type ImageIndex, indexDirectory, shuffledIndex, splitIndex } from './image-index.js';
import { checkImageOptions, type ImageDatasetOptions, type ImageSettings } from './image-options.js';
import { MappedDataset } from './mapped-dataset.js';

export type { ImageColorMode, ImageInterpolation } from './image-decode.js';
export type { ImageDatasetOptions, LabelMode } from './image-options.js';

const WHERE = 'imageDatasetFromDirectory';
type Unlabeled = { labels: null } | { labelMode: null };
type AnyImageDataset = ImageDirectoryDataset | UnlabeledImageDataset;
/** Batches decoded ahead of the one being used. */
export const PREFETCH = 2;

/** Image files served as batches of decoded, resized images, prefetched; the two datasets below add labels or not. */
abstract class ImageFilesBatches<B extends InputBatch> implements AsyncIterable<B> {
  readonly filePaths: string[];
  /** Batches per epoch. */
  readonly length: number;
  /** Files that failed to decode so far (skipped), with the reason. */
  readonly skipped = new Map<string, string>();
  private epoch = 0;
  /** Decoded images by file index once cache() was called (uint8, a quarter of the float32 batches' bytes). */
  private memory: Map<number, Uint8Array> | null = null;
  /** The cache file once cache(path) was called. */
  private fileCache: ImageFileCache | null = null;

  constructor(
    index: ImageIndex,
    protected readonly settings: ImageSettings,
  ) {
    this.filePaths = index.filePaths;
    this.length = Math.ceil(this.filePaths.length / settings.batchSize);
  }

  /** Shape of one image: [height, width, channels]. */
  get imageShape(): [number, number, number] {
    return [this.settings.height, this.settings.width, CHANNELS[this.settings.colorMode]];
  }

  /**
   * Keeps the decoded, resized images so later epochs skip the disk and the decoder, as tf.data's cache():
   * without a path in memory (height x width x channels bytes per image, filled as images are first read); with a
   * path in one file, written during the first complete epoch and reused by later epochs and later runs (rebuilt
   * when the files or decode settings change; memory stays bounded). Returns this dataset.
   * @example const train = (await imageDatasetFromDirectory('photos', { imageSize: [64, 64] })).cache('train.cache');
   */
  cache(path?: string): this {
    if (path === undefined) {
      this.memory ??= new Map();
      this.fileCache = null;
      return this;
    }
    if (typeof path !== 'string' || path === '') {
      throw new ConfigError(invalid(`${WHERE} cache`, 'path', 'a file path, or nothing to cache in memory', path));
    }
    checkWritable(path, `${WHERE} cache`);
    const [h, w, c] = this.imageShape;
    this.fileCache = new ImageFileCache(path, this.filePaths, this.settings, h * w * c);
    this.memory = null;
    return this;
  }

  /**
   * This dataset with `fn` applied to every batch, as Keras's dataset.map: typically augmentation layers run in
   * the data pipeline instead of the model. Call it after cache(): the cache keeps the decoded images, and `fn`
   * runs afresh each epoch.
   * @example const augmented = train.map(augmentation([new RandomFlip('horizontal')], { seed: 1 }));
   */
  map(fn: (batch: B) => B | Promise<B>): MappedDataset<B> {
    if (typeof fn !== 'function') throw new ConfigError(invalid(`${WHERE} map`, 'fn', 'a function (batch) => batch', fn));
    return new MappedDataset(this, fn);
  }

  /** Decodes file `index`, or takes it from a cache; null (after noting why) for a file that cannot be used. */
  private async load(index: number): Promise<Uint8Array | null> {
    const cached = this.memory?.get(index);
    if (cached) return cached;
    const path = this.filePaths[index]!;
    const fromFile = this.fileCache?.reading === true;
    const decoded = fromFile ? await this.fileCache!.get(index) : await decodeImage(path, this.settings);
    if (!fromFile) this.fileCache?.put(index, decoded);
    if ('reason' in decoded) {
      if (this.settings.strict) {
        throw new FormatError(
          `${WHERE}: cannot use '${path}': ${decoded.reason}. Expected an image sharp can decode (JPEG, PNG, WebP, GIF, BMP) within maxPixels. Hint: remove or replace the file, or leave strict off to skip such files with a warning.`,
        );
      }
      this.skipped.set(path, decoded.reason);
      return null;
    }
    this.memory?.set(index, decoded.pixels);
    return decoded.pixels;
  }

  /** The batch of `images` (one per entry of `files`, file indices). */
  protected abstract batchOf(images: Tensor, files: number[]): B;

  private async makeBatch(order: Int32Array, start: number, end: number): Promise<B | null> {
    const pixels = await Promise.all(Array.from({ length: end - start }, (_, i) => this.load(order[start + i]!)));
    const kept: number[] = [];
    pixels.forEach((p, i) => {
      if (p) kept.push(order[start + i]!);
    });
    if (kept.length === 0) return null;
    const [h, w, c] = this.imageShape;
    const row = h * w * c;
    const x = new Float32Array(kept.length * row);
    let n = 0;
    for (const p of pixels) if (p) x.set(p, row * n++);
    return this.batchOf({ data: x, shape: [kept.length, h, w, c] }, kept);
  }

  /** One epoch of batches: a new order each epoch when shuffling (from `seed` when given, else fit's seed). */
  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    const count = this.filePaths.length;
    const order = new Int32Array(count);
    const { shuffle, seed, batchSize } = this.settings;
    if (shuffle) permutation(order, seed === undefined ? drawSeed() : seed + 1 + this.epoch);
    else for (let i = 0; i < count; i++) order[i] = i;
    this.epoch++;
    const skippedBefore = this.skipped.size;
    const queue: Promise<B | null>[] = [];
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
    this.fileCache?.beginEpoch();
    let complete = false;
    fill();
    try {
      while (queue.length > 0) {
        const batch = await queue.shift()!;
        fill();
        if (batch) yield batch;
      }
      complete = true;
    } finally {
      this.fileCache?.endEpoch(complete);
      if (this.skipped.size > skippedBefore) {
        const list = [...this.skipped].slice(skippedBefore).map(([path, reason]) => `${path} (${reason})`);
        console.warn(`${WHERE}: skipped ${list.length} image(s) that could not be decoded:\n  ${list.join('\n  ')}`);
      }
    }
  }
}

/** Images in class subfolders (or with a labels list) and their labels; see imageDatasetFromDirectory. */
export class ImageDirectoryDataset extends ImageFilesBatches<Batch> implements Dataset {
  readonly classNames: string[];
  /** Class index per file, aligned with filePaths. */
  readonly labels: Int32Array;
  private readonly labelsAreValues: boolean;

  constructor(index: ImageIndex & { labels: Int32Array }, settings: ImageSettings) {
    super(index, settings);
    this.classNames = index.classNames;
    this.labels = index.labels;
    this.labelsAreValues = index.labelsAreValues ?? false;
  }

  /** Images per class, in classNames order. */
  get classCounts(): Record<string, number> {
    const counts: Record<string, number> = Object.fromEntries(this.classNames.map((name) => [name, 0]));
    // A labels list names its classes by value ('0', '5'); inferred classes by position.
    for (const label of this.labels) counts[this.labelsAreValues ? String(label) : this.classNames[label]!]! += 1;
    return counts;
  }

  protected batchOf(images: Tensor, files: number[]): Batch {
    const n = files.length;
    const data = Float32Array.from(files, (f) => this.labels[f]!);
    const paths = files.map((f) => this.filePaths[f]!);
    if (this.settings.labelMode === 'categorical') return { x: images, y: oneHot(data, this.classNames.length), paths };
    return { x: images, y: this.settings.labelMode === 'binary' ? { data, shape: [n, 1] } : { data, shape: [n] }, paths };
  }
}

/**
 * Images without labels (labels: null or labelMode: null), for predict: every image under the folder, in
 * filePaths order when not shuffled. Skipped files shift the rows that follow: use strict to keep rows and files
 * aligned.
 */
export class UnlabeledImageDataset extends ImageFilesBatches<InputBatch> implements InputDataset {
  protected batchOf(images: Tensor): InputBatch {
    return { x: images };
  }
}

/**
 * Keras's image_dataset_from_directory: `directory` holds one subfolder per class (sorted names are the classes;
 * images inside are found recursively: JPEG, PNG, WebP, GIF (first frame), BMP; EXIF orientation applied). Images
 * are resized to imageSize and served as float32 in [0, 255]. With validationSplit and a seed, the file list is
 * shuffled once and its last fraction is the validation subset; subset 'both' returns [training, validation].
 * `labels: null` (or `labelMode: null`) serves images only, from anywhere under the folder (for predict); a list
 * of integers gives each file its label, in Keras's sorted file order.
 * @example
 * const [train, val] = await imageDatasetFromDirectory('photos', { validationSplit: 0.2, subset: 'both', seed: 42, imageSize: [64, 64] });
 * await model.fit(train, { epochs: 5, validationData: val });
 */
export async function imageDatasetFromDirectory(
  directory: string,
  options: ImageDatasetOptions & Unlabeled & { subset: 'both' },
): Promise<[UnlabeledImageDataset, UnlabeledImageDataset]>;
export async function imageDatasetFromDirectory(
  directory: string,
  options: ImageDatasetOptions & Unlabeled,
): Promise<UnlabeledImageDataset>;
export async function imageDatasetFromDirectory(
  directory: string,
  options: ImageDatasetOptions & { subset: 'both' },
): Promise<[ImageDirectoryDataset, ImageDirectoryDataset]>;
export async function imageDatasetFromDirectory(directory: string, options?: ImageDatasetOptions): Promise<ImageDirectoryDataset>;
export async function imageDatasetFromDirectory(
  directory: string,
  rawOptions?: ImageDatasetOptions,
): Promise<AnyImageDataset | [AnyImageDataset, AnyImageDataset]> {
  const { settings, labels, classNames, followLinks, validationSplit, subset } = checkImageOptions(directory, rawOptions);
  let index = indexDirectory(directory, classNames, followLinks, labels);
  const classes = index.classNames.length;
  if (settings.labelMode === 'binary' && classes !== 2) {
    throw new ValueError(
      invalid(WHERE, 'labelMode', `'int' or 'categorical' for ${classes} classes ('binary' needs exactly 2)`, 'binary'),
    );
  }
  if (index.labels && settings.labelMode !== 'int' && index.labels.some((label) => label >= classes)) {
    throw new ConfigError(
      invalid(
        WHERE,
        'labels',
        `labels from 0 to ${classes - 1} for labelMode '${settings.labelMode}' (one column per distinct label)`,
        index.classNames.map(Number),
        "Renumber the labels 0, 1, 2 ... or use labelMode 'int'.",
      ),
    );
  }
  if (settings.shuffle) index = shuffledIndex(index, settings.seed ?? drawSeed());
  const dataset = (part: ImageIndex): AnyImageDataset =>
    part.labels
      ? new ImageDirectoryDataset({ ...part, labels: part.labels }, settings)
      : new UnlabeledImageDataset(part, settings);
  if (validationSplit === undefined || subset === undefined) return dataset(index);
  const make = (s: 'training' | 'validation') => dataset(splitIndex(index, validationSplit, s));
  return subset === 'both' ? [make('training'), make('validation')] : make(subset);
}
