// `convkit report`: evaluates a saved model on a dataset's test split or on a folder of class subfolders (the data
// `convkit evaluate` reads, evaluation-data.ts) and writes the HTML report (writeReport) into a folder; with
// --history (a CSVLogger file) it adds the learning curves and the diagnosis. `train`, `finetune` and `cv` call
// reportForModel at the end with their own history.

import { ConfigError } from '../errors.js';
import { evaluateClassifier } from '../evaluation/evaluate-classifier.js';
import { readHistoryCsv } from '../evaluation/history-csv.js';
import { loadModel } from '../io/load-model.js';
import type { Model } from '../models/model.js';
import { writeReport } from '../report/build-report.js';
import { checkReportDir } from '../report/report-dir.js';
import { applyGlobalOptions, type GlobalOptions } from './common.js';
import { type EvaluationData, type EvaluationDataOptions, evaluationData } from './evaluation-data.js';

export interface ReportCommandOptions extends GlobalOptions, EvaluationDataOptions {
  out: string;
  history?: string;
  title?: string;
}

export interface ReportForModelOptions {
  out: string;
  batchSize: number;
  /** The training history (fit's History, or a CSVLogger file read back); null: no curves, no diagnosis. */
  history: { history: Record<string, number[]> } | null;
  title?: string;
  /** Lines under the title: model, data, backend. */
  meta: string[];
}

/** Evaluates `model` on `source` and writes the report folder; returns the path of index.html. */
export async function reportForModel(
  model: Model,
  source: Pick<EvaluationData, 'data' | 'classNames' | 'loadImages'>,
  options: ReportForModelOptions,
): Promise<string> {
  const units = model.outputs[0]?.shape.at(-1);
  if (units === 1 && source.classNames.length !== 2) {
    throw new ConfigError(
      `report: the model has one sigmoid output (binary), but the data has ${source.classNames.length} classes (${source.classNames.join(', ')}).`,
    );
  }
  const evaluation = await evaluateClassifier(model, source.data, {
    classNames: source.classNames,
    batchSize: options.batchSize,
    print: false,
  });
  const paths = evaluation.predictions.paths;
  const history = options.history;
  return writeReport(options.out, {
    model,
    evaluation,
    loadImages: (indices) => source.loadImages(indices, paths),
    history,
    ...(options.title !== undefined ? { title: options.title } : {}),
    meta: [
      ...options.meta,
      `Evaluated on ${evaluation.numSamples.toLocaleString('en-US')} images; written ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by convkit.`,
    ],
  });
}

export async function reportCommand(modelPath: string, options: ReportCommandOptions): Promise<void> {
  // The output folder and the history are checked before the model runs over the data.
  checkReportDir(options.out, '--out');
  const history = options.history !== undefined ? readHistoryCsv(options.history) : null;
  const backend = applyGlobalOptions(options);
  const model = await loadModel(modelPath);
  const source = await evaluationData(model, modelPath, options);
  for (const note of [...source.notes, ...(history?.notes ?? [])]) console.log(`note: ${note}`);
  const index = await reportForModel(model, source, {
    out: options.out,
    batchSize: options.batchSize,
    history,
    ...(options.title !== undefined ? { title: options.title } : {}),
    meta: [
      `Model: ${modelPath}`,
      `Data: ${source.description}`,
      ...source.notes,
      ...(options.history ? [`History: ${options.history}`] : []),
      `Backend: ${backend}`,
    ],
  });
  console.log(`Report written to ${index}`);
}
