// Shared CLI plumbing: backend selection and loading a named dataset as normalised tensors.

import { type BackendName, getBackend, setBackend } from '../backend/registry.js';
import type { ByteTensor } from '../datasets/idx.js';
import { fashionMnist, mnist } from '../datasets/index.js';
import type { DatasetSplits } from '../datasets/splits.js';
import { ConfigError, describe } from '../errors.js';
import '../node.js';
import { type LoadImagesOptions, type PreprocessName, preprocessing } from '../preprocessing/presets.js';

export interface GlobalOptions {
  backend?: string;
  threads?: number;
}

/** Applies --backend and --threads, and returns the backend's name for the user's information. */
/** The training-data flags of cv and tune: a named dataset, or a folder of class subfolders. */
export interface TrainingDataOptions {
  dataset: string;
  dataDir?: string;
  data?: string;
  imageSize?: [number, number];
  colorMode?: 'grayscale' | 'rgb' | 'rgba';
}

export function applyGlobalOptions(options: GlobalOptions): string {
  if (options.backend !== undefined) {
    if (options.backend !== 'native' && options.backend !== 'reference') {
      throw new ConfigError(`--backend: invalid value. Expected 'native' or 'reference', received ${describe(options.backend)}.`);
    }
    setBackend(options.backend as BackendName);
  }
  const backend = getBackend();
  if (options.threads !== undefined) backend.setThreads(options.threads);
  return backend.name;
}

/** A dataset as its files hold it: uint8 images [N, H, W] and labels [N] (NormalizedBatches scales them per batch). */
export interface LoadedDataset {
  xTrain: ByteTensor;
  yTrain: ByteTensor;
  xTest: ByteTensor;
  yTest: ByteTensor;
  classNames: string[];
}

const FASHION_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** Rows [start, end) of a uint8 tensor, as a view. */
export function byteRows(t: ByteTensor, start: number, end: number): ByteTensor {
  const row = t.shape.slice(1).reduce((a, b) => a * b, 1);
  return { data: t.data.subarray(start * row, end * row), shape: [end - start, ...t.shape.slice(1)] };
}

/** Loads mnist or fashion-mnist as uint8 images and labels (class indices). */
export async function loadNamedDataset(name: string, dataDir?: string): Promise<LoadedDataset> {
  const options = dataDir ? { path: dataDir } : {};
  let splits: DatasetSplits;
  let classNames: string[];
  if (name === 'mnist') {
    splits = await mnist.loadData(options);
    classNames = Array.from({ length: 10 }, (_, i) => String(i));
  } else if (name === 'fashion-mnist') {
    splits = await fashionMnist.loadData(options);
    classNames = FASHION_CLASSES;
  } else {
    throw new ConfigError(`--dataset: invalid value. Expected 'mnist' or 'fashion-mnist', received ${describe(name)}.`);
  }
  const [[xTrain, yTrain], [xTest, yTest]] = splits;
  return { xTrain, yTrain, xTest, yTest, classNames };
}

/**
 * The CLI's pixel flags as loadImagesFor's options. --preprocess must name a preset, and a preset excludes
 * --scale/--offset (it sets both); checked before any work.
 */
export function checkPixelOptions(options: {
  preprocess?: string | undefined;
  scale?: number | undefined;
  offset?: number | undefined;
  invert?: boolean | undefined;
}): LoadImagesOptions {
  if (options.preprocess !== undefined) {
    preprocessing(options.preprocess, '--preprocess');
    if (options.scale !== undefined || options.offset !== undefined) {
      throw new ConfigError(
        `--preprocess: give either --preprocess or --scale/--offset, received both (--preprocess ${options.preprocess}). A preset sets the scale and offset itself.`,
      );
    }
  }
  return {
    ...(options.preprocess !== undefined ? { preprocess: options.preprocess as PreprocessName } : {}),
    ...(options.scale !== undefined ? { scale: options.scale } : {}),
    ...(options.offset !== undefined ? { offset: options.offset } : {}),
    ...(options.invert ? { invert: true } : {}),
  };
}
