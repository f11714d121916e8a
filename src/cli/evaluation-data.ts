// Where `convkit evaluate` and `convkit report` get labelled images: a named dataset's test split (uint8, scaled by
// 1/255 as `convkit train` trains), or a folder of class subfolders decoded at the model's input size with predict's
// scaling or a --preprocess preset. Class names come from a labels file (--labels, or labels.txt beside the model, as
// Teachable Machine exports it), matched to the folder names so each folder feeds the model's own output index.
// Also how to fetch evaluated images again, for the report's pictures.

import { NormalizedBatches } from '../datasets/normalized-batches.js';
import { ConfigError, ShapeError } from '../errors.js';
import { labelsFileFor, readLabelsSync } from '../io/labels.js';
import type { Model } from '../models/model.js';
import {
  type LoadImagesOptions,
  loadImagesFor,
  type PreprocessName,
  preprocessing,
  scaledDataset,
} from '../preprocessing/presets.js';
import { formatShape, type Tensor } from '../tensor.js';
import { type Batch, type Dataset, rowsView } from '../training/data.js';
import { byteRows, checkPixelOptions, type LoadedDataset, loadNamedDataset } from './common.js';

export interface EvaluationDataOptions {
  dataset: string;
  dataDir?: string;
  /** A folder of class subfolders instead of the dataset. */
  data?: string;
  batchSize: number;
  /** The first N samples of a test split, a seeded random N of a folder. */
  limit?: number;
  /** With a folder: a preset, or scale/offset (default 1/255, 0). */
  preprocess?: string;
  scale?: number;
  offset?: number;
  /** A labels file; default labels.txt beside the model file, when there is one. */
  labels?: string;
}

export interface EvaluationData {
  data: Dataset;
  /** In the model's output order. */
  classNames: string[];
  /** 'fashion-mnist test split' or 'folder <dir>'. */
  description: string;
  /** What the user should know about how the data was read (which labels file, how folders map to classes). */
  notes: string[];
  /** The evaluated samples at these positions as the model takes them; `paths` are the evaluation's file paths. */
  loadImages: (indices: number[], paths?: string[]) => Promise<Tensor>;
}

/** The model's image input as [height, width, channels], or a clear error for other models. */
export function imageInput(model: Model, where: string): [number, number, number] {
  const shape = model.expectedInputShapes()[0] ?? [];
  if (shape.length !== 4 || shape.slice(1).some((d) => d === null)) {
    throw new ShapeError(
      `${where}: the model takes inputs of shape ${formatShape(shape)}. Expected an image model with inputs (N, H, W, C) of known size; only such models can be evaluated on images.`,
    );
  }
  return shape.slice(1) as [number, number, number];
}

/** The number of classes the model tells apart (2 for one sigmoid unit). */
export function modelClasses(model: Model): number {
  const units = model.outputs[0]?.shape.at(-1) ?? 0;
  return units === 1 ? 2 : units;
}

