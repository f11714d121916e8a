// `convkit train`: builds a seed model, trains it with Keras-style progress, reports test accuracy, saves .keras.

import { buildSeedModel } from '../applications/seed-models.js';
import type { Callback } from '../callbacks/callback.js';
import { CSVLogger } from '../callbacks/csv-logger.js';
import { sliceBatch } from '../tensor.js';
import { setRandomSeed } from '../training/seed.js';
import { applyGlobalOptions, type GlobalOptions, loadNamedDataset } from './common.js';

export interface TrainOptions extends GlobalOptions {
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
}

export async function trainCommand(options: TrainOptions): Promise<void> {
  const backendName = applyGlobalOptions(options);
  if (options.seed !== undefined) setRandomSeed(options.seed);
  const data = await loadNamedDataset(options.dataset, options.dataDir);
  let { xTrain, yTrain } = data;
  if (options.limit !== undefined && options.limit < yTrain.length) {
    xTrain = sliceBatch(xTrain, 0, options.limit);
    yTrain = yTrain.slice(0, options.limit);
  }
  const [, h, w, c] = xTrain.shape as [number, number, number, number];
  const model = buildSeedModel(options.model, { inputShape: [h, w, c], numClasses: data.classNames.length });
  model.compile({
    optimizer: options.lr === undefined ? options.optimizer : { name: options.optimizer, learningRate: options.lr },
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  model.summary();
  console.log(`Training ${options.model} on ${options.dataset} (${yTrain.length} samples) with the ${backendName} backend`);
  const callbacks: Callback[] = options.csv ? [new CSVLogger(options.csv)] : [];
  const started = performance.now();
  await model.fit(
    xTrain,
    { data: yTrain, shape: [yTrain.length] },
    {
      epochs: options.epochs,
      batchSize: options.batchSize,
      validationSplit: options.validationSplit,
      callbacks,
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const result = await model.evaluate(
    data.xTest,
    { data: data.yTest, shape: [data.yTest.length] },
    { batchSize: 256, verbose: 0 },
  );
  console.log(`Training time: ${seconds.toFixed(1)} s`);
  console.log(`Test loss: ${result.loss!.toFixed(4)} - test accuracy: ${(100 * result.accuracy!).toFixed(2)}%`);
  await model.save(options.out);
  console.log(`Saved ${options.out}`);
}
