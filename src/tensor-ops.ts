// The few NumPy/Keras-style helpers a user needs around a model, on plain tensors of any element type: slice rows
// (x[a:b]), take rows by index (np.take), reshape with one -1, argMax over the last axis, oneHot
// (keras.utils.to_categorical), concatenate. Each keeps the element type and checks shapes, naming the bad
// argument. Not a tensor library: no broadcasting, no math beyond these; model arithmetic stays in the backend.

import { ConfigError, invalid, ShapeError, ValueError } from './errors.js';
import { formatShape, type NumericArray, sizeOf, type Tensor } from './tensor.js';

type ArrayConstructorOf<D extends NumericArray> = { new (length: number): D };

function rowSize(t: Tensor<NumericArray>): number {
  return t.shape.length > 1 ? sizeOf(t.shape.slice(1)) : 1;
}

function checkTensor(where: string, arg: string, t: unknown): asserts t is Tensor<NumericArray> {
  const v = t as Tensor<NumericArray> | null;
  if (!v || typeof v !== 'object' || !ArrayBuffer.isView(v.data) || !Array.isArray(v.shape)) {
    throw new ConfigError(invalid(where, arg, 'a tensor { data, shape }', t));
  }
  if (v.data.length !== sizeOf(v.shape)) {
    throw new ShapeError(invalid(where, arg, `${sizeOf(v.shape)} values for shape ${formatShape(v.shape)}`, v.data.length));
  }
}

/** Python-style index: -1 is the last; clamped like a slice bound when `clamp`. */
function resolveIndex(where: string, arg: string, index: number, size: number, clamp: boolean): number {
  if (!Number.isInteger(index)) throw new ConfigError(invalid(where, arg, 'an integer', index));
  const i = index < 0 ? index + size : index;
  if (clamp) return Math.min(Math.max(i, 0), size);
  if (i < 0 || i >= size) {
    throw new ValueError(invalid(where, arg, `an index in [${-size}, ${size - 1}] (the tensor has ${size} rows)`, index));
  }
  return i;
}

/**
 * Rows [start, end) along the first axis, copied, as NumPy's `x[start:end]` (negative bounds count from the end).
 * @example sliceRows(xTrain, 0, 1000) // the first 1000 images; sliceRows(x, -10) the last 10
 */
export function sliceRows<D extends NumericArray>(t: Tensor<D>, start: number, end?: number): Tensor<D> {
  checkTensor('sliceRows', 't', t);
  const n = t.shape[0] ?? 0;
  const a = resolveIndex('sliceRows', 'start', start, n, true);
  const b = Math.max(a, end === undefined ? n : resolveIndex('sliceRows', 'end', end, n, true));
  const row = rowSize(t);
  return { data: t.data.slice(a * row, b * row) as D, shape: [b - a, ...t.shape.slice(1)] };
}

/**
 * Rows picked by index along the first axis, copied, as `np.take(x, indices, axis=0)`.
 * @example take(xTest, [0, 5, 7]) // shape [3, 28, 28, 1]
 */
export function take<D extends NumericArray>(t: Tensor<D>, indices: ArrayLike<number>): Tensor<D> {
  checkTensor('take', 't', t);
  const n = t.shape[0] ?? 0;
  const row = rowSize(t);
  const out = new (t.data.constructor as ArrayConstructorOf<D>)(indices.length * row);
  for (let i = 0; i < indices.length; i++) {
    const src = resolveIndex('take', `indices[${i}]`, indices[i]!, n, false) * row;
    out.set(t.data.subarray(src, src + row) as ArrayLike<number>, i * row);
  }
  return { data: out, shape: [indices.length, ...t.shape.slice(1)] };
}

/**
 * The same values in a new shape (shared, not copied, as NumPy's reshape of a contiguous array). One dimension
 * may be -1 and is inferred.
 * @example reshape(xTrain, [-1, 28, 28, 1])
 */
export function reshape<D extends NumericArray>(t: Tensor<D>, shape: readonly number[]): Tensor<D> {
  checkTensor('reshape', 't', t);
  const free = shape.filter((d) => d === -1).length;
  if (free > 1 || !shape.every((d) => d === -1 || (Number.isInteger(d) && d >= 0))) {
    throw new ConfigError(invalid('reshape', 'shape', 'non-negative integers with at most one -1', shape));
  }
  const known = sizeOf(shape.filter((d) => d !== -1));
  const total = t.data.length;
  const inferred = free ? (known === 0 ? -1 : total / known) : -1;
  const out = shape.map((d) => (d === -1 ? inferred : d));
  if (!Number.isInteger(inferred) && free) {
    throw new ShapeError(
      invalid('reshape', 'shape', `a shape that divides ${total} values`, shape, `The input is ${formatShape(t.shape)}.`),
    );
  }
  if (sizeOf(out) !== total || out.some((d) => d < 0)) {
    throw new ShapeError(invalid('reshape', 'shape', `a shape of ${total} values (the input is ${formatShape(t.shape)})`, shape));
  }
  return { data: t.data, shape: out };
}

