// Keras's accuracy metrics by name or class (Accuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
// BinaryAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy) and getMetric, which resolves the names
// compile() accepts. Predictions are (N, classes) probabilities; labels are one-hot (N, classes) or class indices
// (N) / (N, 1). Precision, Recall and AUC live in threshold-metrics.ts. Not here: sample-weighted metrics.

import type { Backend } from '../backend/backend.js';
import { ConfigError, invalid } from '../errors.js';
import { camelCase, withPositional } from '../options.js';
import type { Tensor } from '../tensor.js';
import { type LabelKind, labelKind, Metric } from './metric.js';
import { snakeKeys } from './optimizers/optimizer.js';
import { AUC, Precision, Recall } from './threshold-metrics.js';

export { type LabelKind, labelKind, Metric } from './metric.js';
export { AUC, type AUCOptions, Precision, Recall, ThresholdMetric, type ThresholdMetricOptions } from './threshold-metrics.js';

export interface MetricOptions {
  name?: string;
}

/**
 * The accuracy the string 'accuracy' means in compile(): Keras picks categorical, sparse or binary accuracy from
 * the loss and shapes; here the label kind is resolved from each batch's shapes (or forced by `kind`).
 */
export class AutoAccuracy extends Metric {
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

/** Keras CategoricalAccuracy: argmax of one-hot labels against argmax of the prediction. */
export class CategoricalAccuracy extends AutoAccuracy {
  constructor(options: MetricOptions = {}) {
    super(
      withPositional<MetricOptions>('CategoricalAccuracy', [options], [], ['name']).name ?? 'categorical_accuracy',
      'categorical',
    );
  }
}

/** Keras SparseCategoricalAccuracy: integer labels against argmax of the prediction. */
export class SparseCategoricalAccuracy extends AutoAccuracy {
  constructor(options: MetricOptions = {}) {
    const config = withPositional<MetricOptions>('SparseCategoricalAccuracy', [options], [], ['name']);
    super(config.name ?? 'sparse_categorical_accuracy', 'sparse');
  }
}

/** Keras BinaryAccuracy: (prediction > threshold) equals (label > 0.5), element-wise. Default threshold 0.5. */
export class BinaryAccuracy extends Metric {
  private correct = 0;
  private count = 0;
  readonly threshold: number;

  constructor(options: MetricOptions & { threshold?: number } = {}) {
    const config = withPositional<MetricOptions & { threshold?: number }>('BinaryAccuracy', [options], [], ['name', 'threshold']);
    super(config.name ?? 'binary_accuracy');
    const threshold = config.threshold ?? 0.5;
    if (typeof threshold !== 'number' || !Number.isFinite(threshold)) {
      throw new ConfigError(invalid('BinaryAccuracy', 'threshold', 'a finite number', threshold));
    }
    this.threshold = threshold;
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, threshold: this.threshold };
  }

  update(yPred: Tensor, yTrue: Tensor): void {
    for (let i = 0; i < yPred.data.length; i++) if (yPred.data[i]! > this.threshold === yTrue.data[i]! > 0.5) this.correct++;
    this.count += yPred.data.length;
  }

  result(): number {
    return this.count === 0 ? 0 : this.correct / this.count;
  }

  reset(): void {
    this.correct = 0;
    this.count = 0;
  }
}

/**
 * Keras Accuracy: how often predictions EQUAL labels, element-wise (not argmax). For class scores use the string
 * 'accuracy' or CategoricalAccuracy / SparseCategoricalAccuracy, as in Keras.
 */
export class Accuracy extends Metric {
  private correct = 0;
  private count = 0;

  constructor(options: MetricOptions = {}) {
    super(withPositional<MetricOptions>('Accuracy', [options], [], ['name']).name ?? 'accuracy');
  }

  update(yPred: Tensor, yTrue: Tensor): void {
    if (yPred.data.length !== yTrue.data.length) {
      throw new ConfigError(
        `Accuracy: predictions and labels differ in size (${yPred.data.length} and ${yTrue.data.length}). Keras's Accuracy compares values element-wise; for class scores use 'accuracy' or SparseCategoricalAccuracy.`,
      );
    }
    for (let i = 0; i < yPred.data.length; i++) if (yPred.data[i] === yTrue.data[i]) this.correct++;
    this.count += yPred.data.length;
  }

  result(): number {
    return this.count === 0 ? 0 : this.correct / this.count;
  }

  reset(): void {
    this.correct = 0;
    this.count = 0;
  }
}

export interface TopKOptions extends MetricOptions {
  /** Default 5. */
  k?: number;
}

