// The value layers pass around: a flat typed array and its concrete shape, batch first, channels last (float32
// inside models; datasets hand out uint8). The small NumPy-style helpers users need around a model (sliceRows,
// take, reshape, argMax, oneHot, concatenate) are in tensor-ops.ts. Deliberately not a math library: model
// arithmetic goes through the backend.

import { describe, ShapeError } from './errors.js';

/** A shape with the batch dimension first; null where unknown until data arrives (the batch, usually). */
export type Shape = (number | null)[];

/** The element arrays a tensor may hold. */
export type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint8ClampedArray
  | Uint16Array
  | Uint32Array;

/**
 * A typed array and its shape, row-major. `D` is the element type: Float32Array (the default, what models compute
 * in), Uint8Array (images and labels from the dataset loaders), Int32Array (argMax) ...
 */
export interface Tensor<D extends NumericArray = Float32Array> {
  data: D;
  /** Concrete dimensions, batch first: (N, H, W, C) for images, (N, F) for features. */
  shape: number[];
}

export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/**
 * Wraps data in a tensor, checking that the length matches the shape. A typed array keeps its type (and is not
 * copied); a number[] becomes a Float32Array.
 * @example tensor([1, 2, 3, 4, 5, 6], [2, 3]); tensor(new Uint8Array(784), [1, 28, 28])
 */
export function tensor<D extends NumericArray = Float32Array>(data: D | number[], shape: number[]): Tensor<D> {
  const buffer = (Array.isArray(data) ? Float32Array.from(data) : data) as D;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`tensor: invalid 'shape'. Expected non-negative integers, received ${describe(shape)}.`);
    }
  }
  if (buffer.length !== sizeOf(shape)) {
    throw new ShapeError(
      `tensor: invalid 'data'. Expected ${sizeOf(shape)} values for shape ${describe(shape)}, received ${buffer.length}.`,
    );
  }
  return { data: buffer, shape: [...shape] };
}

export function zeros(shape: number[]): Tensor {
  return { data: new Float32Array(sizeOf(shape)), shape };
}

/** Formats a shape the way Keras prints it: (None, 26, 26, 32). */
export function formatShape(shape: Shape): string {
  const parts = shape.map((d) => (d === null ? 'None' : String(d)));
  return `(${parts.join(', ')}${parts.length === 1 ? ',' : ''})`;
}

/** Rows [start, end) of a batch-first tensor, copied. */
export function sliceBatch(t: Tensor, start: number, end: number): Tensor {
  const row = t.shape.length > 1 ? sizeOf(t.shape.slice(1)) : 1;
  return { data: t.data.slice(start * row, end * row), shape: [end - start, ...t.shape.slice(1)] };
}

/** Rows picked by index (for shuffling), copied. */
export function gatherBatch(t: Tensor, indices: ArrayLike<number>, out?: Tensor): Tensor {
  const row = t.shape.length > 1 ? sizeOf(t.shape.slice(1)) : 1;
  const result = out ?? { data: new Float32Array(indices.length * row), shape: [indices.length, ...t.shape.slice(1)] };
  for (let i = 0; i < indices.length; i++) {
    const src = indices[i]! * row;
    result.data.set(t.data.subarray(src, src + row), i * row);
  }
  return result;
}
