// k-fold cross-validation of a Keras-style model: one fresh model per fold (built by the caller's function), trained
// on the other folds, scored on the held-out one; returns each fold's metrics and history and, per metric, the mean
// and standard deviation over the folds (population std, ddof 0, as NumPy's default and sklearn's cross_val_score
// users report it). Folds come from folds.ts. Not here: nested CV, refitting on all data, writing files (the CLI
// does that).

import { mix32 } from '../backend/random.js';
import type { Logs } from '../callbacks/callback.js';
import { ConfigError, invalid, ValueError } from '../errors.js';
import type { Model } from '../models/model.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import { argMax, take } from '../tensor-ops.js';
import { asFloatTensor, type TensorLike } from '../training/labels.js';
import { drawSeed, setRandomSeed } from '../training/seed.js';
import type { EvaluateOptions, FitOptions } from '../training/trainer.js';
import { type FoldIndices, kFold, stratifiedKFold } from './folds.js';

/** Scores a trained fold model on its held-out rows (e.g. a classification report); default model.evaluate. */
export type FoldScorer = (model: Model, x: Tensor, y: Tensor, fold: number) => Promise<Record<string, number>>;

export interface CrossValidateOptions {
  /** Number of folds (>= 2). Default 5. */
  folds?: number;
  /** Keep each class's share in every fold (labels must be class indices or one-hot). Default true. */
  stratified?: boolean;
  /** Shuffle before splitting. Default true. */
  shuffle?: boolean;
  /** Seeds the folds and, per fold, the model's weights, shuffling and dropout: same seed, same results. */
  seed?: number;
  /** Options for each fold's fit() (validationSplit/validationData are taken: the held-out fold is the validation). */
  fit?: Omit<FitOptions, 'validationSplit' | 'validationData'>;
  /** Options for the held-out evaluate(), or a function that scores the fold model. */
  evaluate?: Omit<EvaluateOptions, 'returnDict'> | FoldScorer;
  /** Also pass the held-out fold to fit() as validationData, so histories have val_ curves. Default true. */
  validateEachEpoch?: boolean;
  /** Called after each fold (progress reporting). */
  onFoldEnd?: (result: FoldResult) => void | Promise<void>;
}

export interface FoldResult {
  /** 0-based fold number. */
  fold: number;
  trainSize: number;
  testSize: number;
  /** Held-out metrics ({ loss, accuracy, ... }). */
  metrics: Record<string, number>;
  /** fit()'s history: one value per epoch for each key. */
  history: Record<string, number[]>;
  seconds: number;
}

export interface CrossValidationResult {
  folds: FoldResult[];
  /** Per metric, the mean over folds (NaN when any fold's value is NaN). */
  mean: Record<string, number>;
  /** Per metric, the population standard deviation over folds. */
  std: Record<string, number>;
  /** The seed the folds were made with (drawn when none was given), to reproduce the run. */
  seed: number;
}

const KEYS = ['folds', 'stratified', 'shuffle', 'seed', 'fit', 'evaluate', 'validateEachEpoch', 'onFoldEnd'];
const WHERE = 'crossValidate';

/** Class index per row from class-index labels [N] / [N, 1] or one-hot labels [N, C]. */
export function classLabels(y: Tensor): Int32Array {
  const n = y.shape[0] ?? 0;
  if (y.shape.length === 2 && (y.shape[1] ?? 1) > 1) return argMax(y).data;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = y.data[i]!;
  for (let i = 0; i < n; i++) {
    if (out[i] !== y.data[i]) {
      throw new ValueError(
        invalid(WHERE, `y[${i}]`, 'a class index (an integer) for stratified folds', y.data[i], 'Use stratified: false.'),
      );
    }
  }
  return out;
}

/** Mean and population standard deviation of each metric over the folds. */
export function summarize(folds: readonly FoldResult[]): { mean: Record<string, number>; std: Record<string, number> } {
  const mean: Record<string, number> = {};
  const std: Record<string, number> = {};
  const names = [...new Set(folds.flatMap((f) => Object.keys(f.metrics)))];
  for (const name of names) {
    const values = folds.map((f) => f.metrics[name] ?? Number.NaN);
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    mean[name] = m;
    std[name] = Math.sqrt(values.reduce((a, v) => a + (v - m) * (v - m), 0) / values.length);
  }
  return { mean, std };
}

