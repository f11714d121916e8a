// Checks on what fit/evaluate are given, run before the first step so that bad input fails before any weight
// changes and never turns into a quiet number: empty data, a validation split with no rows, labels whose shape
// does not fit the model's output under the loss, and class or sample weights that are negative, NaN or unknown.
// Not here: label values against the number of classes (labels.ts checks them all up front; step.ts per batch).

import type { LossKind } from '../backend/backend.js';
import { ConfigError, invalid, ShapeError, ValueError } from '../errors.js';
import { formatShape, type Shape } from '../tensor.js';

const SNAKE: Record<LossKind, string> = {
  categoricalCrossentropy: 'categorical_crossentropy',
  sparseCategoricalCrossentropy: 'sparse_categorical_crossentropy',
  binaryCrossentropy: 'binary_crossentropy',
  meanSquaredError: 'mean_squared_error',
};

/** At least one sample: a loss or metric over nothing would report 0, which looks like a perfect model. */
export function checkSampleCount(where: string, arg: string, count: number, shape: Shape): void {
  if (count >= 1) return;
  throw new ValueError(
    `${where}: invalid '${arg}'. Expected at least one sample, received ${count} (shape ${formatShape(shape)}). Hint: check the data loading or the --limit / slicing that produced it.`,
  );
}

/** The row where Keras's validation_split cuts (the last rows are for validation); both parts must be non-empty. */
export function validationSplitAt(where: string, count: number, split: number): number {
  if (!(split > 0 && split < 1)) throw new ConfigError(invalid(where, 'validationSplit', 'a number in (0, 1)', split));
  const at = Math.ceil(count * (1 - split));
  if (at < 1 || at >= count) {
    const which = at >= count ? 'no validation rows' : 'no training rows';
    throw new ValueError(
      `${where}: invalid 'validationSplit'. Expected a split that leaves rows on both sides, received ${split} of ${count} samples, which leaves ${which}. Hint: use more samples or a ${at >= count ? 'larger' : 'smaller'} split.`,
    );
  }
  return at;
}

/**
 * Labels of shape `yShape` fit a model output of shape `outShape` (batch first) under `kind`. The crossentropies
 * take their softmax over the last axis of a (batch, classes) output, so anything of higher rank is refused
 * instead of being treated as one huge class axis.
 */
export function checkLabelShape(where: string, kind: LossKind, outShape: Shape, yShape: Shape): void {
  const out = outShape.slice(1);
  const y = yShape.slice(1);
  const perOut = out.reduce<number>((a, b) => a * (b ?? 1), 1);
  const perY = y.reduce<number>((a, b) => a * (b ?? 1), 1);
  const lossName = SNAKE[kind];
  const classification = kind === 'categoricalCrossentropy' || kind === 'sparseCategoricalCrossentropy';
  if (classification && out.length !== 1) {
    throw new ShapeError(
      `${where}: the model output has shape ${formatShape(outShape)}. Expected (batch, classes) for ${lossName}, received rank ${outShape.length}. Hint: add Flatten() or GlobalAveragePooling2D() before the last Dense layer.`,
    );
  }
  if (kind === 'sparseCategoricalCrossentropy') {
    if (perY !== 1) {
      throw new ShapeError(
        `${where}: invalid 'y'. Expected integer class labels of shape (${yShape[0]},) for ${lossName}, received ${formatShape(yShape)}. Hint: one-hot labels need 'categoricalCrossentropy'.`,
      );
    }
    return;
  }
  if (perY !== perOut) {
    const hint = perY === 1 && perOut > 1 ? " Hint: integer labels need 'sparseCategoricalCrossentropy'." : '';
    throw new ShapeError(
      `${where}: invalid 'y'. Expected labels of shape ${formatShape([yShape[0] ?? null, ...out])} (like the model output) for ${lossName}, received ${formatShape(yShape)}.${hint}`,
    );
  }
}

/**
 * classWeight keys are class indices of this output (0..classes-1; 0 and 1 for a single sigmoid unit) and
 * values finite and >= 0; anything else would be ignored or flip the gradient without a word.
 */
export function checkClassWeight(where: string, classWeight: Record<number, number>, outShape: Shape): void {
  if (typeof classWeight !== 'object' || classWeight === null || Array.isArray(classWeight)) {
    throw new ConfigError(invalid(where, 'classWeight', 'an object mapping class index to weight', classWeight));
  }
  const last = outShape.at(-1) ?? 1;
  const classes = last === 1 ? 2 : (last ?? 0);
  for (const [key, value] of Object.entries(classWeight)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= classes) {
      throw new ConfigError(
        invalid(
          where,
          'classWeight',
          `keys that are class indices 0..${classes - 1}`,
          key,
          `The model outputs ${classes} classes.`,
        ),
      );
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ConfigError(invalid(where, `classWeight[${key}]`, 'a finite number >= 0', value));
    }
  }
}

/** Sample weights are finite and >= 0 (a NaN or negative one corrupts the loss silently). */
export function checkSampleWeight(where: string, arg: string, weights: Float32Array): void {
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (!(w >= 0 && w < Number.POSITIVE_INFINITY)) {
      throw new ValueError(invalid(where, arg, 'finite weights >= 0', w, `At sample ${i}.`));
    }
  }
}
