// `convkit finetune`: parses nothing of its own; hands the options to the library's fineTune() and prints its
// result, ending with the line `validation accuracy: NN.NN%`; with --report it writes the best model's HTML report.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { type FineTuneResult, fineTune } from '../fine-tuning/fine-tune-folder.js';
import { checkWritable } from '../io/file-checks.js';
import { writeLabels } from '../io/labels.js';
import type { PreprocessName } from '../preprocessing/presets.js';
import { checkReportDir } from '../report/report-dir.js';
import { applyGlobalOptions, type GlobalOptions } from './common.js';

export interface FinetuneCommandOptions extends GlobalOptions {
  base: string;
  data: string;
  replaceHead?: boolean;
  featureLayer?: string;
  unfreeze: number;
  unfreezeLayers?: string;
  lr: number;
  headEpochs?: number;
  headLr?: number;
  freezeBatchnorm?: boolean;
  epochs: number;
  batchSize: number;
  seed?: number;
  imageSize?: [number, number];
  preprocess: string;
  augment?: string;
  out: string;
  labelsOut?: string;
  cache?: boolean;
  /** Write the HTML evaluation report of the best model into this folder. */
  report?: string;
}

const percent = (x: number) => `${(100 * x).toFixed(2)}%`;

export async function finetuneCommand(options: FinetuneCommandOptions): Promise<void> {
  const backendName = applyGlobalOptions(options);
  if (options.labelsOut) checkWritable(options.labelsOut, '--labels-out');
  if (options.report !== undefined) checkReportDir(options.report, '--report');
  console.log(`Fine-tuning ${options.base} on ${options.data} with the ${backendName} backend`);
  const result = await fineTune({
    base: options.base,
    data: options.data,
    replaceHead: options.replaceHead ?? false,
    ...(options.featureLayer !== undefined ? { featureLayer: options.featureLayer } : {}),
    unfreeze: options.unfreeze,
    ...(options.unfreezeLayers !== undefined ? { unfreezeNames: options.unfreezeLayers.split(',').map((s) => s.trim()) } : {}),
    learningRate: options.lr,
    ...(options.headEpochs !== undefined ? { headEpochs: options.headEpochs } : {}),
    ...(options.headLr !== undefined ? { headLearningRate: options.headLr } : {}),
    ...(options.freezeBatchnorm ? { freezeBatchNorm: true } : {}),
    epochs: options.epochs,
    batchSize: options.batchSize,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.imageSize !== undefined ? { imageSize: options.imageSize } : {}),
    preprocess: options.preprocess as PreprocessName,
    ...(options.augment !== undefined ? { augment: options.augment } : {}),
    out: options.out,
    ...(options.cache ? { cache: true } : {}),
  });
  if (options.labelsOut) await writeLabels(options.labelsOut, result.classNames);
  console.log(`Classes (label order): ${result.classNames.join(', ')}`);
  console.log(`Epochs: ${result.epochs}, ${result.secondsPerEpoch.toFixed(1)} s per epoch`);
  console.log(
    `Saved the best model (highest val_accuracy) to ${options.out}${options.labelsOut ? ` and its labels to ${options.labelsOut}` : ''}`,
  );
  if (result.testAccuracy !== null) console.log(`test accuracy: ${percent(result.testAccuracy)}`);
  console.log(`validation accuracy: ${percent(result.validationAccuracy)}`);
  if (options.report !== undefined) await finetuneReport(options, result, backendName);
}

/** The report of the best model on <data>/test, or on <data>/validation when there is no test folder. */
async function finetuneReport(options: FinetuneCommandOptions, result: FineTuneResult, backendName: string): Promise<void> {
  const { reportForModel } = await import('./report.js');
  const { folderData } = await import('./evaluation-data.js');
  const split = existsSync(join(options.data, 'test')) ? 'test' : 'validation';
  const source = await folderData(
    result.model,
    { data: join(options.data, split), batchSize: options.batchSize, preprocess: options.preprocess },
    null,
  );
  if (source.classNames.join('\n') !== result.classNames.join('\n')) {
    throw new ConfigError(
      `--report: ${join(options.data, split)} has the class folders ${source.classNames.join(', ')}, but the model was trained on ${result.classNames.join(', ')}. Expected the same class folders in every split.`,
    );
  }
  const index = await reportForModel(result.model, source, {
    out: options.report!,
    batchSize: options.batchSize,
    history: result.history,
    meta: [
      `Model: ${options.base} fine-tuned on ${options.data}, best epoch saved as ${options.out}`,
      split === 'test'
        ? `Data: ${join(options.data, 'test')} (images the training never saw)`
        : `Data: ${join(options.data, 'validation')} (no test/ folder; the best epoch was chosen on these images, so the numbers are optimistic)`,
      `Backend: ${backendName}`,
    ],
  });
  console.log(`Report written to ${index}`);
}
