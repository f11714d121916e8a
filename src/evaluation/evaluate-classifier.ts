// evaluateClassifier: runs a classifier over labelled data (arrays or a Dataset) once and returns everything an
// evaluation needs as plain, typed data: loss, accuracy, top-k accuracy, the confusion matrix, the classification
// report, the most-confused pairs, the top-loss examples and the raw predictions (for plots). Softmax models
// (N, K) and binary models (one sigmoid unit, with a threshold). The text form is in evaluation-text.ts. Not here:
// plots, multi-label or multi-output models.

import { ConfigError, invalid, ShapeError, ValueError } from '../errors.js';
import type { Model } from '../models/model.js';
import { checkOptions } from '../options.js';
import { getLoss } from '../training/losses.js';
import { predictWithLosses } from '../training/step.js';
import {
  type ClassificationReport,
  type ConfusedPair,
  confusionMatrix,
  mostConfused,
  reportFromMatrix,
} from './classification-metrics.js';
import { batchesOf, type ClassifierData, datasetClassNames, grow, labelIndices, lossTarget } from './classifier-data.js';
import { formatEvaluation } from './evaluation-text.js';

export type { ClassifierData } from './classifier-data.js';

export interface EvaluateClassifierOptions {
  /** Names in class-index order; default '0', '1', ... (a Dataset with classNames, e.g. an image folder, gives them). */
  classNames?: string[];
  /** Samples per step for array inputs. Default 32. */
  batchSize?: number;
  /** k of the top-k accuracy (Keras's default 5); reported when the model has more than k classes. */
  topK?: number;
  /** Binary models: a probability above this is class 1 (Keras BinaryAccuracy's rule). Default 0.5. */
  threshold?: number;
  /** true (default) prints the report with console.log; false stays silent; a function receives each line. */
  print?: boolean | ((line: string) => void);
  /** How many highest-loss examples to keep. Default 10. */
  topLosses?: number;
  /** How many most-confused pairs to keep. Default 10. */
  mostConfused?: number;
  /** sklearn's zero_division for precision/recall/F1: 0 (default) or 1. */
  zeroDivision?: 0 | 1;
}

const KEYS = ['classNames', 'batchSize', 'topK', 'threshold', 'print', 'topLosses', 'mostConfused', 'zeroDivision'];
const WHERE = 'evaluateClassifier';

/** One evaluated sample with a high loss. `index` is its position in evaluation order (the row, for arrays). */
export interface LossExample {
  index: number;
  trueClass: number;
  predictedClass: number;
  trueName: string;
  predictedName: string;
  /** Probability of the predicted class. */
  confidence: number;
  loss: number;
  /** The file it came from, when the dataset gives paths (imageDatasetFromDirectory does). */
  path?: string;
}

/** Per-sample results in evaluation order, for plots. */
export interface ClassifierPredictions {
  yTrue: Int32Array;
  yPred: Int32Array;
  /** The model's outputs, row-major [numSamples, outputUnits] (outputUnits is 1 for a binary sigmoid model). */
  probabilities: Float32Array;
  outputUnits: number;
  /** Probability of the predicted class, per sample. */
  confidence: Float32Array;
  /** Each sample's loss (without regularization). */
  losses: Float32Array;
  /** Source files, when the dataset gives them. */
  paths?: string[];
}

/** What evaluateClassifier returns; plain data (typed arrays aside), stable for reports and plots. */
export interface ClassifierEvaluation {
  classNames: string[];
  numSamples: number;
  /** One sigmoid output judged against `threshold`. */
  binary: boolean;
  threshold: number | null;
  /** The loss used (the compiled one, else cross-entropy matching the output). */
  lossName: string;
  /** Mean loss plus regularization penalties, as model.evaluate reports it. */
  loss: number;
  accuracy: number;
  /** Top-k accuracy (TF's in_top_k: ties at the boundary count as in), or null (binary, or k >= classes). */
  topK: { k: number; accuracy: number } | null;
  /** Rows = true class, columns = predicted class. */
  confusionMatrix: number[][];
  classificationReport: ClassificationReport;
  mostConfused: ConfusedPair[];
  /** Highest loss first. */
  topLosses: LossExample[];
  predictions: ClassifierPredictions;
}

function positiveInt(arg: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(invalid(WHERE, arg, 'a positive integer', value));
  return value;
}

/**
 * Evaluates a classifier: loss, accuracy, top-k accuracy, confusion matrix (rows = true class), sklearn-style
 * classification report, most-confused pairs, top losses and raw predictions; prints the report unless
 * `print: false`. Labels are class indices (or one-hot rows); for one sigmoid output they are 0/1.
 * @example
 * const result = await evaluateClassifier(model, [xTest, yTest], { classNames, print: false });
 * result.confusionMatrix[3][6] // Dresses predicted as Shirts
 */
