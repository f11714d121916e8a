// Locates and reads the four IDX files of an MNIST-style dataset in one folder (plain or .gz names).
// Shared by mnist.ts and fashion-mnist.ts; does no downloading.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError, NotFoundError } from '../errors.js';
import { type ByteTensor, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, readIdx } from './idx.js';

/** Keras's return value: [[xTrain, yTrain], [xTest, yTest]]; x is [N, 28, 28] uint8, y is [N] uint8. */
export type DatasetSplits = [[ByteTensor, ByteTensor], [ByteTensor, ByteTensor]];

/** The standard IDX base names (without .gz). */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** The path of `base` or `base.gz` in dir, or null when neither exists. */
export function findIdxFile(dir: string, base: string): string | null {
  for (const name of [base, `${base}.gz`]) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  return null;
}

/** Reads the four files from dir and checks that images and labels agree in count. */
export function readSplits(dir: string, where: string): DatasetSplits {
  const read = (base: string, magic: number): ByteTensor => {
    const path = findIdxFile(dir, base);
    if (!path) {
      throw new NotFoundError(
        `${where}: missing '${base}' (or '${base}.gz') in '${dir}'. Hint: the folder must hold ${Object.values(IDX_FILES).join(', ')} (plain or .gz).`,
      );
    }
    return readIdx(path, magic);
  };
  const xTrain = read(IDX_FILES.trainImages, IDX_IMAGES_MAGIC);
  const yTrain = read(IDX_FILES.trainLabels, IDX_LABELS_MAGIC);
  const xTest = read(IDX_FILES.testImages, IDX_IMAGES_MAGIC);
  const yTest = read(IDX_FILES.testLabels, IDX_LABELS_MAGIC);
  for (const [x, y, split] of [
    [xTrain, yTrain, 'train'],
    [xTest, yTest, 'test'],
  ] as const) {
    if (x.shape[0] !== y.shape[0]) {
      throw new FormatError(
        `${where}: ${split} images and labels disagree in '${dir}'. Expected equal counts, received ${x.shape[0]} images and ${y.shape[0]} labels. Hint: the files come from different releases.`,
      );
    }
  }
  return [
    [xTrain, yTrain],
    [xTest, yTest],
  ];
}
