// Keras metrics as running (stateful) averages over an epoch: update per batch, result() any time, reset per
// epoch. Predictions are (N, classes) probabilities; labels are one-hot (N, classes) or class indices (N) /
// (N, 1). Arithmetic stays cheap: argmaxRows from the backend, counters here. Not here: sample-weighted metrics.

import type { Backend } from '../backend/backend.js';
import { ConfigError, invalid } from '../errors.js';
import type { Tensor } from '../tensor.js';

/** How labels are encoded relative to predictions. */
export type LabelKind = 'sparse' | 'categorical' | 'binary';

/** Decides the label kind like Keras: one output unit -> binary, one fewer label dim (or last dim 1) -> sparse. */
export function labelKind(yPred: Tensor, yTrue: Tensor): LabelKind {
  const classes = yPred.shape[yPred.shape.length - 1] ?? 1;
  if (classes === 1) return 'binary';
  if (yTrue.shape.length < yPred.shape.length || yTrue.shape[yTrue.shape.length - 1] === 1) return 'sparse';
  return 'categorical';
}

export abstract class Metric {
  constructor(readonly name: string) {}
  abstract update(yPred: Tensor, yTrue: Tensor, backend: Backend): void;
  abstract result(): number;
  abstract reset(): void;
}

/** Accuracy with the label kind resolved on the first batch ('accuracy'/'acc'), or forced. */
export class Accuracy extends Metric {
  private correct = 0;
  private count = 0;
  private predIdx = new Int32Array(0);
  private trueIdx = new Int32Array(0);

  constructor(
    name = 'accuracy',
    private kind: LabelKind | null = null,
  ) {
    super(name);
  }

  update(yPred: Tensor, yTrue: Tensor, backend: Backend): void {
    const rows = yPred.shape[0] ?? 0;
    const classes = yPred.data.length / Math.max(rows, 1);
    const kind = this.kind ?? labelKind(yPred, yTrue);
    if (kind === 'binary') {
      const p = yPred.data;
      const t = yTrue.data;
      for (let i = 0; i < p.length; i++) if (p[i]! > 0.5 === t[i]! > 0.5) this.correct++;
      this.count += p.length;
      return;
    }
    if (this.predIdx.length < rows) {
      this.predIdx = new Int32Array(rows);
      this.trueIdx = new Int32Array(rows);
    }
    const predIdx = this.predIdx.length === rows ? this.predIdx : this.predIdx.subarray(0, rows);
    const trueIdx = this.trueIdx.length === rows ? this.trueIdx : this.trueIdx.subarray(0, rows);
    backend.argmaxRows(predIdx, yPred.data, rows, classes);
    if (kind === 'categorical') backend.argmaxRows(trueIdx, yTrue.data, rows, classes);
    for (let i = 0; i < rows; i++) {
      const label = kind === 'categorical' ? this.trueIdx[i]! : yTrue.data[i]!;
      if (this.predIdx[i] === label) this.correct++;
    }
    this.count += rows;
  }

  result(): number {
    return this.count === 0 ? 0 : this.correct / this.count;
  }

  reset(): void {
    this.correct = 0;
    this.count = 0;
  }
}

/** Top-k accuracy: the true class is among the k highest scores (ties count as hits, as tf.math.in_top_k). */
export class TopKCategoricalAccuracy extends Metric {
  private hits = 0;
  private count = 0;

  constructor(
    readonly k = 5,
    name = 'top_k_categorical_accuracy',
    private readonly sparse = false,
  ) {
    super(name);
  }

  update(yPred: Tensor, yTrue: Tensor): void {
    const rows = yPred.shape[0] ?? 0;
    const classes = yPred.data.length / Math.max(rows, 1);
    for (let r = 0; r < rows; r++) {
      let label = 0;
      if (this.sparse) label = yTrue.data[r]!;
      else for (let c = 1; c < classes; c++) if (yTrue.data[r * classes + c]! > yTrue.data[r * classes + label]!) label = c;
      const target = yPred.data[r * classes + label]!;
      let above = 0;
      for (let c = 0; c < classes; c++) if (yPred.data[r * classes + c]! > target) above++;
      if (above < this.k) this.hits++;
    }
    this.count += rows;
  }

  result(): number {
    return this.count === 0 ? 0 : this.hits / this.count;
  }

  reset(): void {
    this.hits = 0;
    this.count = 0;
  }
}

/** One-hot view of element i of the labels, whatever their encoding. */
function labelAt(yPred: Tensor, yTrue: Tensor, i: number): number {
  if (yTrue.data.length === yPred.data.length) return yTrue.data[i]!;
  const classes = yPred.shape[yPred.shape.length - 1] ?? 1;
  return yTrue.data[Math.floor(i / classes)] === i % classes ? 1 : 0;
}

