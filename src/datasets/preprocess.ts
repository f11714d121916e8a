// Keras-style helpers that turn uint8 datasets into float tensors: toCategorical (one-hot) and normalize
// (scale, add a trailing channel). They copy; they do not augment or shuffle.

import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import { oneHot } from '../tensor-ops.js';
import type { ByteTensor } from './idx.js';

/**
 * One-hot encodes integer labels: [N] -> Float32 [N, numClasses] (Keras `to_categorical`; the same as oneHot).
 * numClasses defaults to max(label) + 1.
 * @example toCategorical([0, 2], 3).data // [1,0,0, 0,0,1]
 */
export function toCategorical(labels: ByteTensor | ArrayLike<number>, numClasses?: number): Tensor {
  return oneHot(labels, numClasses);
}

export interface NormalizeOptions {
  /** Multiplier applied to each pixel (default 1/255). */
  scale?: number;
  /** Added after scaling (default 0; Teachable Machine uses scale 1/127.5, offset -1). */
  offset?: number;
  /** Append a channel dimension of 1 to rank-3 [N, H, W] input (default true). */
  addChannel?: boolean;
}

/**
 * uint8 images -> Float32 tensor scaled by `scale`, [N, 28, 28] -> [N, 28, 28, 1].
 * @example normalize(xTrain).shape // [60000, 28, 28, 1]
 */
export function normalize(images: ByteTensor, rawOptions?: NormalizeOptions): Tensor {
  const options = checkOptions<NormalizeOptions>('normalize', rawOptions, ['scale', 'offset', 'addChannel']);
  const scale = options.scale ?? 1 / 255;
  const offset = options.offset ?? 0;
  const out = new Float32Array(images.data.length);
  for (let i = 0; i < out.length; i++) out[i] = images.data[i]! * scale + offset;
  const addChannel = (options.addChannel ?? true) && images.shape.length === 3;
  return { data: out, shape: addChannel ? [...images.shape, 1] : [...images.shape] };
}
