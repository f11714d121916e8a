// `convkit cv`: k-fold cross-validation of a seed model (or a .keras file's architecture, with fresh weights per
// fold) on MNIST, Fashion-MNIST or an image folder; prints each fold's metrics and mean ± std, and writes cv.json
// (metrics and histories) and cv.csv atomically to --out; --report writes the out-of-fold HTML report (cv-report.ts).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildSeedModel, SEED_MODELS } from '../applications/seed-models.js';
import { ConfigError, invalid } from '../errors.js';
import { atomicWriteBytes } from '../io/atomic-write.js';
import { checkWritable } from '../io/file-checks.js';
import { loadModel } from '../io/load-model.js';
import type { Model } from '../models/model.js';
import { cloneModelArchitecture } from '../models/model-config.js';
import { checkReportDir } from '../report/report-dir.js';
import { type CrossValidationResult, crossValidate } from '../tuning/cross-validate.js';
import { formatFolds } from '../tuning/leaderboard.js';
import { loadTrainingData } from '../tuning/training-data.js';
import { applyGlobalOptions, type GlobalOptions, type TrainingDataOptions } from './common.js';
import { outOfFoldReport } from './cv-report.js';

export interface CvCommandOptions extends GlobalOptions, TrainingDataOptions {
  model: string;
  folds: number;
  stratified: boolean;
  limit?: number;
  epochs: number;
  batchSize: number;
  lr?: number;
  optimizer: string;
  seed?: number;
  out?: string;
  /** Write the out-of-fold HTML report into this folder. */
  report?: string;
}

function csvOf(result: CrossValidationResult): string {
  const metrics = Object.keys(result.mean);
  const rows = [['fold', 'train', 'held_out', ...metrics, 'seconds'].join(',')];
  for (const f of result.folds) {
    rows.push([f.fold + 1, f.trainSize, f.testSize, ...metrics.map((m) => f.metrics[m]), f.seconds.toFixed(2)].join(','));
  }
  rows.push(['mean', '', '', ...metrics.map((m) => result.mean[m]), ''].join(','));
  rows.push(['std', '', '', ...metrics.map((m) => result.std[m]), ''].join(','));
  return `${rows.join('\n')}\n`;
}

export async function cvCommand(options: CvCommandOptions): Promise<void> {
  const fromFile = !(options.model in SEED_MODELS);
  if (fromFile && !existsSync(options.model)) {
    throw new ConfigError(
      invalid(
        '--model',
        'model',
        `a seed model (${Object.keys(SEED_MODELS).join(', ')}) or a model file (.keras, .h5, TF.js model.json)`,
        options.model,
        'No such file. A model file gives the architecture; each fold starts from fresh weights.',
      ),
    );
  }
  if (options.out !== undefined) {
    checkWritable(join(options.out, 'cv.json'), '--out');
  }
  if (options.report !== undefined) checkReportDir(options.report, '--report');
  const backend = applyGlobalOptions(options);
  // The architecture is read once; every fold gets a clone with freshly initialised weights.
  const template: Model | null = fromFile ? await loadModel(options.model, { compile: false }) : null;
  const data = await loadTrainingData({
    dataset: options.dataset,
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    ...(options.data !== undefined ? { data: options.data, imageSize: options.imageSize ?? [64, 64] } : {}),
    ...(options.colorMode !== undefined ? { colorMode: options.colorMode } : {}),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
  });
  const [, h, w, c] = data.x.shape as [number, number, number, number];
  const x = new Float32Array(data.x.data.length);
  for (let i = 0; i < x.length; i++) x[i] = data.x.data[i]! * (1 / 255);
  const build = (): Model => {
    const model = template
      ? cloneModelArchitecture(template)
      : buildSeedModel(options.model, { inputShape: [h, w, c], numClasses: data.classNames.length });
    model.compile({
      optimizer: options.lr === undefined ? options.optimizer : { name: options.optimizer, learningRate: options.lr },
      loss: 'sparseCategoricalCrossentropy',
      metrics: ['accuracy'],
    });
    return model;
  };
  console.log(`${options.folds}-fold cross-validation of ${options.model} on ${data.description} with the ${backend} backend`);
  const report = options.report !== undefined ? outOfFoldReport(data.classNames) : null;
  const result = await crossValidate(build, { data: x, shape: data.x.shape }, data.y, {
    folds: options.folds,
    stratified: options.stratified,
    fit: { epochs: options.epochs, batchSize: options.batchSize, verbose: 0 },
    evaluate: report ? report.scorer : { batchSize: 256 },
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    onFoldEnd: (f) =>
      console.log(
        `fold ${f.fold + 1}/${options.folds}: ${Object.entries(f.metrics)
          .map(([k, v]) => `${k} ${v.toFixed(4)}`)
          .join(', ')} (${f.seconds.toFixed(1)} s)`,
      ),
  });
  console.log(`\n${formatFolds(result)}`);
  if (options.out !== undefined) {
    const report = { model: options.model, data: data.description, k: options.folds, stratified: options.stratified, ...result };
    await atomicWriteBytes(join(options.out, 'cv.json'), `${JSON.stringify(report, null, 2)}\n`);
    await atomicWriteBytes(join(options.out, 'cv.csv'), csvOf(result));
    console.log(`Wrote ${join(options.out, 'cv.json')} and cv.csv (seed ${result.seed})`);
  }
  if (report) {
    const index = await report.write(options.report!, result.folds, [
      `Model: ${options.model}, ${options.folds}-fold${options.stratified ? ' stratified' : ''} cross-validation, ${options.epochs} epochs per fold, seed ${result.seed}`,
      `Data: ${data.description}`,
      `Backend: ${backend}`,
    ]);
    console.log(`Report written to ${index}`);
  }
}
