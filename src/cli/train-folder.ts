// `convkit train --data <dir>`: trains a seed model, or a model file (folder-model.ts), on photos in class
// subfolders (imageDatasetFromDirectory), pixels scaled by 1/255 as `convkit predict` scales them by default (not
// when the model starts with Rescaling), with an optional seeded validation split.

import type { Callback } from '../callbacks/callback.js';
import { CSVLogger } from '../callbacks/csv-logger.js';
import { imageDatasetFromDirectory } from '../datasets/image-directory.js';
import { invalid, ShapeError } from '../errors.js';
import type { Model } from '../models/model.js';
import { scaledDataset } from '../preprocessing/presets.js';
import { drawSeed, setRandomSeed } from '../training/seed.js';
import { applyGlobalOptions } from './common.js';
import { isModelFile, loadFolderModel, outputClasses, seedModelFor } from './folder-model.js';
import type { TrainOptions } from './train.js';

export async function trainOnFolder(options: TrainOptions & { data: string }, dashboard: Callback | null = null): Promise<void> {
  const backendName = applyGlobalOptions(options);
  if (options.seed !== undefined) setRandomSeed(options.seed);
  // A model file fixes the image size and colour mode (checked against the options) before any image is read.
  const fromFile = isModelFile(options.model) ? await loadFolderModel(options) : null;
  const imageSize = fromFile?.imageSize ?? options.imageSize ?? [256, 256];
  const common = {
    imageSize,
    batchSize: options.batchSize,
    colorMode: fromFile?.colorMode ?? options.colorMode ?? 'rgb',
    seed: options.seed ?? drawSeed(),
    strict: options.strict ?? false,
  };
  const [train, validation] =
    options.validationSplit > 0
      ? await imageDatasetFromDirectory(options.data, { ...common, validationSplit: options.validationSplit, subset: 'both' })
      : [await imageDatasetFromDirectory(options.data, common), null];
  const channels = train.imageShape[2];
  const classes = train.classNames.length;
  let model: Model;
  if (fromFile) {
    model = fromFile.model;
    const outputs = outputClasses(model, imageSize, channels);
    if (outputs !== classes) {
      throw new ShapeError(
        invalid(
          '--model',
          'classes',
          `a model with ${classes} outputs for the folder's classes (${train.classNames.join(', ')})`,
          `'${options.model}' with ${outputs}`,
          'Replace its classifier for these classes first (featureExtractor + addClassifier), or train a seed model.',
        ),
      );
    }
  } else model = seedModelFor(options.model, imageSize, channels, classes);
  const scale = options.scale ?? fromFile?.prescale ?? 1 / 255;
  const offset = options.offset ?? 0;
  const binary = model.computeOutputShape([null, imageSize[0], imageSize[1], channels]).at(-1) === 1;
  model.compile({
    optimizer: options.lr === undefined ? options.optimizer : { name: options.optimizer, learningRate: options.lr },
    loss: binary ? 'binaryCrossentropy' : 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  model.summary();
  const counts = Object.entries(train.classCounts)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  console.log(
    `Training ${options.model} on ${options.data} (${train.filePaths.length} images: ${counts}${validation ? `; ${validation.filePaths.length} for validation` : ''}) with the ${backendName} backend`,
  );
  const pixels =
    options.scale === undefined && options.offset === undefined
      ? scale === 1
        ? 'pixels 0-255 (the model starts with Rescaling)'
        : 'pixels scaled by 1/255'
      : `pixels * ${scale} + ${offset}`;
  console.log(`Images ${imageSize.join('x')} ${common.colorMode}, ${pixels}`);
  const callbacks: Callback[] = options.csv ? [new CSVLogger(options.csv)] : [];
  if (dashboard) callbacks.push(dashboard);
  const started = performance.now();
  const fitOptions = {
    epochs: options.epochs,
    callbacks,
    ...(validation ? { validationData: scaledDataset(validation, scale, offset) } : {}),
  };
  const history = await model.fit(scaledDataset(train, scale, offset), fitOptions);
  console.log(`Training time: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(`Classes (label order): ${train.classNames.join(', ')}`);
  await model.save(options.out);
  console.log(`Saved ${options.out}`);
  if (options.report !== undefined) {
    // The report evaluates on the validation images; without a split only the training images exist (said so).
    const { reportForModel } = await import('./report.js');
    const { imagesFromPaths } = await import('./evaluation-data.js');
    const evaluated = validation ?? train;
    const source = {
      data: scaledDataset(evaluated, scale, offset),
      classNames: train.classNames,
      loadImages: imagesFromPaths(model, { scale, offset }),
    };
    const index = await reportForModel(model, source, {
      out: options.report,
      batchSize: options.batchSize,
      history,
      meta: [
        `Model: ${options.model}, trained on ${options.data}, saved as ${options.out}`,
        validation
          ? `Data: the ${validation.filePaths.length} validation images of ${options.data}`
          : `Data: the training images of ${options.data} (no --validation-split: these numbers are optimistic)`,
        `Backend: ${backendName}`,
      ],
    });
    console.log(`Report written to ${index}`);
  }
}
