// The data side of evaluateClassifier: labelled inputs (arrays as [x, y] / { x, y }, or a Dataset) served as
// float32 batches, labels turned into class indices (from indices or one-hot rows) and into the target format the
// loss wants, and growable result buffers. Not here: the metrics (classification-metrics.ts).

import { ConfigError, invalid, ShapeError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { type Batch, type Dataset, isDataset, rowsView } from '../training/data.js';
import { asFloatTensor, type TensorLike } from '../training/labels.js';
import type { Loss } from '../training/losses.js';

const WHERE = 'evaluateClassifier';

/** Labelled data: a Dataset of { x, y } batches, or inputs and labels as [x, y] or { x, y }. */
export type ClassifierData = Dataset | [TensorLike | TensorLike[], TensorLike] | { x: TensorLike | TensorLike[]; y: TensorLike };

export const inputList = (x: unknown, arg: string): Tensor[] =>
  Array.isArray(x) ? x.map((t, i) => asFloatTensor(WHERE, `${arg}[${i}]`, t)) : [asFloatTensor(WHERE, arg, x)];

/** The batches of the data, inputs as float32 tensors. */
export async function* batchesOf(data: ClassifierData, batchSize: number): AsyncGenerator<Batch & { x: Tensor[] }> {
  if (isDataset(data)) {
    await data.reset?.();
    for await (const b of data) {
      yield { ...b, x: inputList(b.x, 'batch.x'), y: asFloatTensor(WHERE, 'batch.y', b.y) };
    }
    return;
  }
  const pair = Array.isArray(data) ? { x: data[0], y: data[1] } : (data as { x?: unknown; y?: unknown });
  if (typeof pair !== 'object' || pair === null || pair.x === undefined || pair.y === undefined) {
    throw new ConfigError(invalid(WHERE, 'data', 'a Dataset, [x, y] or { x, y }', data));
  }
  const xs = inputList(pair.x, 'x');
  const y = asFloatTensor(WHERE, 'y', pair.y);
  const n = xs[0]!.shape[0] ?? 0;
  for (const t of [...xs, y]) {
    if (t.shape[0] !== n) throw new ShapeError(invalid(WHERE, 'y', `${n} rows (as many as x)`, `${t.shape[0]} rows`));
  }
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    yield { x: xs.map((t) => rowsView(t, start, end)), y: rowsView(y, start, end) };
  }
}

/** Class indices from a batch's labels: indices (n) / (n, 1), or one-hot rows (n, K). */
export function labelIndices(y: Tensor, units: number, first: number): Int32Array {
  const n = y.shape[0] ?? 0;
  const per = y.data.length / Math.max(n, 1);
  const classes = Math.max(units, 2);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (per === 1) {
      const v = y.data[i]!;
      if (!(Number.isInteger(v) && v >= 0 && v < classes)) {
        const expected = units === 1 ? '0 or 1 (binary model)' : `an integer class index in [0, ${classes - 1}]`;
        throw new ValueError(invalid(WHERE, `y[${first + i}]`, expected, v, 'Labels must be hard class labels.'));
      }
      out[i] = v;
    } else if (per === units) {
      let best = 0;
      for (let c = 1; c < per; c++) if (y.data[i * per + c]! > y.data[i * per + best]!) best = c;
      out[i] = best;
    } else {
      throw new ShapeError(
        invalid(WHERE, 'y', `labels of shape [n], [n, 1] or [n, ${units}] (the model has ${units} outputs)`, y.shape),
      );
    }
  }
  return out;
}

/** The labels in the format the loss wants: indices for the sparse loss, one-hot or 0/1 otherwise. */
export function lossTarget(loss: Loss, y: Tensor, indices: Int32Array, units: number): Tensor {
  const n = indices.length;
  if (loss.kind === 'sparseCategoricalCrossentropy') return { data: Float32Array.from(indices), shape: [n] };
  if (units === 1) return { data: Float32Array.from(indices), shape: [n, 1] };
  if (y.data.length === n * units) return { data: y.data, shape: [n, units] };
  const oneHot = new Float32Array(n * units);
  indices.forEach((c, i) => {
    oneHot[i * units + c] = 1;
  });
  return { data: oneHot, shape: [n, units] };
}

/** Grows a typed array buffer to hold at least `need` values. */
export function grow<T extends Float32Array | Int32Array>(buffer: T, need: number): T {
  if (buffer.length >= need) return buffer;
  const bigger = new (buffer.constructor as new (n: number) => T)(Math.max(need, buffer.length * 2));
  bigger.set(buffer);
  return bigger;
}

/** The class names a dataset carries (imageDatasetFromDirectory's classNames), if any. */
export function datasetClassNames(data: ClassifierData): string[] | null {
  const names = (data as { classNames?: unknown }).classNames;
  return isDataset(data) && Array.isArray(names) && names.every((n) => typeof n === 'string') ? names : null;
}
