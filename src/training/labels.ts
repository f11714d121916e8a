// Data as users hand it to fit/evaluate/predict: inputs and labels in any numeric array (Uint8Array labels from
// mnist.loadData(), Int32Array, Float32Array, plain number[]) become float32 tensors once, and every label is checked
// against the loss and the model's number of classes before the first step, naming the dataset index of a bad one.
// Not here: batching (data.ts) and the per-batch shape checks (step.ts).

import type { LossKind } from '../backend/backend.js';
import { ConfigError, invalid, ShapeError, ValueError } from '../errors.js';
import { formatShape, type Tensor } from '../tensor.js';

/** What callers may pass as a tensor: any numeric array with its shape. */
export interface TensorLike {
  data: ArrayLike<number>;
  shape: readonly number[];
}

/** A float32 tensor of the same values and shape (the same object when it already is one). */
export function asFloatTensor(where: string, arg: string, value: unknown): Tensor {
  const t = value as TensorLike | null;
  const ok =
    typeof t === 'object' &&
    t !== null &&
    Array.isArray(t.shape) &&
    (ArrayBuffer.isView(t.data) || Array.isArray(t.data)) &&
    !(t.data instanceof DataView);
  if (!ok) {
    throw new ConfigError(
      invalid(
        where,
        arg,
        'a tensor { data, shape } (data: a typed array or number[])',
        value,
        'Build one with tensor(data, shape).',
      ),
    );
  }
  let size = 1;
  for (const d of t.shape) size *= d;
  if (size !== t.data.length) {
    throw new ShapeError(invalid(where, arg, `${size} values for shape ${formatShape([...t.shape])}`, t.data.length));
  }
  if (t.data instanceof Float32Array) return t as Tensor;
  return { data: Float32Array.from(t.data), shape: [...t.shape] };
}

/**
 * Checks every label value before training starts (shapes were checked by data-checks.ts's checkLabelShape): sparse losses need integer class indices in [0, classes); categorical
 * and binary cross-entropy need values in [0, 1]. The error names the dataset index (`y[123]` or `y[123, 4]`).
 */
export function checkAllLabels(where: string, arg: string, kind: LossKind, y: Tensor, sampleShape: number[]): void {
  const n = y.shape[0] ?? 0;
  const data = y.data;
  const classes = sampleShape[sampleShape.length - 1] ?? 1;
  if (kind === 'sparseCategoricalCrossentropy') {
    for (let i = 0; i < n; i++) {
      const v = data[i]!;
      if (!(Number.isInteger(v) && v >= 0 && v < classes)) {
        throw new ValueError(
          invalid(
            where,
            `${arg}[${i}]`,
            `an integer class index in [0, ${classes - 1}] (the model has ${classes} output units)`,
            v,
            'Check the labels, or give the last layer as many units as there are classes.',
          ),
        );
      }
    }
    return;
  }
  if (kind === 'categoricalCrossentropy' || kind === 'binaryCrossentropy') {
    const per = data.length / Math.max(n, 1);
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (!(v >= 0 && v <= 1)) {
        const index = per === 1 ? `${i}` : `${Math.floor(i / per)}, ${i % per}`;
        const hint =
          kind === 'categoricalCrossentropy' && Number.isInteger(v)
            ? "Integer class labels need 'sparseCategoricalCrossentropy' (or one-hot them with toCategorical)."
            : 'Labels for cross-entropy are probabilities.';
        throw new ValueError(invalid(where, `${arg}[${index}]`, `a value in [0, 1] for ${kind}`, v, hint));
      }
    }
  }
}
