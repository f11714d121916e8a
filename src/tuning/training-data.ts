// The data `convkit cv` and `convkit tune` train on, held once in memory as uint8 images [N, H, W, C] and class
// labels [N]: MNIST or Fashion-MNIST (their loaders, a local folder or the cache), or a folder of class
// subfolders decoded once through imageDatasetFromDirectory (resized, then put in a fixed seeded order). Uint8 is a quarter of the
// float32 bytes; batches are scaled by 1/255 as they are gathered (NormalizedBatches), as `convkit train` does.
// `shared` puts the bytes in SharedArrayBuffers so worker threads read them without copies.

import type { ByteTensor } from '../datasets/idx.js';
import { imageDatasetFromDirectory } from '../datasets/image-directory.js';
import { fashionMnist, mnist } from '../datasets/index.js';
import { ConfigError, describe, invalid } from '../errors.js';
import { permutation } from '../training/data.js';

/** Where the data comes from: a named dataset, or a folder of class subfolders. */
export interface DataSpec {
  dataset?: string;
  /** Folder with the dataset's IDX files (default: embedded MNIST / the convkit cache). */
  dataDir?: string;
  /** A folder of class subfolders (instead of dataset). */
  data?: string;
  /** With `data`: the size images are resized to. Default [64, 64]. */
  imageSize?: [number, number];
  colorMode?: 'grayscale' | 'rgb' | 'rgba';
  /** Use the first N samples only. */
  limit?: number;
}

export interface TrainingData {
  /** uint8 images [N, H, W, C]. */
  x: ByteTensor;
  /** Class indices [N]. */
  y: ByteTensor;
  classNames: string[];
  /** For messages: 'fashion-mnist (6000 samples)'. */
  description: string;
}

const DATASETS = ['mnist', 'fashion-mnist'];
const FOLDER_ORDER_SEED = 1;

function withChannel(t: ByteTensor): ByteTensor {
  return t.shape.length === 3 ? { data: t.data, shape: [...t.shape, 1] } : t;
}

function firstRows(t: ByteTensor, n: number): ByteTensor {
  const row = t.shape.slice(1).reduce((a, b) => a * b, 1);
  return { data: t.data.subarray(0, n * row), shape: [n, ...t.shape.slice(1)] };
}

/** Decodes a folder of class subfolders into uint8 images (file order, no shuffling). */
async function loadFolder(spec: DataSpec & { data: string }): Promise<TrainingData> {
  const source = await imageDatasetFromDirectory(spec.data, {
    imageSize: spec.imageSize ?? [64, 64],
    colorMode: spec.colorMode ?? 'rgb',
    shuffle: false,
    batchSize: 64,
  });
  const [h, w, c] = source.imageShape;
  const row = h * w * c;
  const total = Math.min(source.filePaths.length, spec.limit ?? Number.POSITIVE_INFINITY);
  const x = new Uint8Array(total * row);
  const y = new Uint8Array(total);
  let n = 0;
  for await (const batch of source) {
    const images = (batch.x as { data: Float32Array }).data;
    const labels = batch.y.data;
    const count = Math.min(labels.length, total - n);
    // Pixels come resized by libvips as whole numbers in [0, 255]; rounding only guards float noise.
    for (let i = 0; i < count * row; i++) x[n * row + i] = Math.round(images[i]!);
    for (let i = 0; i < count; i++) y[n + i] = labels[i]!;
    n += count;
    if (n >= total) break;
  }
  // Folders list files class by class; a fixed seeded order makes a held-out tail (tune's validation split) hold
  // every class, and is the same on every worker. Corrupt files were skipped (with one warning): n counts the rest.
  const order = permutation(new Int32Array(n), FOLDER_ORDER_SEED);
  const xs = new Uint8Array(n * row);
  const ys = new Uint8Array(n);
  order.forEach((from, to) => {
    xs.set(x.subarray(from * row, (from + 1) * row), to * row);
    ys[to] = y[from]!;
  });
  return {
    x: { data: xs, shape: [n, h, w, c] },
    y: { data: ys, shape: [n] },
    classNames: source.classNames,
    description: `${spec.data} (${n} images, ${source.classNames.length} classes)`,
  };
}

/**
 * Loads the training split of a named dataset, or a folder, as uint8 images and labels.
 * @example const data = await loadTrainingData({ dataset: 'fashion-mnist', dataDir: '../shared/data/fashion-mnist', limit: 6000 });
 */
export async function loadTrainingData(spec: DataSpec): Promise<TrainingData> {
  if (spec.limit !== undefined && !(Number.isInteger(spec.limit) && spec.limit >= 1)) {
    throw new ConfigError(invalid('data', 'limit', 'a positive integer', spec.limit));
  }
  if (spec.data !== undefined) return loadFolder({ ...spec, data: spec.data });
  const name = spec.dataset ?? 'mnist';
  if (!DATASETS.includes(name)) {
    throw new ConfigError(`--dataset: invalid value. Expected 'mnist' or 'fashion-mnist', received ${describe(name)}.`);
  }
  const options = spec.dataDir ? { path: spec.dataDir } : {};
  const [[xTrain, yTrain]] = name === 'mnist' ? await mnist.loadData(options) : await fashionMnist.loadData(options);
  const n = Math.min(spec.limit ?? Number.POSITIVE_INFINITY, yTrain.shape[0]!);
  return {
    x: withChannel(firstRows(xTrain, n)),
    y: firstRows(yTrain, n),
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
    description: `${name} (${n} training samples)`,
  };
}

/** The same tensors backed by SharedArrayBuffers (worker threads map them instead of copying). */
export function sharedCopy(t: ByteTensor): ByteTensor {
  const data = new Uint8Array(new SharedArrayBuffer(t.data.length));
  data.set(t.data);
  return { data, shape: [...t.shape] };
}

/** Rows [start, end) as a view. */
export function rowsOf(t: ByteTensor, start: number, end: number): ByteTensor {
  const row = t.shape.slice(1).reduce((a, b) => a * b, 1);
  return { data: t.data.subarray(start * row, end * row), shape: [end - start, ...t.shape.slice(1)] };
}
