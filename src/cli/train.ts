// `convkit train`: builds a seed model, trains it with Keras-style progress, reports test accuracy, saves .keras.

import { buildSeedModel } from '../applications/seed-models.js';
import type { Callback } from '../callbacks/callback.js';
import { CSVLogger } from '../callbacks/csv-logger.js';
import { NormalizedBatches } from '../datasets/normalized-batches.js';
import { checkWritable } from '../io/file-checks.js';
import { checkReportDir } from '../report/report-dir.js';
import { validationSplitAt } from '../training/data-checks.js';
import { setRandomSeed } from '../training/seed.js';
import { applyGlobalOptions, byteRows, type GlobalOptions, loadNamedDataset } from './common.js';
import { type DashboardFlags, dashboardFor, holdDashboard } from './dashboard-option.js';

export interface TrainOptions extends GlobalOptions, DashboardFlags {
  dataset: string;
  dataDir?: string;
  model: string;
  epochs: number;
  batchSize: number;
  validationSplit: number;
  lr?: number;
  optimizer: string;
  seed?: number;
  out: string;
  csv?: string;
  limit?: number;
  /** A folder of class subfolders to train on instead of --dataset. */
  data?: string;
  imageSize?: [number, number];
  colorMode?: 'grayscale' | 'rgb' | 'rgba';
  /** With --data: fail on an unreadable image instead of skipping it. */
  strict?: boolean;
  /** With --data: pixel = pixel * scale + offset before the model. */
  scale?: number;
  offset?: number;
  /** Write the HTML evaluation report into this folder after training. */
  report?: string;
}

export async function trainCommand(options: TrainOptions): Promise<void> {
  // Output paths are checked before the data is read and the model trained, so no work is lost at the end.
  checkWritable(options.out, '--out', ['.keras']);
  if (options.csv !== undefined) checkWritable(options.csv, '--csv');
  if (options.report !== undefined) checkReportDir(options.report, '--report');
  const dashboard = await dashboardFor(options, `${options.model} on ${options.data ?? options.dataset}`);
  try {
    if (options.data !== undefined) {
      const { trainOnFolder } = await import('./train-folder.js');
      await trainOnFolder({ ...options, data: options.data }, dashboard);
    } else await trainOnDataset(options, dashboard);
    await holdDashboard(dashboard);
  } finally {
    await dashboard?.close();
  }
}

async function trainOnDataset(options: TrainOptions, dashboard: Callback | null): Promise<void> {
  const backendName = applyGlobalOptions(options);
  if (options.seed !== undefined) setRandomSeed(options.seed);
  const data = await loadNamedDataset(options.dataset, options.dataDir);
  const count = Math.min(options.limit ?? Number.POSITIVE_INFINITY, data.yTrain.shape[0]!);
  // The images stay uint8 and are scaled batch by batch: a float32 copy of MNIST would add 188 MB.
  // --validation-split holds out the last rows before shuffling, as Keras's validation_split does.
  const at = options.validationSplit > 0 ? validationSplitAt('train', count, options.validationSplit) : count;
  const train = new NormalizedBatches(byteRows(data.xTrain, 0, at), byteRows(data.yTrain, 0, at), options.batchSize);
  const validation =
    at < count
      ? new NormalizedBatches(byteRows(data.xTrain, at, count), byteRows(data.yTrain, at, count), options.batchSize, false)
      : null;
  const [, h, w] = data.xTrain.shape as [number, number, number];
  const c = data.xTrain.shape[3] ?? 1;
  const model = buildSeedModel(options.model, { inputShape: [h, w, c], numClasses: data.classNames.length });
  model.compile({
    optimizer: options.lr === undefined ? options.optimizer : { name: options.optimizer, learningRate: options.lr },
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  model.summary();
  console.log(`Training ${options.model} on ${options.dataset} (${count} samples) with the ${backendName} backend`);
  const callbacks: Callback[] = options.csv ? [new CSVLogger(options.csv)] : [];
  if (dashboard) callbacks.push(dashboard);
  const started = performance.now();
  const history = await model.fit(train, {
    epochs: options.epochs,
    callbacks,
    ...(validation ? { validationData: validation } : {}),
  });
  const seconds = (performance.now() - started) / 1000;
  const result = await model.evaluate(new NormalizedBatches(data.xTest, data.yTest, 256, false), { verbose: 0 });
  console.log(`Training time: ${seconds.toFixed(1)} s`);
  const [loss, accuracy] = result as number[];
  console.log(`Test loss: ${loss!.toFixed(4)} - test accuracy: ${(100 * accuracy!).toFixed(2)}%`);
  await model.save(options.out);
  console.log(`Saved ${options.out}`);
  if (options.report !== undefined) {
    const { reportForModel } = await import('./report.js');
    const { testSplitData } = await import('./evaluation-data.js');
    const index = await reportForModel(model, testSplitData(model, data, { dataset: options.dataset, batchSize: 256 }, null), {
      out: options.report,
      batchSize: 256,
      history,
      meta: [
        `Model: ${options.model}, trained on ${options.dataset} (${count} samples, ${options.epochs} epochs), saved as ${options.out}`,
        `Data: ${options.dataset} test split`,
        `Backend: ${backendName}`,
      ],
    });
    console.log(`Report written to ${index}`);
  }
}
