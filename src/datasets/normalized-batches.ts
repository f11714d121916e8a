// uint8 images (MNIST-style) served to fit() / evaluate() as a Dataset of float32 batches: each batch is gathered
// and scaled by 1/255 (as normalize() does) into one reused buffer, so the float copy of the whole dataset, four
// times its bytes, never exists. Shuffled like fit() on arrays: after setRandomSeed, training on this and on
// normalize(images) is bit-identical. Labels come as class indices, or one-hot for a model compiled with
// categorical cross-entropy. Not here: augmentation, other scales (use normalize() and arrays for those).

import { invalid, ShapeError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { type Batch, type Dataset, permutation } from '../training/data.js';
import { drawSeed } from '../training/seed.js';
import type { ByteTensor } from './idx.js';

const SCALE = 1 / 255;

/**
 * A Dataset over uint8 images [N, H, W] (a channel axis of 1 is added, as normalize() does) or [N, H, W, C] and
 * their labels [N] (class indices). With `shuffle` (the default, as in fit()) every epoch draws a new order. With
 * `oneHotClasses` > 0 the labels are served one-hot [batch, oneHotClasses] (as toCategorical() makes them).
 * @example
 * const [[xTrain, yTrain], [xTest, yTest]] = await mnist.loadData();
 * await model.fit(new NormalizedBatches(xTrain, yTrain, 64), { epochs: 5 });
 * await model.evaluate(new NormalizedBatches(xTest, yTest, 256, false));
 */
export class NormalizedBatches implements Dataset {
  /** Batches per epoch. */
  readonly length: number;
  /** Images and labels, in order. */
  readonly count: number;
  private readonly row: number;
  private readonly shape: number[];
  private readonly order: Int32Array;
  private readonly x: Float32Array;
  private readonly y: Float32Array;

  constructor(
    private readonly images: ByteTensor,
    private readonly labels: ByteTensor,
    readonly batchSize: number,
    readonly shuffle = true,
    readonly oneHotClasses = 0,
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new ValueError(invalid('NormalizedBatches', 'batchSize', 'a positive integer', batchSize));
    }
    if (images.shape.length !== 3 && images.shape.length !== 4) {
      throw new ShapeError(
        invalid('NormalizedBatches', 'images', 'uint8 images of shape [N, H, W] or [N, H, W, C]', images.shape),
      );
    }
    this.count = images.shape[0]!;
    if (labels.shape.length !== 1 || labels.shape[0] !== this.count) {
      throw new ShapeError(
        invalid('NormalizedBatches', 'labels', `${this.count} class indices (shape [${this.count}])`, labels.shape),
      );
    }
    if (!Number.isInteger(oneHotClasses) || oneHotClasses < 0) {
      throw new ValueError(
        invalid('NormalizedBatches', 'oneHotClasses', 'a non-negative integer (0 serves class indices)', oneHotClasses),
      );
    }
    if (oneHotClasses > 0) {
      const bad = labels.data.findIndex((label) => label >= oneHotClasses);
      if (bad >= 0) {
        throw new ValueError(
          invalid(
            'NormalizedBatches',
            `labels[${bad}]`,
            `a class index below ${oneHotClasses}`,
            labels.data[bad],
            'Check the number of classes.',
          ),
        );
      }
    }
    this.shape = images.shape.length === 3 ? [...images.shape.slice(1), 1] : images.shape.slice(1);
    this.row = this.shape.reduce((a, b) => a * b, 1);
    this.length = Math.ceil(this.count / batchSize);
    this.order = new Int32Array(this.count);
    for (let i = 0; i < this.count; i++) this.order[i] = i;
    const rows = Math.min(batchSize, this.count);
    this.x = new Float32Array(rows * this.row);
    this.y = new Float32Array(rows * Math.max(1, oneHotClasses));
  }

  /** Called by fit() before each epoch: a new order drawn from the training seed, as fit() on arrays draws it. */
  reset(): void {
    if (this.shuffle) permutation(this.order, drawSeed());
  }

  /** The batches of one epoch; each batch's tensors are valid until the next one is produced. */
  async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
    const { row, images, labels, oneHotClasses } = this;
    for (let start = 0; start < this.count; start += this.batchSize) {
      const end = Math.min(start + this.batchSize, this.count);
      for (let i = start; i < end; i++) {
        const from = this.order[i]! * row;
        const to = (i - start) * row;
        for (let j = 0; j < row; j++) this.x[to + j] = images.data[from + j]! * SCALE;
        const label = labels.data[this.order[i]!]!;
        if (oneHotClasses === 0) this.y[i - start] = label;
        else {
          this.y.fill(0, (i - start) * oneHotClasses, (i - start + 1) * oneHotClasses);
          this.y[(i - start) * oneHotClasses + label] = 1;
        }
      }
      const n = end - start;
      const x: Tensor = { data: this.x.subarray(0, n * row), shape: [n, ...this.shape] };
      const y: Tensor =
        oneHotClasses === 0
          ? { data: this.y.subarray(0, n), shape: [n] }
          : { data: this.y.subarray(0, n * oneHotClasses), shape: [n, oneHotClasses] };
      yield { x, y };
    }
  }
}