/** Top-k accuracy: the true class is among the k highest scores (ties count as hits, as tf.math.in_top_k). */
export class TopKCategoricalAccuracy extends Metric {
  private hits = 0;
  private count = 0;
  readonly k: number;
  private readonly sparse: boolean;
  /** Integer labels instead of one-hot; SparseTopKCategoricalAccuracy sets it. */
  protected static readonly sparseLabels: boolean = false;

  /** Keras's order: TopKCategoricalAccuracy(k, name). */
  constructor(k?: number, options?: MetricOptions);
  constructor(options?: TopKOptions);
  constructor(...args: unknown[]) {
    const sparse = (new.target as unknown as { sparseLabels: boolean }).sparseLabels;
    const where = sparse ? 'SparseTopKCategoricalAccuracy' : 'TopKCategoricalAccuracy';
    const config = withPositional<TopKOptions>(where, args, ['k'], ['k', 'name']);
    super(config.name ?? (sparse ? 'sparse_top_k_categorical_accuracy' : 'top_k_categorical_accuracy'));
    const k = config.k ?? 5;
    if (!Number.isInteger(k) || k < 1) throw new ConfigError(invalid(where, 'k', 'a positive integer', k));
    this.k = k;
    this.sparse = sparse;
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, k: this.k };
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

/** Keras SparseTopKCategoricalAccuracy: top-k with integer labels. */
export class SparseTopKCategoricalAccuracy extends TopKCategoricalAccuracy {
  protected static override readonly sparseLabels: boolean = true;
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
      return new AutoAccuracy(metric);
    case 'categorical_accuracy':
      return new CategoricalAccuracy();
    case 'sparse_categorical_accuracy':
      return new SparseCategoricalAccuracy();
    case 'binary_accuracy':
      return new BinaryAccuracy();
    case 'precision':
      return new Precision();
    case 'recall':
      return new Recall();
    case 'auc':
      return new AUC();
    case 'top_k_categorical_accuracy':
      return new TopKCategoricalAccuracy();
    case 'sparse_top_k_categorical_accuracy':
      return new SparseTopKCategoricalAccuracy();
    default:
      throw new ConfigError(invalid('compile', 'metrics', `names among ${METRIC_NAMES.join(', ')} or Metric instances`, metric));
  }
}

/** Keras's metric classes by class name, for .keras compile_config (see metricFromKeras). */
export const METRIC_CLASSES: Record<string, new (config: Record<string, unknown>) => Metric> = {
  Accuracy: Accuracy as never,
  CategoricalAccuracy: CategoricalAccuracy as never,
  SparseCategoricalAccuracy: SparseCategoricalAccuracy as never,
  BinaryAccuracy: BinaryAccuracy as never,
  TopKCategoricalAccuracy: TopKCategoricalAccuracy as never,
  SparseTopKCategoricalAccuracy: SparseTopKCategoricalAccuracy as never,
  Precision: Precision as never,
  Recall: Recall as never,
  AUC: AUC as never,
};

/** Keys Keras writes in metric configs that convkit ignores, with the only values accepted for them. */
const NEUTRAL: Record<string, unknown[]> = {
  dtype: ['float32', null],
  top_k: [null],
  class_id: [null],
  summation_method: ['interpolation'],
  multi_label: [false],
  num_labels: [null],
  label_weights: [null],
  from_logits: [false],
};

/** Keras's serialised metric ({class_name, config}) for an instance of a Keras metric class, else its name. */
export function metricToKeras(metric: Metric): string | Record<string, unknown> {
  const entry = Object.entries(METRIC_CLASSES).find(([, cls]) => metric.constructor === cls);
  if (!entry) return metric.name;
  const config = { dtype: 'float32', ...snakeKeys(metric.getConfig()) };
  return { module: 'keras.metrics', class_name: entry[0], config, registered_name: null };
}

/**
 * A metric from Keras's serialised form {class_name, config}: a Keras class with its options (thresholds, k ...).
 * Options convkit cannot honour throw (ConfigError from the class, or here for neutral keys with other values).
 */
export function metricFromKeras(json: { class_name?: unknown; config?: unknown }): Metric {
  const cls = typeof json.class_name === 'string' ? METRIC_CLASSES[json.class_name] : undefined;
  if (!cls) return getMetric(String(json.class_name));
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries((json.config as Record<string, unknown> | null) ?? {})) {
    if (key in NEUTRAL) {
      if (!NEUTRAL[key]!.includes(value)) {
        throw new ConfigError(
          invalid(
            `metrics.${json.class_name}`,
            key,
            `${NEUTRAL[key]!.map(String).join(' or ')} (not supported otherwise)`,
            value,
          ),
        );
      }
    } else config[camelCase(key)] = value;
  }
  return new cls(config);
}
