// Fashion-MNIST (Zalando), Keras's `fashion_mnist.load_data()`: reads the four IDX .gz files from a cache folder
// (`$CONVKIT_HOME/datasets/fashion-mnist`, default `~/.convkit/...`) or an explicit path, downloading missing
// files with fetch (atomically) when online. Does not verify checksums beyond the IDX size checks.

import { homedir } from 'node:os';
import { join } from 'node:path';
import { NotFoundError } from '../errors.js';
import { atomicWriteBytes } from '../io/atomic-write.js';
import { checkOptions } from '../options.js';
import { type DatasetSplits, findIdxFile, IDX_FILES, readSplits } from './splits.js';

/** Zalando's release (as its README links it) and the mirror keras.datasets downloads from. */
export const FASHION_MNIST_URLS = [
  'https://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
  'https://storage.googleapis.com/tensorflow/tf-keras-datasets/',
];

export interface FashionMnistOptions {
  /** A folder that already holds the four files (plain or .gz); nothing is downloaded. */
  path?: string;
  /** Cache root instead of `$CONVKIT_HOME` / `~/.convkit`; files go to `<cacheDir>/datasets/fashion-mnist`. */
  cacheDir?: string;
  /** Download missing files (default true). */
  download?: boolean;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** `$CONVKIT_HOME` or `~/.convkit`. */
export function convkitHome(): string {
  return process.env.CONVKIT_HOME || join(homedir(), '.convkit');
}

async function download(name: string, dir: string, fetchFn: typeof fetch): Promise<void> {
  const failures: string[] = [];
  for (const base of FASHION_MNIST_URLS) {
    const url = `${base}${name}`;
    try {
      const response = await fetchFn(url);
      if (!response.ok) {
        failures.push(`${url} (HTTP ${response.status})`);
        continue;
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      await atomicWriteBytes(join(dir, name), bytes);
      return;
    } catch (error) {
      failures.push(`${url} (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  throw new NotFoundError(
    `fashionMnist.loadData: '${name}' is missing from '${dir}' and could not be downloaded. Tried: ${failures.join('; ')}. Hint: when offline, place the four files (${Object.values(
      IDX_FILES,
    )
      .map((b) => `${b}.gz`)
      .join(', ')}) in '${dir}' by hand, or pass { path } to a folder that holds them.`,
  );
}

/**
 * Loads Fashion-MNIST: 60,000 train and 10,000 test 28x28 uint8 images of clothes, labels 0-9.
 * @example const [[xTrain, yTrain], [xTest, yTest]] = await fashionMnist.loadData();
 */
async function loadData(rawOptions?: FashionMnistOptions): Promise<DatasetSplits> {
  const options = checkOptions<FashionMnistOptions>('fashionMnist.loadData', rawOptions, [
    'path',
    'cacheDir',
    'download',
    'fetch',
  ]);
  if (options.path !== undefined) return readSplits(options.path, 'fashionMnist.loadData');
  const dir = join(options.cacheDir ?? convkitHome(), 'datasets', 'fashion-mnist');
  for (const base of Object.values(IDX_FILES)) {
    if (findIdxFile(dir, base)) continue;
    if (options.download === false) {
      throw new NotFoundError(
        `fashionMnist.loadData: '${base}.gz' is missing from '${dir}' and downloading is off. Hint: place the files there by hand (from ${FASHION_MNIST_URLS[0]}) or pass { path }.`,
      );
    }
    await download(`${base}.gz`, dir, options.fetch ?? fetch);
  }
  return readSplits(dir, 'fashionMnist.loadData');
}

export const fashionMnist = { loadData };
