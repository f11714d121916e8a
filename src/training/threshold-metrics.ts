// Keras's confusion-matrix metrics: Precision, Recall (one threshold, default 0.5) and AUC (ROC, 200 thresholds,
// trapezoidal summation). Every prediction element counts, with labels one-hot or class indices. Not here: top_k,
// class_id, several thresholds at once, the PR curve.

import { ConfigError, invalid } from '../errors.js';
import { withPositional } from '../options.js';
import type { Tensor } from '../tensor.js';
import { Metric } from './metric.js';

/** One-hot view of element i of the labels, whatever their encoding. */
function labelAt(yPred: Tensor, yTrue: Tensor, i: number): number {
  if (yTrue.data.length === yPred.data.length) return yTrue.data[i]!;
  const classes = yPred.shape[yPred.shape.length - 1] ?? 1;
  return yTrue.data[Math.floor(i / classes)] === i % classes ? 1 : 0;
}

export interface ThresholdMetricOptions {
  /** A prediction above this counts as positive (Keras `thresholds`, one value). Default 0.5. */
  thresholds?: number;
  name?: string;
}

/** Precision or recall over all prediction elements thresholded at `thresholds` (Keras Precision/Recall). */
export class ThresholdMetric extends Metric {
  private tp = 0;
  private fp = 0;
  private fn = 0;
  readonly threshold: number;

  constructor(
    readonly kind: 'precision' | 'recall',
    options: ThresholdMetricOptions = {},
  ) {
    const where = kind === 'precision' ? 'Precision' : 'Recall';
    const config = withPositional<ThresholdMetricOptions>(where, [options], [], ['thresholds', 'name']);
    super(config.name ?? kind);
    const threshold = config.thresholds ?? 0.5;
    if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
      throw new ConfigError(invalid(where, 'thresholds', 'one number in [0, 1] (lists are not supported)', threshold));
    }
    this.threshold = threshold;
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

  override getConfig(): Record<string, unknown> {
    return { name: this.name, thresholds: this.threshold };
  }

  result(): number {
    const denominator = this.kind === 'precision' ? this.tp + this.fp : this.tp + this.fn;
    return denominator === 0 ? 0 : this.tp / denominator;
  }

  reset(): void {
    this.tp = 0;
    this.fp = 0;
    this.fn = 0;
  }
}

/** Keras Precision: tp / (tp + fp). @example compile({ ..., metrics: [new Precision({ thresholds: 0.7 })] }) */
export class Precision extends ThresholdMetric {
  constructor(thresholds?: number, options?: Omit<ThresholdMetricOptions, 'thresholds'>);
  constructor(options?: ThresholdMetricOptions);
  constructor(...args: unknown[]) {
    super('precision', withPositional('Precision', args, ['thresholds'], ['thresholds', 'name']));
  }
}

/** Keras Recall: tp / (tp + fn). @example new Recall({ thresholds: 0.3 }) */
export class Recall extends ThresholdMetric {
  constructor(thresholds?: number, options?: Omit<ThresholdMetricOptions, 'thresholds'>);
  constructor(options?: ThresholdMetricOptions);
  constructor(...args: unknown[]) {
    super('recall', withPositional('Recall', args, ['thresholds'], ['thresholds', 'name']));
  }
}

export interface AUCOptions {
  /** Evenly spaced thresholds in [0, 1] (default 200, as Keras). */
  numThresholds?: number;
  /** Only 'ROC' is computed. */
  curve?: 'ROC';
  name?: string;
}

/** ROC AUC with Keras's evenly spaced thresholds and trapezoidal ('interpolation') summation. */
export class AUC extends Metric {
  readonly numThresholds: number;
  private readonly thresholds: number[];
  private readonly posAbove: Float64Array;
  private readonly negAbove: Float64Array;

  /** Keras's order: AUC(numThresholds, curve). */
  constructor(numThresholds?: number, options?: Omit<AUCOptions, 'numThresholds'>);
  constructor(options?: AUCOptions);
  constructor(...args: unknown[]) {
    const config = withPositional<AUCOptions>('AUC', args, ['numThresholds', 'curve'], ['numThresholds', 'curve', 'name']);
    super(config.name ?? 'auc');
    const n = config.numThresholds ?? 200;
    if (!Number.isInteger(n) || n < 2) throw new ConfigError(invalid('AUC', 'numThresholds', 'an integer >= 2', n));
    if (config.curve !== undefined && config.curve !== 'ROC') {
      throw new ConfigError(invalid('AUC', 'curve', "'ROC' (the PR curve is not supported)", config.curve));
    }
    this.numThresholds = n;
    const eps = 1e-7;
    this.thresholds = [0 - eps];
    for (let i = 0; i < n - 2; i++) this.thresholds.push((i + 1) / (n - 1));
    this.thresholds.push(1 + eps);
    this.posAbove = new Float64Array(n);
    this.negAbove = new Float64Array(n);
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, numThresholds: this.numThresholds, curve: 'ROC' };
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
