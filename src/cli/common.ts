// Shared CLI plumbing: backend selection and loading a named dataset as normalised tensors.

import { type BackendName, getBackend, setBackend } from '../backend/registry.js';
import type { ByteTensor } from '../datasets/idx.js';
import { fashionMnist, mnist, normalize } from '../datasets/index.js';
import type { DatasetSplits } from '../datasets/splits.js';
import { ConfigError, describe } from '../errors.js';
import type { Tensor } from '../tensor.js';
import '../node.js';

export interface GlobalOptions {
  backend?: string;
  threads?: number;
}

/** Applies --backend and --threads, and returns the backend's name for the user's information. */
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

export interface LoadedDataset {
  xTrain: Tensor;
  yTrain: Float32Array;
  xTest: Tensor;
  yTest: Float32Array;
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

function labels(y: ByteTensor): Float32Array {
  return Float32Array.from(y.data);
}

/** Loads mnist or fashion-mnist, scaled to [0, 1] with a channel axis, labels as class indices. */
export async function loadNamedDataset(name: string, dataDir?: string): Promise<LoadedDataset> {
  const options = dataDir ? { path: dataDir } : {};
  let splits: DatasetSplits;
  let classNames: string[];
  if (name === 'mnist') {
    splits = mnist.loadData(options);
    classNames = Array.from({ length: 10 }, (_, i) => String(i));
  } else if (name === 'fashion-mnist') {
    splits = await fashionMnist.loadData(options);
    classNames = FASHION_CLASSES;
  } else {
    throw new ConfigError(`--dataset: invalid value. Expected 'mnist' or 'fashion-mnist', received ${describe(name)}.`);
  }
  const [[xTrain, yTrain], [xTest, yTest]] = splits;
  return { xTrain: normalize(xTrain), yTrain: labels(yTrain), xTest: normalize(xTest), yTest: labels(yTest), classNames };
}