/** Precision or recall over all prediction elements thresholded at 0.5 (Keras Precision/Recall). */
export class ThresholdMetric extends Metric {
  private tp = 0;
  private fp = 0;
  private fn = 0;

  constructor(
    name: 'precision' | 'recall',
    readonly threshold = 0.5,
  ) {
    super(name);
  }

  update(yPred: Tensor, yTrue: Tensor): void {
    for (let i = 0; i < yPred.data.length; i++) {
      const predicted = yPred.data[i]! > this.threshold;
      const actual = labelAt(yPred, yTrue, i) > 0.5;
      if (predicted && actual) this.tp++;
      else if (predicted) this.fp++;
      else if (actual) this.fn++;
    }
  }

  result(): number {
    const denominator = this.name === 'precision' ? this.tp + this.fp : this.tp + this.fn;
    return denominator === 0 ? 0 : this.tp / denominator;
  }

  reset(): void {
    this.tp = 0;
    this.fp = 0;
    this.fn = 0;
  }
}

/** ROC AUC with Keras's 200 evenly spaced thresholds and trapezoidal ('interpolation') summation. */
export class AUC extends Metric {
  private readonly thresholds: number[];
  private readonly posAbove: Float64Array;
  private readonly negAbove: Float64Array;

  constructor(
    readonly numThresholds = 200,
    name = 'auc',
  ) {
    super(name);
    const eps = 1e-7;
    this.thresholds = [0 - eps];
    for (let i = 0; i < numThresholds - 2; i++) this.thresholds.push((i + 1) / (numThresholds - 1));
    this.thresholds.push(1 + eps);
    this.posAbove = new Float64Array(numThresholds);
    this.negAbove = new Float64Array(numThresholds);
  }

  update(yPred: Tensor, yTrue: Tensor): void {
    const n = this.numThresholds;
    for (let i = 0; i < yPred.data.length; i++) {
      const p = yPred.data[i]!;
      const counts = labelAt(yPred, yTrue, i) > 0.5 ? this.posAbove : this.negAbove;
      // Thresholds 1..n-2 are k/(n-1): p > t_j for j < ceil(p*(n-1)) (plus j = 0 always unless p <= -eps).
      let above = Math.min(n - 1, Math.max(0, Math.ceil(p * (n - 1))));
      while (above > 0 && !(p > this.thresholds[above - 1]!)) above--;
      while (above < n && p > this.thresholds[above]!) above++;
      for (let j = 0; j < above; j++) counts[j]!++;
    }
  }

  result(): number {
    const n = this.numThresholds;
    const totalPos = this.posAbove[0]! + 0;
    const totalNeg = this.negAbove[0]! + 0;
    if (totalPos === 0 || totalNeg === 0) return 0;
    let area = 0;
    for (let j = 0; j < n - 1; j++) {
      const x0 = this.negAbove[j]! / totalNeg;
      const x1 = this.negAbove[j + 1]! / totalNeg;
      const y0 = this.posAbove[j]! / totalPos;
      const y1 = this.posAbove[j + 1]! / totalPos;
      area += (x0 - x1) * ((y0 + y1) / 2);
    }
    return area;
  }

  reset(): void {
    this.posAbove.fill(0);
    this.negAbove.fill(0);
  }
}

export const METRIC_NAMES: readonly string[] = [
  'accuracy',
  'acc',
  'categoricalAccuracy',
  'sparseCategoricalAccuracy',
  'binaryAccuracy',
  'precision',
  'recall',
  'auc',
  'topKCategoricalAccuracy',
  'sparseTopKCategoricalAccuracy',
];

const snake = (name: string): string =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();

/**
 * Resolves a metric by name (camelCase or snake_case) or instance. 'accuracy' picks the label kind per batch.
 * @example getMetric('top_k_categorical_accuracy').name === 'top_k_categorical_accuracy'
 */
export function getMetric(metric: string | Metric): Metric {
  if (metric instanceof Metric) return metric;
  switch (typeof metric === 'string' ? snake(metric) : '') {
    case 'accuracy':
    case 'acc':
      return new Accuracy(metric);
    case 'categorical_accuracy':
      return new Accuracy('categorical_accuracy', 'categorical');
    case 'sparse_categorical_accuracy':
      return new Accuracy('sparse_categorical_accuracy', 'sparse');
    case 'binary_accuracy':
      return new Accuracy('binary_accuracy', 'binary');
    case 'precision':
      return new ThresholdMetric('precision');
    case 'recall':
      return new ThresholdMetric('recall');
    case 'auc':
      return new AUC();
    case 'top_k_categorical_accuracy':
      return new TopKCategoricalAccuracy(5);
    case 'sparse_top_k_categorical_accuracy':
      return new TopKCategoricalAccuracy(5, 'sparse_top_k_categorical_accuracy', true);
    default:
      throw new ConfigError(invalid('compile', 'metrics', `names among ${METRIC_NAMES.join(', ')} or Metric instances`, metric));
  }
}
