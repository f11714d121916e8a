// Keras-style helpers that turn uint8 datasets into float tensors: toCategorical (one-hot) and normalize
// (scale, add a trailing channel). They copy; they do not augment or shuffle.

import { invalid, ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { ByteTensor } from './idx.js';

/**
 * One-hot encodes integer labels: [N] -> Float32 [N, numClasses] (Keras `to_categorical`).
 * numClasses defaults to max(label) + 1.
 * @example toCategorical([0, 2], 3).data // [1,0,0, 0,0,1]
 */
export function toCategorical(labels: ByteTensor | ArrayLike<number>, numClasses?: number): Tensor {
  const values: ArrayLike<number> = 'data' in labels && 'shape' in labels ? labels.data : (labels as ArrayLike<number>);
  let max = -1;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]!);
  const classes = numClasses ?? max + 1;
  if (!Number.isInteger(classes) || classes < 1) {
    throw new ValueError(invalid('toCategorical', 'numClasses', 'a positive integer', numClasses));
  }
  const out = new Float32Array(values.length * classes);
  for (let i = 0; i < values.length; i++) {
    const label = values[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new ValueError(
        invalid(
          'toCategorical',
          `labels[${i}]`,
          `an integer in [0, ${classes - 1}]`,
          label,
          'Hint: raise numClasses or check the labels.',
        ),
      );
    }
    out[i * classes + label] = 1;
  }
  return { data: out, shape: [values.length, classes] };
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
export function normalize(images: ByteTensor, options: NormalizeOptions = {}): Tensor {
  const scale = options.scale ?? 1 / 255;
  const offset = options.offset ?? 0;
  const out = new Float32Array(images.data.length);
  for (let i = 0; i < out.length; i++) out[i] = images.data[i]! * scale + offset;
  const addChannel = (options.addChannel ?? true) && images.shape.length === 3;
  return { data: out, shape: addChannel ? [...images.shape, 1] : [...images.shape] };
}
