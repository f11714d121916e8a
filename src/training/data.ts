// Batching for fit/evaluate/predict: the Dataset interface for streaming input, and ArrayBatches, which serves
// (optionally shuffled) batches of in-memory tensors gathered into preallocated buffers (no per-batch
// allocation of data). Not here: augmentation, prefetching threads.

import { streamKey, uniformAt } from '../backend/random.js';
import { invalid, ShapeError } from '../errors.js';
import { formatShape, sizeOf, type Tensor } from '../tensor.js';

/** One batch from a Dataset. */
export interface Batch {
  x: Tensor | Tensor[];
  y: Tensor;
  sampleWeight?: Float32Array;
  /** Where each sample came from (image files), when the dataset knows; evaluation reports name them. */
  paths?: string[];
}

/**
 * Streaming input for fit/evaluate/predict: an async iterable of batches. `length` (batches per epoch) lets
 * the progress bar show a total; `reset()` is called before each epoch when present.
 * @example const ds: Dataset = { length: 10, async *[Symbol.asyncIterator]() { yield { x, y }; } };
 */
export interface Dataset extends AsyncIterable<Batch> {
  length?: number;
  reset?(): void | Promise<void>;
}

/** A batch predict can read: inputs, with labels or without (predict ignores them). Every Batch is one. */
export interface InputBatch {
  x: Tensor | Tensor[];
  y?: Tensor;
  sampleWeight?: Float32Array;
}

/**
 * Streaming input whose batches may lack labels (images only, for predict). Every Dataset is one; fit and
 * evaluate take Datasets.
 */
export interface InputDataset extends AsyncIterable<InputBatch> {
  length?: number;
  reset?(): void | Promise<void>;
}

export function isDataset(value: unknown): value is Dataset {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** Fisher-Yates permutation of 0..n-1 from the counter RNG (the same seed gives the same order everywhere). */
export function permutation(out: Int32Array, seed: number): Int32Array {
  for (let i = 0; i < out.length; i++) out[i] = i;
  const key = streamKey(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(uniformAt(key, i) * (i + 1));
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

/** A batch-sized window over a tensor, reusing one buffer for every batch. */
class Gatherer {
  private readonly row: number;
  private readonly buffer: Float32Array;

  constructor(
    private readonly source: Tensor,
    batchSize: number,
  ) {
    this.row = source.shape.length > 1 ? sizeOf(source.shape.slice(1)) : 1;
    this.buffer = new Float32Array(Math.min(batchSize, source.shape[0] ?? 0) * this.row);
  }

  /** Rows [start, end) of `order` (or of the tensor when order is null). Contiguous rows are views, not copies. */
  take(order: Int32Array | null, start: number, end: number): Tensor {
    const shape = [end - start, ...this.source.shape.slice(1)];
    if (!order) return { data: this.source.data.subarray(start * this.row, end * this.row), shape };
    const row = this.row;
    for (let i = start; i < end; i++) {
      const src = order[i]! * row;
      this.buffer.set(this.source.data.subarray(src, src + row), (i - start) * row);
    }
    return { data: this.buffer.subarray(0, (end - start) * row), shape };
  }
}

/** Batches of in-memory arrays (inputs, labels, sample weights), optionally shuffled each epoch. */
export class ArrayBatches {
  readonly count: number;
  readonly steps: number;
  private readonly xs: Gatherer[];
  private readonly y: Gatherer | null;
  private readonly order: Int32Array;
  private readonly weightBuffer: Float32Array;
  private shuffled = false;

  constructor(
    inputs: Tensor[],
    labels: Tensor | null,
    private readonly batchSize: number,
    private readonly sampleWeight: Float32Array | null = null,
  ) {
    this.count = inputs[0]?.shape[0] ?? 0;
    for (const t of [...inputs, ...(labels ? [labels] : [])]) {
      if (t.shape[0] !== this.count) {
        throw new ShapeError(
          `fit: x and y must have the same number of samples. Expected ${this.count} rows, received ${formatShape(t.shape)}.`,
        );
      }
    }
    if (sampleWeight && sampleWeight.length !== this.count) {
      throw new ShapeError(invalid('fit', 'sampleWeight', `${this.count} values (one per sample)`, sampleWeight.length));
    }
    this.steps = Math.ceil(this.count / batchSize);
    this.xs = inputs.map((t) => new Gatherer(t, batchSize));
    this.y = labels ? new Gatherer(labels, batchSize) : null;
    this.order = new Int32Array(this.count);
    this.weightBuffer = new Float32Array(Math.min(batchSize, this.count));
  }

  /** New epoch order: shuffled from a seed, or sequential with seed null. */
  startEpoch(seed: number | null): void {
    this.shuffled = seed !== null;
    if (seed !== null) permutation(this.order, seed);
  }

  /** Batch `step` of the epoch. The returned tensors are valid until the next call. */
  batch(step: number): { xs: Tensor[]; y: Tensor | null; sampleWeight: Float32Array | null } {
    const start = step * this.batchSize;
    const end = Math.min(start + this.batchSize, this.count);
    const order = this.shuffled ? this.order : null;
    let sampleWeight: Float32Array | null = null;
    if (this.sampleWeight) {
      for (let i = start; i < end; i++) this.weightBuffer[i - start] = this.sampleWeight[order ? order[i]! : i]!;
      sampleWeight = this.weightBuffer.subarray(0, end - start);
    }
    return { xs: this.xs.map((g) => g.take(order, start, end)), y: this.y ? this.y.take(order, start, end) : null, sampleWeight };
  }
}

/** Rows [start, end) of a tensor as a view (Keras validation_split takes the last rows). */
export function rowsView(t: Tensor, start: number, end: number): Tensor {
  const row = t.shape.length > 1 ? sizeOf(t.shape.slice(1)) : 1;
  return { data: t.data.subarray(start * row, end * row), shape: [end - start, ...t.shape.slice(1)] };
}