/** The first `limit` samples of a dataset (the last batch cut with rowsView, its paths kept). */
export function firstSamples(source: Dataset, limit: number, batchSize: number): Dataset {
  const batches = Math.ceil(limit / batchSize);
  return {
    length: source.length === undefined ? batches : Math.min(source.length, batches),
    async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
      let seen = 0;
      for await (const batch of source) {
        const x = batch.x as Tensor;
        const keep = Math.min(x.shape[0]!, limit - seen);
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

/** A folder or label name compared loosely: case ignored and a plural 's' dropped ('cats' is 'Cat'). */
const looseName = (name: string) => name.toLowerCase().replace(/s$/, '');

/**
 * The folder names in label order: each label matched to one folder, by exact name, else loosely. Null when the
 * names do not pair up one to one.
 */
export function foldersInLabelOrder(folders: string[], labels: string[]): string[] | null {
  if (folders.length !== labels.length) return null;
  const exact = labels.map((label) => folders.find((f) => f === label));
  const order = exact.every((f) => f !== undefined)
    ? exact
    : labels.map((label) => {
        const found = folders.filter((f) => looseName(f) === looseName(label));
        return found.length === 1 ? found[0] : undefined;
      });
  return order.every((f) => f !== undefined) && new Set(order).size === folders.length ? (order as string[]) : null;
}

function checkClassCount(names: string[], classes: number, where: string, hint: string): void {
  if (names.length !== classes) {
    throw new ConfigError(
      `${where}: ${names.length} class names (${names.slice(0, 6).join(', ')}${names.length > 6 ? ', ...' : ''}), but the model outputs ${classes === 2 ? '2 classes (or one sigmoid unit)' : `${classes} classes`}. Expected one name per output class. Hint: ${hint}`,
    );
  }
}

/** A folder of class subfolders as evaluation data; `labelsFile` names the classes and orders the folders. */
export async function folderData(
  model: Model,
  options: Omit<EvaluationDataOptions, 'dataset'> & { data: string },
  labelsFile: string | null,
): Promise<EvaluationData> {
  const [height, width, channels] = imageInput(model, '--data');
  const classes = modelClasses(model);
  const preset = options.preprocess
    ? preprocessing(options.preprocess, '--preprocess')
    : { keepAspectRatio: false, scale: options.scale ?? 1 / 255, offset: options.offset ?? 0 };
  const colorMode = channels === 1 ? 'grayscale' : channels === 4 ? 'rgba' : 'rgb';
  if ('colorMode' in preset && preset.colorMode !== undefined && preset.colorMode !== colorMode) {
    throw new ShapeError(
      `--preprocess ${options.preprocess}: the preset gives ${preset.colorMode} images, but the model takes ${channels} channel(s). Hint: choose the preset the model was trained with.`,
    );
  }
  const { imageDatasetFromDirectory } = await import('../datasets/image-directory.js');
  const read = (classNames?: string[]) =>
    imageDatasetFromDirectory(options.data, {
      imageSize: [height, width],
      colorMode,
      batchSize: options.batchSize,
      cropToAspectRatio: preset.keepAspectRatio,
      ...(classNames ? { classNames } : {}),
      // --limit takes a seeded random sample, so it holds every class (the sorted list starts with one class's files).
      shuffle: options.limit !== undefined,
      seed: 1337,
    });
  let folder = await read();
  const notes: string[] = [];
  let classNames = folder.classNames;
  if (labelsFile) {
    const labels = readLabelsSync(labelsFile, '--labels');
    checkClassCount(labels, classes, `--labels ${labelsFile}`, 'give the labels file saved with this model (--labels).');
    const order = foldersInLabelOrder(folder.classNames, labels);
    if (!order) {
      throw new ConfigError(
        `--data: the class folders of ${options.data} (${folder.classNames.join(', ')}) do not match the class names in ${labelsFile} (${labels.join(', ')}). Expected one subfolder per class, named as the labels (case and a plural 's' aside). Hint: rename the folders, or give --labels with a file listing the folder names in the model's output order.`,
      );
    }
    if (order.some((name, i) => name !== folder.classNames[i])) folder = await read(order);
    classNames = labels;
    const paired = order.map((f, i) => (f === labels[i] ? f : `${f} -> ${labels[i]}`)).join(', ');
    notes.push(`Class names from ${labelsFile} (folders in model output order: ${paired})`);
  } else if (folder.classNames.length !== classes) {
    const units = model.outputs[0]?.shape.at(-1) ?? 0;
    throw new ConfigError(
      `--data: ${options.data} has ${folder.classNames.length} class folders (${folder.classNames.join(', ')}), but the model outputs ${units === 1 ? '1 unit (binary: 2 classes)' : `${units} classes`}. Hint: evaluate on a folder with one subfolder per class the model was trained on.`,
    );
  }
  const scaled = scaledDataset(folder, preset.scale, preset.offset);
  const data = options.limit !== undefined ? firstSamples(scaled, options.limit, options.batchSize) : scaled;
  const load: LoadImagesOptions = options.preprocess
    ? { preprocess: options.preprocess as PreprocessName }
    : { scale: preset.scale, offset: preset.offset };
  return { data, classNames, description: `folder ${options.data}`, notes, loadImages: imagesFromPaths(model, load) };
}

/** Evaluated images read again from their files (the evaluation's paths), prepared as `load` says. */
export function imagesFromPaths(model: Model, load: LoadImagesOptions): EvaluationData['loadImages'] {
  return async (indices, paths) => {
    if (!paths) throw new ConfigError('report: the evaluation kept no file paths to draw its images from.');
    return loadImagesFor(
      model,
      indices.map((i) => paths[i]!),
      load,
    );
  };
}

/** A named dataset's test split (already loaded) as evaluation data, the first `limit` samples. */
export function testSplitData(
  model: Model,
  named: LoadedDataset,
  options: Pick<EvaluationDataOptions, 'dataset' | 'batchSize' | 'limit'>,
  labelsFile: string | null,
): EvaluationData {
  const [height, width, channels] = imageInput(model, '--dataset');
  const { xTest, yTest } = named;
  const size = height * width * channels;
  const sample = xTest.data.length / Math.max(yTest.shape[0]!, 1);
  if (size !== sample) {
    throw new ShapeError(
      `--dataset ${options.dataset}: its images have ${sample} values each, but the model takes ${formatShape([null, height, width, channels])}. Hint: evaluate this model on its own images with --data <folder>.`,
    );
  }
  const count = Math.min(options.limit ?? Number.POSITIVE_INFINITY, yTest.shape[0]!);
  const notes: string[] = [];
  let classNames = named.classNames;
  if (labelsFile) {
    classNames = readLabelsSync(labelsFile, '--labels');
    checkClassCount(classNames, named.classNames.length, `--labels ${labelsFile}`, `${options.dataset} has 10 classes.`);
    notes.push(`Class names from ${labelsFile}`);
  }
  const loadImages = async (indices: number[]) => {
    const out = new Float32Array(indices.length * size);
    indices.forEach((i, k) => {
      for (let j = 0; j < size; j++) out[k * size + j] = xTest.data[i * size + j]! / 255;
    });
    return { data: out, shape: [indices.length, height, width, channels] };
  };
  return {
    data: new NormalizedBatches(byteRows(xTest, 0, count), byteRows(yTest, 0, count), options.batchSize, false),
    classNames,
    description: `${options.dataset} test split`,
    notes,
    loadImages,
  };
}

/**
 * The labelled data to evaluate `model` (loaded from `modelPath`) on, from the CLI's options. Preset and scaling
 * conflicts are refused before any image is read.
 */
export async function evaluationData(model: Model, modelPath: string, options: EvaluationDataOptions): Promise<EvaluationData> {
  checkPixelOptions(options);
  const labelsFile = labelsFileFor(modelPath, options.labels);
  return options.data !== undefined
    ? folderData(model, { ...options, data: options.data }, labelsFile)
    : testSplitData(model, await loadNamedDataset(options.dataset, options.dataDir), options, labelsFile);
}