/** The folds crossValidate uses for these labels and options (exposed so callers can inspect or reuse them). */
export function makeFolds(
  y: Tensor,
  options: Pick<CrossValidateOptions, 'folds' | 'stratified' | 'shuffle' | 'seed'>,
): FoldIndices[] {
  const n = y.shape[0] ?? 0;
  const common = { folds: options.folds ?? 5, shuffle: options.shuffle ?? true, seed: options.seed ?? 0 };
  if (options.stratified === false) return kFold(n, common);
  return stratifiedKFold(classLabels(y), common, (label, count) =>
    console.warn(
      `crossValidate: class ${label} has only ${count} sample(s), fewer than folds=${common.folds}; some folds will not contain it.`,
    ),
  );
}

/**
 * k-fold cross-validation. `buildModel(fold)` must return a fresh, compiled model each time.
 * @example
 * const cv = await crossValidate(() => { const m = mnistCnn(); m.compile({ optimizer: 'adam',
 *   loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] }); return m; }, x, y,
 *   { folds: 5, seed: 42, fit: { epochs: 2, batchSize: 64 } });
 * console.log(cv.mean.accuracy, cv.std.accuracy);
 */
export async function crossValidate(
  buildModel: (fold: number) => Model | Promise<Model>,
  x: TensorLike,
  y: TensorLike,
  rawOptions?: CrossValidateOptions,
): Promise<CrossValidationResult> {
  const options = checkOptions<CrossValidateOptions>(WHERE, rawOptions, KEYS);
  if (typeof buildModel !== 'function') {
    throw new ConfigError(invalid(WHERE, 'buildModel', 'a function (fold) => compiled Model', buildModel));
  }
  const fitOptions = checkOptions<FitOptions>(`${WHERE} fit`, options.fit, [
    'epochs',
    'batchSize',
    'verbose',
    'callbacks',
    'shuffle',
    'classWeight',
    'initialEpoch',
    'stepsPerEpoch',
    'validationBatchSize',
  ]);
  for (const key of ['stratified', 'shuffle', 'validateEachEpoch'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') {
      throw new ConfigError(invalid(WHERE, key, 'true or false', options[key]));
    }
  }
  if (options.seed !== undefined && !Number.isInteger(options.seed)) {
    throw new ConfigError(invalid(WHERE, 'seed', 'an integer', options.seed));
  }
  const scorer = options.evaluate;
  if (scorer !== undefined && typeof scorer !== 'function') {
    checkOptions(`${WHERE} evaluate`, scorer, ['batchSize', 'verbose', 'sampleWeight', 'callbacks', 'steps']);
  }
  const xs = asFloatTensor(WHERE, 'x', x);
  const ys = asFloatTensor(WHERE, 'y', y);
  if (xs.shape[0] !== ys.shape[0]) {
    throw new ValueError(invalid(WHERE, 'y', `${xs.shape[0]} rows (one per row of x)`, ys.shape[0]));
  }
  const seed = options.seed ?? drawSeed();
  const folds = makeFolds(ys, { ...options, seed });
  const results: FoldResult[] = [];
  for (const [k, fold] of folds.entries()) {
    // Each fold's model starts from its own seed, so fold k's result does not depend on the folds before it.
    setRandomSeed(mix32((seed + Math.imul(k + 1, 0x85ebca6b)) >>> 0));
    const model = await buildModel(k);
    if (!model || typeof (model as Model).fit !== 'function' || !(model as Model).isCompiled()) {
      throw new ConfigError(
        invalid(
          WHERE,
          'buildModel',
          'a function returning a compiled model',
          model,
          'Call model.compile(...) inside buildModel.',
        ),
      );
    }
    const xTrain = take(xs, fold.train);
    const yTrain = take(ys, fold.train);
    const xTest = take(xs, fold.test);
    const yTest = take(ys, fold.test);
    const started = performance.now();
    const validation = options.validateEachEpoch === false ? {} : { validationData: [xTest, yTest] as [Tensor, Tensor] };
    const history = await model.fit(xTrain, yTrain, { verbose: 0, ...fitOptions, ...validation });
    const metrics =
      typeof scorer === 'function'
        ? await scorer(model, xTest, yTest, k)
        : ((await model.evaluate(xTest, yTest, { verbose: 0, ...(scorer ?? {}), returnDict: true })) as Logs);
    const result: FoldResult = {
      fold: k,
      trainSize: fold.train.length,
      testSize: fold.test.length,
      // Keras's order: the loss first, then the metrics.
      metrics: { ...('loss' in metrics ? { loss: metrics.loss! } : {}), ...metrics },
      history: history.history,
      seconds: (performance.now() - started) / 1000,
    };
    results.push(result);
    await options.onFoldEnd?.(result);
  }
  return { folds: results, ...summarize(results), seed };
}
