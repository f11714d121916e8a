// The datasets entry (Node only: reads files): `datasets.mnist`, `datasets.fashionMnist`, IDX reading and the
// preprocessing helpers.

import { fashionMnist } from './fashion-mnist.js';
import { mnist } from './mnist.js';

export { fashionMnist, FASHION_MNIST_URLS, convkitHome, type FashionMnistOptions } from './fashion-mnist.js';
export { mnist, embeddedMnistDir, type MnistOptions } from './mnist.js';
export { type ByteTensor, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx, readIdx } from './idx.js';
export { normalize, toCategorical, type NormalizeOptions } from './preprocess.js';
export { type DatasetSplits, IDX_FILES } from './splits.js';

export const datasets = { mnist, fashionMnist };
