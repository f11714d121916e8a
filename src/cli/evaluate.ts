// `convkit evaluate`: loads a saved model and evaluates it as a classifier (evaluateClassifier) on a dataset's test
// split or on a folder of class subfolders: loss, accuracy, confusion matrix, classification report, most-confused
// pairs, top losses. With --json only one line is printed: the result as one JSON object.

import { NormalizedBatches } from '../datasets/normalized-batches.js';
import { ConfigError } from '../errors.js';
import { type ClassifierEvaluation, evaluateClassifier } from '../evaluation/evaluate-classifier.js';
import { loadModel } from '../io/load-model.js';
import type { Model } from '../models/model.js';
import type { Tensor } from '../tensor.js';
import { type Batch, type Dataset, rowsView } from '../training/data.js';
import { applyGlobalOptions, byteRows, type GlobalOptions, loadNamedDataset } from './common.js';

export interface EvaluateOptions extends GlobalOptions {
  dataset: string;
  dataDir?: string;
  /** A folder of class subfolders to evaluate on instead of --dataset. */
  data?: string;
  batchSize: number;
  json?: boolean;
  topK: number;
  threshold: number;
  /** Evaluate on N samples only: the first N of a dataset's test split, a seeded random N of a folder. */
  limit?: number;
  /** With --data: pixel multiplier (default 1/255) and offset (default 0), as `convkit predict`. */
  scale?: number;
  offset?: number;
}

/** The folder's batches with pixels mapped by x * scale + offset (each batch is a fresh buffer, so in place). */
function rescaled(source: AsyncIterable<Batch> & { length: number }, scale: number, offset: number, limit: number): Dataset {
  return {
    length: source.length,
    async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
      let seen = 0;
      for await (const batch of source) {
        const x = batch.x as Tensor;
        const keep = Math.min(x.shape[0]!, limit - seen);
        for (let i = 0; i < x.data.length; i++) x.data[i] = x.data[i]! * scale + offset;
        seen += keep;
        if (keep === x.shape[0]) yield batch;
        else {
          const paths = batch.paths?.slice(0, keep);
          yield { x: rowsView(x, 0, keep), y: rowsView(batch.y, 0, keep), ...(paths ? { paths } : {}) };
        }
        if (seen >= limit) return;
      }
    },
  };
}

/** The model's image input as [height, width, channels], or a clear error for other models. */
function imageInput(model: Model): [number, number, number] {
  const shape = model.expectedInputShapes()[0] ?? [];
  if (shape.length !== 4 || shape.slice(1).some((d) => d === null)) {
    throw new ConfigError(
      `evaluate --data: the model takes inputs of shape ${JSON.stringify(shape)}; only image models (N, H, W, C) can read an image folder.`,
    );
  }
  return shape.slice(1) as [number, number, number];
}

async function folderData(model: Model, options: EvaluateOptions & { data: string }) {
  const { imageDatasetFromDirectory } = await import('../datasets/image-directory.js');
  const [height, width, channels] = imageInput(model);
  const colorMode = channels === 1 ? 'grayscale' : channels === 4 ? 'rgba' : 'rgb';
  const folder = await imageDatasetFromDirectory(options.data, {
    imageSize: [height, width],
    colorMode,
    batchSize: options.batchSize,
    // --limit takes a seeded random sample, so it holds every class (the sorted list starts with one class's files).
    shuffle: options.limit !== undefined,
    seed: 1337,
  });
  const units = model.outputs[0]?.shape.at(-1) ?? 0;
  const expected = units === 1 ? 2 : units;
  if (folder.classNames.length !== expected) {
    throw new ConfigError(
      `evaluate --data: ${options.data} has ${folder.classNames.length} class folders (${folder.classNames.join(', ')}), but the model outputs ${units === 1 ? '1 unit (binary: 2 classes)' : `${units} classes`}. Hint: evaluate on a folder with one subfolder per class the model was trained on.`,
    );
  }
  const scale = options.scale ?? 1 / 255;
  const data = rescaled(folder, scale, options.offset ?? 0, options.limit ?? Number.POSITIVE_INFINITY);
  return { data, classNames: folder.classNames };
}

/** The JSON form: everything but the per-sample arrays (those are for plots, not for a terminal). */
export function evaluationJson(result: ClassifierEvaluation): Record<string, unknown> {
  const { predictions: _predictions, ...rest } = result;
  return rest;
}

export async function evaluateCommand(modelPath: string, options: EvaluateOptions): Promise<void> {
  applyGlobalOptions(options);
  const model = await loadModel(modelPath);
  let data: Dataset;
  let classNames: string[];
  if (options.data !== undefined) {
    ({ data, classNames } = await folderData(model, { ...options, data: options.data }));
  } else {
    const named = await loadNamedDataset(options.dataset, options.dataDir);
    const count = Math.min(options.limit ?? Number.POSITIVE_INFINITY, named.yTest.shape[0]!);
    data = new NormalizedBatches(byteRows(named.xTest, 0, count), byteRows(named.yTest, 0, count), options.batchSize, false);
    classNames = named.classNames;
  }
  const units = model.outputs[0]?.shape.at(-1);
  if (units === 1 && classNames.length !== 2) {
    throw new ConfigError(
      `evaluate: the model has one sigmoid output (binary), but --dataset ${options.dataset} has ${classNames.length} classes.`,
    );
  }
  const result = await evaluateClassifier(model, data, {
    classNames,
    batchSize: options.batchSize,
    topK: options.topK,
    threshold: options.threshold,
    print: !options.json,
  });
  if (options.json) console.log(JSON.stringify(evaluationJson(result)));
}
