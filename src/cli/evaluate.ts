// `convkit evaluate`: loads a saved model and evaluates it as a classifier (evaluateClassifier) on a dataset's test
// split or on a folder of class subfolders (evaluation-data.ts: labels, presets, --limit): loss, accuracy, confusion
// matrix, classification report, most-confused pairs, top losses. With --json the last line is the result as one
// JSON object (notes go to stderr then).

import { ConfigError } from '../errors.js';
import { type ClassifierEvaluation, evaluateClassifier } from '../evaluation/evaluate-classifier.js';
import { loadModel } from '../io/load-model.js';
import { applyGlobalOptions, type GlobalOptions } from './common.js';
import { type EvaluationDataOptions, evaluationData } from './evaluation-data.js';

export interface EvaluateOptions extends GlobalOptions, EvaluationDataOptions {
  json?: boolean;
  topK: number;
  threshold: number;
}

/** The JSON form: everything but the per-sample arrays (those are for plots, not for a terminal). */
export function evaluationJson(result: ClassifierEvaluation): Record<string, unknown> {
  const { predictions: _predictions, ...rest } = result;
  return rest;
}

export async function evaluateCommand(modelPath: string, options: EvaluateOptions): Promise<void> {
  applyGlobalOptions(options);
  const model = await loadModel(modelPath);
  const { data, classNames, notes } = await evaluationData(model, modelPath, options);
  const units = model.outputs[0]?.shape.at(-1);
  if (units === 1 && classNames.length !== 2) {
    throw new ConfigError(
      `evaluate: the model has one sigmoid output (binary), but --dataset ${options.dataset} has ${classNames.length} classes.`,
    );
  }
  for (const note of notes) (options.json ? console.error : console.log)(note);
  const result = await evaluateClassifier(model, data, {
    classNames,
    batchSize: options.batchSize,
    topK: options.topK,
    threshold: options.threshold,
    print: !options.json,
  });
  if (options.json) console.log(JSON.stringify(evaluationJson(result)));
}
