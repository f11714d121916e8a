// `convkit cv --report`: scores each fold's model on its held-out rows with evaluateClassifier (the same loss and
// accuracy model.evaluate gives), keeps those rows' images and the fold model, and writes one report of the
// out-of-fold predictions (every sample once, by the model that never saw it), the fold-mean learning curves and
// their diagnosis; Grad-CAM examples use the model of each example's own fold.

import { type ClassifierEvaluation, evaluateClassifier } from '../evaluation/evaluate-classifier.js';
import { joinEvaluations } from '../evaluation/out-of-fold.js';
import type { Model } from '../models/model.js';
import { writeReport } from '../report/build-report.js';
import type { Tensor } from '../tensor.js';
import { take } from '../tensor-ops.js';
import type { FoldResult, FoldScorer } from '../tuning/cross-validate.js';

/** Per epoch, the mean of each metric over the folds (the epochs all folds ran, metrics all folds logged). */
export function meanHistory(folds: FoldResult[]): Record<string, number[]> {
  const epochs = Math.min(...folds.map((f) => f.history.loss?.length ?? 0));
  const keys = Object.keys(folds[0]?.history ?? {}).filter((k) => folds.every((f) => f.history[k]));
  return Object.fromEntries(
    keys.map((k) => [
      k,
      Array.from({ length: epochs }, (_, e) => folds.reduce((s, f) => s + f.history[k]![e]!, 0) / folds.length),
    ]),
  );
}

/** Collects what the report needs while crossValidate runs; `scorer` goes to its `evaluate` option. */
export function outOfFoldReport(classNames: string[]) {
  const folds: { evaluation: ClassifierEvaluation; x: Tensor; model: Model; start: number }[] = [];
  let seen = 0;
  const scorer: FoldScorer = async (model, x, y) => {
    const evaluation = await evaluateClassifier(model, [x, y], { classNames, batchSize: 256, print: false });
    folds.push({ evaluation, x, model, start: seen });
    seen += evaluation.numSamples;
    return { loss: evaluation.loss, accuracy: evaluation.accuracy };
  };
  /** The fold holding evaluation position `index`. */
  const foldOf = (index: number) => folds.findLast((f) => f.start <= index)!;
  const write = async (out: string, results: FoldResult[], meta: string[]): Promise<string> => {
    const evaluation = joinEvaluations(folds.map((f) => f.evaluation));
    return writeReport(out, {
      model: folds[folds.length - 1]!.model,
      modelFor: (index) => foldOf(index).model,
      evaluation,
      // Each position's image from its fold's held-out rows, in the order asked.
      loadImages: async (indices) => {
        const rows = indices.map((i) => take(foldOf(i).x, [i - foldOf(i).start]));
        const size = rows[0]!.data.length;
        const data = new Float32Array(rows.length * size);
        for (const [k, r] of rows.entries()) data.set(r.data, k * size);
        return { data, shape: [rows.length, ...rows[0]!.shape.slice(1)] };
      },
      history: { history: meanHistory(results) },
      title: `Cross-validation report: ${results.length} folds`,
      meta: [
        ...meta,
        `Out-of-fold predictions: each of the ${evaluation.numSamples.toLocaleString('en-US')} samples scored once, by the fold model that did not train on it; learning curves are the mean over the folds; the model summary is the last fold's.`,
      ],
    });
  };
  return { scorer, write };
}
