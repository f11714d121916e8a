// Out-of-fold evaluation, as sklearn's cross_val_predict reads a cross-validation: the evaluations of each fold's
// model on its held-out rows joined into one, every sample scored once by the model that never saw it. Counts add
// up (confusion matrix, accuracy, top-k), the classification report and the most-confused pairs are recomputed from
// the summed matrix, the loss is the sample-weighted mean, predictions are concatenated in fold order. Not here:
// running the folds (tuning/cross-validate.ts).

import { ConfigError, invalid } from '../errors.js';
import { mostConfused, reportFromMatrix } from './classification-metrics.js';
import { type ClassifierEvaluation, type ClassifierPredictions, topLossExamples } from './evaluate-classifier.js';

function concat<T extends Float32Array | Int32Array>(parts: T[]): T {
  const out = new (parts[0]!.constructor as new (n: number) => T)(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Joins per-fold evaluations (same classes, same model outputs) into one; a sample's index is its position in fold
 * order (fold 1's held-out rows first).
 * @example const all = joinEvaluations(folds.map((f) => f.evaluation)); all.confusionMatrix // every sample once
 */
export function joinEvaluations(parts: ClassifierEvaluation[]): ClassifierEvaluation {
  const first = parts[0];
  if (!first) throw new ConfigError(invalid('joinEvaluations', 'parts', 'at least one evaluation', parts));
  for (const p of parts) {
    if (p.classNames.join('\n') !== first.classNames.join('\n') || p.predictions.outputUnits !== first.predictions.outputUnits) {
      throw new ConfigError(
        invalid('joinEvaluations', 'parts', `evaluations of the same classes (${first.classNames.join(', ')})`, p.classNames),
      );
    }
  }
  const n = parts.reduce((sum, p) => sum + p.numSamples, 0);
  const names = first.classNames;
  const matrix = first.confusionMatrix.map((row, i) =>
    row.map((_, j) => parts.reduce((s, p) => s + p.confusionMatrix[i]![j]!, 0)),
  );
  const correct = matrix.reduce((s, row, i) => s + row[i]!, 0);
  const weighted = (value: (p: ClassifierEvaluation) => number) => parts.reduce((s, p) => s + value(p) * p.numSamples, 0) / n;
  const paths = parts.every((p) => p.predictions.paths) ? parts.flatMap((p) => p.predictions.paths!) : null;
  const predictions: ClassifierPredictions = {
    yTrue: concat(parts.map((p) => p.predictions.yTrue)),
    yPred: concat(parts.map((p) => p.predictions.yPred)),
    probabilities: concat(parts.map((p) => p.predictions.probabilities)),
    outputUnits: first.predictions.outputUnits,
    confidence: concat(parts.map((p) => p.predictions.confidence)),
    losses: concat(parts.map((p) => p.predictions.losses)),
    ...(paths ? { paths } : {}),
  };
  const zeroDivision = first.classificationReport.zeroDivision;
  return {
    classNames: [...names],
    numSamples: n,
    binary: first.binary,
    threshold: first.threshold,
    lossName: first.lossName,
    loss: weighted((p) => p.loss),
    accuracy: correct / n,
    topK: first.topK ? { k: first.topK.k, accuracy: weighted((p) => p.topK?.accuracy ?? Number.NaN) } : null,
    confusionMatrix: matrix,
    classificationReport: reportFromMatrix(matrix, names, zeroDivision),
    mostConfused: mostConfused(matrix, names, Math.max(first.mostConfused.length, 10)),
    topLosses: topLossExamples(predictions, names, Math.max(...parts.map((p) => p.topLosses.length))),
    predictions,
  };
}
