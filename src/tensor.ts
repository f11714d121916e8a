// The value layers pass around: a flat float32 buffer and its concrete shape, batch first, channels last.
// Deliberately not a math library: all arithmetic goes through the backend.

import { describe, ShapeError } from './errors.js';

/** A shape with the batch dimension first; null where unknown until data arrives (the batch, usually). */
export type Shape = (number | null)[];

export interface Tensor {
  data: Float32Array;
  /** Concrete dimensions, batch first: (N, H, W, C) for images, (N, F) for features. */
  shape: number[];
}

export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** Wraps data in a tensor, checking that the length matches the shape. */
export function tensor(data: Float32Array | number[], shape: number[]): Tensor {
  const buffer = data instanceof Float32Array ? data : Float32Array.from(data);
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
  return { data: buffer, shape };
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
