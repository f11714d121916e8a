// The datasets entry (Node only: reads files): `datasets.mnist`, `datasets.fashionMnist`, IDX reading and the
// preprocessing helpers.

import { fashionMnist } from './fashion-mnist.js';
import { mnist } from './mnist.js';

export { convkitHome, FASHION_MNIST_URLS, type FashionMnistOptions, fashionMnist } from './fashion-mnist.js';
export { type ByteTensor, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx, readIdx } from './idx.js';
export { embeddedMnistDir, type MnistOptions, mnist } from './mnist.js';
export { NormalizedBatches } from './normalized-batches.js';
export { type NormalizeOptions, normalize, toCategorical } from './preprocess.js';
export { type DatasetSplits, IDX_FILES } from './splits.js';

export const datasets = { mnist, fashionMnist };
