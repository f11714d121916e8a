// `convkit finetune`: parses nothing of its own; hands the options to the library's fineTune() and prints its
// result, ending with the line `validation accuracy: NN.NN%`.

import { fineTune } from '../fine-tuning/fine-tune-folder.js';
import { checkWritable } from '../io/file-checks.js';
import { writeLabels } from '../io/labels.js';
import type { PreprocessName } from '../preprocessing/presets.js';
import { applyGlobalOptions, type GlobalOptions } from './common.js';

export interface FinetuneCommandOptions extends GlobalOptions {
  base: string;
  data: string;
  replaceHead?: boolean;
  featureLayer?: string;
  unfreeze: number;
  unfreezeLayers?: string;
  lr: number;
  epochs: number;
  batchSize: number;
  seed?: number;
  imageSize?: [number, number];
  preprocess: string;
  augment?: string;
  out: string;
  labelsOut?: string;
  cache?: boolean;
}

const percent = (x: number) => `${(100 * x).toFixed(2)}%`;

export async function finetuneCommand(options: FinetuneCommandOptions): Promise<void> {
  const backendName = applyGlobalOptions(options);
  if (options.labelsOut) checkWritable(options.labelsOut, '--labels-out');
  console.log(`Fine-tuning ${options.base} on ${options.data} with the ${backendName} backend`);
  const result = await fineTune({
    base: options.base,
    data: options.data,
    replaceHead: options.replaceHead ?? false,
    ...(options.featureLayer !== undefined ? { featureLayer: options.featureLayer } : {}),
    unfreeze: options.unfreeze,
    ...(options.unfreezeLayers !== undefined ? { unfreezeNames: options.unfreezeLayers.split(',').map((s) => s.trim()) } : {}),
    learningRate: options.lr,
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
}