export async function evaluateClassifier(
  model: Model,
  data: ClassifierData,
  options: EvaluateClassifierOptions = {},
): Promise<ClassifierEvaluation> {
  const o = checkOptions<EvaluateClassifierOptions>(WHERE, options, KEYS);
  const batchSize = positiveInt('batchSize', o.batchSize, 32);
  const k = positiveInt('topK', o.topK, 5);
  const topLossCount = o.topLosses === 0 ? 0 : positiveInt('topLosses', o.topLosses, 10);
  const pairCount = o.mostConfused === 0 ? 0 : positiveInt('mostConfused', o.mostConfused, 10);
  const threshold = o.threshold ?? 0.5;
  if (!(typeof threshold === 'number' && threshold >= 0 && threshold <= 1)) {
    throw new ConfigError(invalid(WHERE, 'threshold', 'a number in [0, 1]', o.threshold));
  }
  const zeroDivision = o.zeroDivision ?? 0;
  if (zeroDivision !== 0 && zeroDivision !== 1) throw new ConfigError(invalid(WHERE, 'zeroDivision', '0 or 1', zeroDivision));
  if (o.print !== undefined && typeof o.print !== 'boolean' && typeof o.print !== 'function') {
    throw new ConfigError(invalid(WHERE, 'print', 'true, false or a function(line)', o.print));
  }
  const outputShape = model.outputs[0]?.shape ?? [];
  const units = outputShape.length === 2 ? outputShape[1] : undefined;
  if (typeof units !== 'number') {
    throw new ShapeError(
      invalid(
        WHERE,
        'model',
        'a classifier with outputs of shape (None, classes)',
        `outputs of shape ${JSON.stringify(outputShape)}`,
      ),
    );
  }
  const binary = units === 1;
  const numClasses = binary ? 2 : units;
  const names = o.classNames ?? datasetClassNames(data) ?? Array.from({ length: numClasses }, (_, i) => String(i));
  if (!Array.isArray(names) || names.length !== numClasses || names.some((n) => typeof n !== 'string')) {
    throw new ConfigError(
      invalid(
        WHERE,
        'classNames',
        `${numClasses} names (the model has ${units} output unit${units === 1 ? ', binary' : 's'})`,
        names,
      ),
    );
  }
  const loss = model.compiled?.loss ?? getLoss(binary ? 'binaryCrossentropy' : 'sparseCategoricalCrossentropy');

  let yTrue = new Int32Array(1024);
  let yPred = new Int32Array(1024);
  let probabilities = new Float32Array(1024 * units);
  let confidence = new Float32Array(1024);
  let losses = new Float32Array(1024);
  let paths: string[] | null = [];
  let n = 0;
  let inTopK = 0;
  for await (const batch of batchesOf(data, batchSize)) {
    const indices = labelIndices(batch.y, units, n);
    const { output, losses: batchLosses } = predictWithLosses(model, batch.x, lossTarget(loss, batch.y, indices, units), loss);
    const m = indices.length;
    yTrue = grow(yTrue, n + m);
    yPred = grow(yPred, n + m);
    confidence = grow(confidence, n + m);
    losses = grow(losses, n + m);
    probabilities = grow(probabilities, (n + m) * units);
    yTrue.set(indices, n);
    losses.set(batchLosses, n);
    probabilities.set(output.data, n * units);
    for (let i = 0; i < m; i++) {
      const row = output.data.subarray(i * units, (i + 1) * units);
      if (binary) {
        const p = row[0]!;
        yPred[n + i] = p > threshold ? 1 : 0;
        confidence[n + i] = p > threshold ? p : 1 - p;
        continue;
      }
      let best = 0;
      let above = 0;
      const truth = row[indices[i]!]!;
      for (let c = 0; c < units; c++) {
        if (row[c]! > row[best]!) best = c;
        if (row[c]! > truth) above++;
      }
      if (above < k) inTopK++;
      yPred[n + i] = best;
      confidence[n + i] = row[best]!;
    }
    if (paths && batch.paths && batch.paths.length === m) paths.push(...batch.paths);
    else paths = null;
    n += m;
  }
  if (n === 0) throw new ValueError(invalid(WHERE, 'data', 'at least one labelled sample', 'no samples'));
  yTrue = yTrue.slice(0, n);
  yPred = yPred.slice(0, n);
  losses = losses.slice(0, n);
  const matrix = confusionMatrix(yTrue, yPred, { numClasses });
  let correct = 0;
  for (let c = 0; c < numClasses; c++) correct += matrix[c]![c]!;
  let lossSum = 0;
  for (let i = 0; i < n; i++) lossSum += losses[i]!;
  let penalty = 0;
  for (const w of model.weights) if (w.regularizer) penalty += w.regularizer.penalty(w.value);
  const predictions: ClassifierPredictions = {
    yTrue,
    yPred,
    probabilities: probabilities.slice(0, n * units),
    outputUnits: units,
    confidence: confidence.slice(0, n),
    losses,
    ...(paths ? { paths } : {}),
  };
  const result: ClassifierEvaluation = {
    classNames: [...names],
    numSamples: n,
    binary,
    threshold: binary ? threshold : null,
    lossName: loss.name,
    loss: lossSum / n + penalty,
    accuracy: correct / n,
    topK: binary || k >= numClasses ? null : { k, accuracy: inTopK / n },
    confusionMatrix: matrix,
    classificationReport: reportFromMatrix(matrix, names, zeroDivision),
    mostConfused: pairCount ? mostConfused(matrix, names, pairCount) : [],
    topLosses: topLossExamples(predictions, names, topLossCount),
    predictions,
  };
  const print = o.print ?? true;
  if (print) {
    const write = typeof print === 'function' ? print : (line: string) => console.log(line);
    for (const line of formatEvaluation(result).split('\n')) write(line);
  }
  return result;
}

/** The `count` highest-loss samples (NaN first), as LossExamples. */
export function topLossExamples(p: ClassifierPredictions, names: string[], count: number): LossExample[] {
  const order = Array.from(p.losses.keys());
  // NaN losses first: a sample the model cannot score is the first thing to look at.
  const key = (i: number) => (Number.isNaN(p.losses[i]!) ? Number.POSITIVE_INFINITY : p.losses[i]!);
  order.sort((a, b) => key(b) - key(a) || a - b);
  return order.slice(0, count).map((i) => ({
    index: i,
    trueClass: p.yTrue[i]!,
    predictedClass: p.yPred[i]!,
    trueName: names[p.yTrue[i]!]!,
    predictedName: names[p.yPred[i]!]!,
    confidence: p.confidence[i]!,
    loss: p.losses[i]!,
    ...(p.paths ? { path: p.paths[i]! } : {}),
  }));
}