/**
 * Index of the largest value along the last axis, as `np.argmax(x, axis=-1)`: ties give the first, and a NaN wins
 * (NumPy's rule), so a broken prediction is not silently read as a class.
 * @example argMax(await model.predict(xTest)) // Int32Array of predicted classes, shape [N]
 */
export function argMax(t: Tensor<NumericArray>): Tensor<Int32Array> {
  checkTensor('argMax', 't', t);
  if (t.shape.length === 0) throw new ShapeError(invalid('argMax', 't', 'a tensor of rank >= 1', formatShape(t.shape)));
  const classes = t.shape[t.shape.length - 1]!;
  if (classes === 0) throw new ShapeError(invalid('argMax', 't', 'a last axis of size >= 1', formatShape(t.shape)));
  const rows = t.data.length / classes;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestValue = t.data[r * classes]!;
    for (let c = 1; c < classes && !Number.isNaN(bestValue); c++) {
      const v = t.data[r * classes + c]!;
      if (v > bestValue || Number.isNaN(v)) {
        best = c;
        bestValue = v;
      }
    }
    out[r] = best;
  }
  return { data: out, shape: t.shape.slice(0, -1) };
}

/**
 * One-hot float32 encoding of integer labels, as `keras.utils.to_categorical`: shape [...labels.shape, numClasses].
 * numClasses defaults to max(label) + 1. A label that is not an integer in range names its index.
 * @example oneHot(yTrain, 10) // Uint8Array labels [60000] -> Float32 [60000, 10]
 */
export function oneHot(labels: Tensor<NumericArray> | ArrayLike<number>, numClasses?: number): Tensor {
  const values: ArrayLike<number> = 'shape' in labels && 'data' in labels ? labels.data : labels;
  const shape = 'shape' in labels && 'data' in labels ? labels.shape : [values.length];
  let max = -1;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]!);
  const classes = numClasses ?? max + 1;
  if (!Number.isInteger(classes) || classes < 1)
    throw new ConfigError(invalid('oneHot', 'numClasses', 'a positive integer', numClasses));
  const out = new Float32Array(values.length * classes);
  for (let i = 0; i < values.length; i++) {
    const label = values[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new ValueError(
        invalid('oneHot', `labels[${i}]`, `an integer in [0, ${classes - 1}]`, label, 'Raise numClasses or check the labels.'),
      );
    }
    out[i * classes + label] = 1;
  }
  return { data: out, shape: [...shape, classes] };
}

/**
 * Joins tensors along an axis (default 0, the rows), as `np.concatenate`. All must have the same element type and
 * the same shape except along `axis`.
 * @example concatenate([xTrain, xExtra]) // more training rows
 */
export function concatenate<D extends NumericArray>(tensors: readonly Tensor<D>[], axis = 0): Tensor<D> {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new ConfigError(invalid('concatenate', 'tensors', 'a non-empty array of tensors', tensors));
  }
  for (const [i, t] of tensors.entries()) checkTensor('concatenate', `tensors[${i}]`, t);
  const first = tensors[0]!;
  const rank = first.shape.length;
  const ax = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(ax) || ax < 0 || ax >= rank) {
    throw new ConfigError(invalid('concatenate', 'axis', `an integer in [${-rank}, ${rank - 1}]`, axis));
  }
  tensors.forEach((t, i) => {
    const sameType = t.data.constructor === first.data.constructor;
    const sameShape = t.shape.length === rank && t.shape.every((d: number, k: number) => k === ax || d === first.shape[k]);
    if (!sameType || !sameShape) {
      throw new ShapeError(
        invalid(
          'concatenate',
          `tensors[${i}]`,
          `a ${first.data.constructor.name} of shape ${formatShape(first.shape.map((d: number, k: number) => (k === ax ? null : d)))}`,
          `${t.data.constructor.name} of shape ${formatShape(t.shape)}`,
        ),
      );
    }
  });
  const outer = sizeOf(first.shape.slice(0, ax));
  const inner = sizeOf(first.shape.slice(ax + 1));
  const total = tensors.reduce((sum, t) => sum + t.shape[ax]!, 0);
  const out = new (first.data.constructor as ArrayConstructorOf<D>)(outer * total * inner);
  let offset = 0;
  for (let o = 0; o < outer; o++) {
    for (const t of tensors) {
      const chunk = t.shape[ax]! * inner;
      out.set(t.data.subarray(o * chunk, (o + 1) * chunk) as ArrayLike<number>, offset);
      offset += chunk;
    }
  }
  const shape = [...first.shape];
  shape[ax] = total;
  return { data: out, shape };
}
