// `convkit train --data <dir>`: trains a seed model on photos in class subfolders (imageDatasetFromDirectory),
// pixels scaled by 1/255 as `convkit predict` scales them by default, with an optional seeded validation split.

import { buildSeedModel } from '../applications/seed-models.js';
import type { Callback } from '../callbacks/callback.js';
import { CSVLogger } from '../callbacks/csv-logger.js';
import { type ImageDirectoryDataset, imageDatasetFromDirectory } from '../datasets/image-directory.js';
import type { Batch, Dataset } from '../training/data.js';
import { drawSeed, setRandomSeed } from '../training/seed.js';
import { applyGlobalOptions } from './common.js';
import type { TrainOptions } from './train.js';

/** The folder's batches with pixels scaled into [0, 1] (each batch is a fresh buffer, so in place). */
function scaled(source: ImageDirectoryDataset): Dataset {
  return {
    length: source.length,
    async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
      for await (const batch of source) {
        const x = batch.x as { data: Float32Array };
        for (let i = 0; i < x.data.length; i++) x.data[i] = x.data[i]! / 255;
        yield batch;
      }
    },
  };
}

export async function trainOnFolder(options: TrainOptions & { data: string; imageSize: [number, number] }): Promise<void> {
  const backendName = applyGlobalOptions(options);
  if (options.seed !== undefined) setRandomSeed(options.seed);
  const common = {
    imageSize: options.imageSize,
    batchSize: options.batchSize,
    colorMode: options.colorMode ?? 'rgb',
    seed: options.seed ?? drawSeed(),
    strict: options.strict ?? false,
  };
  const [train, validation] =
    options.validationSplit > 0
      ? await imageDatasetFromDirectory(options.data, { ...common, validationSplit: options.validationSplit, subset: 'both' })
      : [await imageDatasetFromDirectory(options.data, common), null];
  const channels = train.imageShape[2];
  const model = buildSeedModel(options.model, {
    inputShape: [options.imageSize[0], options.imageSize[1], channels],
    numClasses: train.classNames.length,
  });
  model.compile({
    optimizer: options.lr === undefined ? options.optimizer : { name: options.optimizer, learningRate: options.lr },
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  model.summary();
  const counts = Object.entries(train.classCounts)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  console.log(
    `Training ${options.model} on ${options.data} (${train.filePaths.length} images: ${counts}${validation ? `; ${validation.filePaths.length} for validation` : ''}) with the ${backendName} backend`,
  );
  const callbacks: Callback[] = options.csv ? [new CSVLogger(options.csv)] : [];
  const started = performance.now();
  const fitOptions = { epochs: options.epochs, callbacks, ...(validation ? { validationData: scaled(validation) } : {}) };
  await model.fit(scaled(train), fitOptions);
  console.log(`Training time: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(`Classes (label order): ${train.classNames.join(', ')}`);
  await model.save(options.out);
  console.log(`Saved ${options.out}`);
}
