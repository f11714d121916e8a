// fineTune: seed 004's notebook as one call. Loads a pretrained base (a Keras/Teachable Machine file or a Model),
// flattens it, keeps or replaces its head (a new Dense softmax over the class folders), puts augmentation layers
// after the input, freezes everything, unfreezes the last N layers (Keras's count) or named ones, compiles Adam at a
// small learning rate, and trains on <data>/train with EarlyStopping, ReduceLROnPlateau and ModelCheckpoint (best
// only), validating on <data>/validation; the best checkpoint is reloaded and its validation accuracy returned.
// With headEpochs, Keras's transfer-learning recipe runs first: the new head alone, at a larger learning rate.
// Node only. Not here: class weights, mixed precision, test-time augmentation.

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Callback } from '../callbacks/callback.js';
import { EarlyStopping } from '../callbacks/early-stopping.js';
import { ModelCheckpoint } from '../callbacks/model-checkpoint.js';
import { ReduceLROnPlateau } from '../callbacks/reduce-lr-on-plateau.js';
import { type ImageDirectoryDataset, imageDatasetFromDirectory } from '../datasets/image-directory.js';
import { ConfigError, invalid, NotFoundError, ShapeError } from '../errors.js';
import { checkWritable } from '../io/file-checks.js';
import { loadModel } from '../io/load-model.js';
import { BatchNormalization } from '../layers/batch-normalization.js';
import type { Layer } from '../layers/layer.js';
import { Input } from '../models/input.js';
import { Model } from '../models/model.js';
import { checkOptions } from '../options.js';
import { type PreprocessName, preprocessing, scaledDataset } from '../preprocessing/presets.js';
import { History } from '../training/history.js';
import { Adam } from '../training/optimizers/adam.js';
import { drawSeed, setRandomSeed } from '../training/seed.js';
import { parseAugmentation } from './augmentation-spec.js';
import { freeze, unfreeze } from './freezing.js';
import { addClassifier, featureExtractor, flattenModel, inlineModel } from './surgery.js';

export interface FineTuneOptions {
  /** The pretrained model: a file `loadModel` reads, or a Model. */
  base: string | Model;
  /** A folder with train/ and validation/ (each one subfolder per class); test/ is optional. */
  data: string;
  /** Replace the classifier with a new Dense softmax over the class folders (default false: keep the base's head). */
  replaceHead?: boolean;
  /** With replaceHead: the last layer of the base to keep (default: the one before its Dense head). */
  featureLayer?: string;
  /** Unfreeze the last N layers of the flattened model, as Keras counts model.layers (default 5, seed 004). */
  unfreeze?: number;
  /** Also unfreeze these layers by name. */
  unfreezeNames?: string[];
  /** Adam's learning rate (default 1e-5, seed 004). */
  learningRate?: number;
  /**
   * With replaceHead: first train only the new classifier (everything else frozen) for this many epochs at
   * headLearningRate, then unfreeze as asked and train `epochs` more at learningRate (default 0: no head phase).
   * A random head trained at 1e-5 learns too slowly, and at a large rate it would wreck the unfrozen layers.
   */
  headEpochs?: number;
  /** Adam's learning rate for the head phase (default 1e-3). */
  headLearningRate?: number;
  /**
   * Keep BatchNormalization layers frozen (inference mode, moving statistics) even among the unfrozen layers, as
   * Keras's fine-tuning guide does (default false: seed 004 unfreezes them, so they train on batch statistics).
   */
  freezeBatchNorm?: boolean;
  epochs?: number;
  batchSize?: number;
  seed?: number;
  /** [height, width]; must equal the base's input size (default: the base's). */
  imageSize?: [number, number];
  /** How pixels are prepared (default 'teachable-machine': centre crop, x / 127.5 - 1). */
  preprocess?: PreprocessName;
  /** Augmentation: a spec ('flip,rotation=0.1,zoom=0.1') or layers; default none. */
  augment?: string | Layer[];
  /** Where the best model (highest val_accuracy) is saved: .keras, or a Keras 2 style .h5 as seed 004 saves. */
  out: string;
  /** EarlyStopping patience on val_loss (default 5) and ReduceLROnPlateau patience on val_accuracy (default 3, factor 0.5). */
  earlyStoppingPatience?: number;
  reduceLrPatience?: number;
  /** Keep decoded images in memory after the first epoch (faster epochs, height x width x 3 bytes per image). */
  cache?: boolean;
  verbose?: 0 | 1 | 2;
  /** Extra callbacks, after the three of seed 004. */
  callbacks?: Callback[];
}

const KEYS = [
  'base',
  'data',
  'replaceHead',
  'featureLayer',
  'unfreeze',
  'unfreezeNames',
  'learningRate',
  'headEpochs',
  'headLearningRate',
  'freezeBatchNorm',
  'epochs',
  'batchSize',
  'seed',
  'imageSize',
  'preprocess',
  'augment',
  'out',
  'earlyStoppingPatience',
  'reduceLrPatience',
  'cache',
  'verbose',
  'callbacks',
];

export interface FineTuneResult {
  /** The best model (reloaded from `out`). */
  model: Model;
  history: History;
  classNames: string[];
  /** Accuracy of the best model on validation/, in [0, 1]. */
  validationAccuracy: number;
  /** Accuracy on test/ when the folder has one, else null. */
  testAccuracy: number | null;
  /** Epochs run, the head phase's included. */
  epochs: number;
  secondsPerEpoch: number;
}

const WHERE = 'fineTune';

function subfolder(data: string, name: string, required: boolean): string | null {
  const path = join(data, name);
  if (existsSync(path) && statSync(path).isDirectory()) return path;
  if (!required) return null;
  throw new NotFoundError(
    invalid(
      WHERE,
      'data',
      `a folder with ${name}/ inside (train/ and validation/, each with one subfolder per class)`,
      data,
      `Missing: ${path}. convkit split makes such folders.`,
    ),
  );
}

function positiveRate(key: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && value > 0 && Number.isFinite(value)))
    throw new ConfigError(invalid(WHERE, key, 'a positive number', value));
  return value;
}

function positiveInt(key: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < min)
    throw new ConfigError(invalid(WHERE, key, `an integer >= ${min}`, value));
  return value as number;
}

/** The model to train: the base (flattened) with augmentation after its input, and its head kept or replaced. */
function assemble(base: Model, options: FineTuneOptions, augmentation: Layer[], classes: number): Model {
  const flat = options.replaceHead
    ? addClassifier(featureExtractor(base, options.featureLayer !== undefined ? { upTo: options.featureLayer } : {}), classes)
    : flattenModel(base);
  const units = flat.outputs[0]!.shape[flat.outputs[0]!.shape.length - 1];
  if (units !== classes) {
    throw new ShapeError(
      `${WHERE}: the base's head outputs ${units} classes, but ${options.data} has ${classes} class folders. Expected equal counts. Hint: replaceHead (--replace-head) puts a new classifier over the folders' classes.`,
    );
  }
  if (augmentation.length === 0) return flat;
  const input = Input({ batchShape: flat.inputs[0]!.shape });
  let x = input;
  for (const layer of augmentation) x = layer.apply(x);
  return new Model(input, inlineModel(flat, [x]), { name: flat.name });
}

/** One History of two consecutive fits (the second started at the first's last epoch + 1). */
function joinHistories(first: History, second: History): History {
  const joined = new History();
  joined.epoch = [...first.epoch, ...second.epoch];
  for (const key of new Set([...Object.keys(first.history), ...Object.keys(second.history)])) {
    joined.history[key] = [...(first.history[key] ?? []), ...(second.history[key] ?? [])];
  }
  return joined;
}

/**
 * Fine-tunes a pretrained image classifier on a folder of photos, as seed 004 does (see the file comment).
 * @example const { validationAccuracy } = await fineTune({ base: 'keras_model.h5', data: 'cats-dogs', replaceHead: true, out: 'best.keras' });
 */
export async function fineTune(rawOptions: FineTuneOptions): Promise<FineTuneResult> {
  const options = checkOptions<FineTuneOptions>(WHERE, rawOptions, KEYS);
  if (typeof options.data !== 'string') throw new ConfigError(invalid(WHERE, 'data', 'a folder path', options.data));
  if (typeof options.out !== 'string' || options.out === '' || options.out.endsWith('.weights.h5')) {
    throw new ConfigError(
      invalid(WHERE, 'out', "a model path ending in '.keras' or '.h5' (a whole model, not weights only)", options.out),
    );
  }
  checkWritable(options.out, `${WHERE} (out)`, ['.keras', '.h5']);
  const epochs = positiveInt('epochs', options.epochs, 10);
  const batchSize = positiveInt('batchSize', options.batchSize, 32);
  const unfreezeLast = positiveInt('unfreeze', options.unfreeze, 5, 0);
  const learningRate = positiveRate('learningRate', options.learningRate, 1e-5);
  const headEpochs = positiveInt('headEpochs', options.headEpochs, 0, 0);
  const headLearningRate = positiveRate('headLearningRate', options.headLearningRate, 1e-3);
  if (headEpochs > 0 && !options.replaceHead) {
    throw new ConfigError(
      invalid(
        WHERE,
        'headEpochs',
        '0 unless replaceHead is set',
        headEpochs,
        'A kept head is trained already; pass replaceHead (--replace-head) for a new one.',
      ),
    );
  }
  const preset = preprocessing(options.preprocess ?? 'teachable-machine', WHERE);
  const valueRange: [number, number] = [preset.offset, 255 * preset.scale + preset.offset];
  const augmentation =
    typeof options.augment === 'string' || options.augment === undefined
      ? parseAugmentation(options.augment ?? '', valueRange, WHERE)
      : options.augment;
  const trainDir = subfolder(options.data, 'train', true)!;
  const validationDir = subfolder(options.data, 'validation', true)!;
  const testDir = subfolder(options.data, 'test', false);
  const seed = options.seed ?? drawSeed();
  setRandomSeed(seed);

  const base = typeof options.base === 'string' ? await loadModel(options.base, { compile: false }) : options.base;
  if (!(base instanceof Model)) throw new ConfigError(invalid(WHERE, 'base', 'a model file path or a Model', options.base));
  const [, height, width, channels] = base.expectedInputShapes()[0] ?? [];
  if (typeof height !== 'number' || typeof width !== 'number' || typeof channels !== 'number') {
    throw new ShapeError(
      invalid(WHERE, 'base', 'an image model with inputs (N, H, W, C) of known size', base.expectedInputShapes()[0]),
    );
  }
  const imageSize = options.imageSize ?? [height, width];
  if (imageSize[0] !== height || imageSize[1] !== width) {
    throw new ShapeError(
      invalid(
        WHERE,
        'imageSize',
        `the base's input size [${height}, ${width}]`,
        imageSize,
        'The pretrained layers are built for that size.',
      ),
    );
  }
  const colorMode = channels === 1 ? 'grayscale' : 'rgb';
  const common = { imageSize, batchSize, colorMode, cropToAspectRatio: preset.keepAspectRatio, labelMode: 'int' } as const;
  const train = await imageDatasetFromDirectory(trainDir, { ...common, seed });
  const classNames = train.classNames;
  const folder = (dir: string) => imageDatasetFromDirectory(dir, { ...common, shuffle: false, classNames });
  const validation = await folder(validationDir);
  const test = testDir ? await folder(testDir) : null;
  if (options.cache) for (const ds of [train, validation, test]) ds?.cache();
  const scaled = (ds: ImageDirectoryDataset) => scaledDataset(ds, preset.scale, preset.offset);

  const model = assemble(base, options, augmentation, classNames.length);
  freeze(model);
  unfreeze(model, { last: unfreezeLast, ...(options.unfreezeNames ? { names: options.unfreezeNames } : {}) });
  if (options.freezeBatchNorm) for (const layer of model.layers) if (layer instanceof BatchNormalization) layer.trainable = false;
  if (model.trainableWeights.length === 0) {
    throw new ConfigError(
      invalid(
        WHERE,
        'unfreeze',
        'layers with weights among the unfrozen ones',
        unfreezeLast,
        'Unfreeze more layers (they include ReLU and pooling layers, which have no weights).',
      ),
    );
  }
  const verbose = options.verbose ?? 1;
  const fitPhase = async (rate: number, from: number, to: number, bestSoFar: number | null) => {
    model.compile({ optimizer: new Adam(rate), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const checkpoint = {
      monitor: 'val_accuracy',
      saveBestOnly: true,
      initialValueThreshold: bestSoFar,
      verbose: verbose ? 1 : 0,
    } as const;
    const callbacks: Callback[] = [
      new EarlyStopping('val_loss', { patience: options.earlyStoppingPatience ?? 5, verbose: verbose ? 1 : 0 }),
      new ReduceLROnPlateau('val_accuracy', { factor: 0.5, patience: options.reduceLrPatience ?? 3, verbose: verbose ? 1 : 0 }),
      new ModelCheckpoint(options.out, checkpoint),
      ...(options.callbacks ?? []),
    ];
    return model.fit(scaled(train), { epochs: to, initialEpoch: from, validationData: scaled(validation), callbacks, verbose });
  };
  const started = performance.now();
  let headHistory: History | null = null;
  if (headEpochs > 0) {
    // The head phase: only the new classifier trains; the unfrozen layers wait for the second phase.
    const unfrozen = model.layers.filter((layer) => layer.trainable);
    const headLayers = model.layers.slice(-1); // addClassifier's new Dense
    for (const layer of model.layers) layer.trainable = headLayers.includes(layer);
    if (verbose)
      console.log(
        `Training the new head (${headLayers.map((l) => l.name).join(', ')}) for ${headEpochs} epochs at learning rate ${headLearningRate}`,
      );
    headHistory = await fitPhase(headLearningRate, 0, headEpochs, null);
    for (const layer of model.layers) layer.trainable = unfrozen.includes(layer);
    if (verbose) console.log(`Fine-tuning ${unfrozen.length} layers at learning rate ${learningRate}`);
  }
  const headRan = headHistory?.epoch.length ?? 0;
  const bestOfHead = headHistory ? Math.max(...(headHistory.history.val_accuracy ?? [Number.NEGATIVE_INFINITY])) : null;
  const tuned = await fitPhase(learningRate, headRan, headRan + epochs, bestOfHead);
  const history = headHistory ? joinHistories(headHistory, tuned) : tuned;
  const ran = history.epoch.length;
  const secondsPerEpoch = (performance.now() - started) / 1000 / Math.max(ran, 1);
  const best = await loadModel(options.out, { compile: false });
  best.compile({ optimizer: new Adam(learningRate), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const accuracyOf = async (ds: ImageDirectoryDataset) =>
    ((await best.evaluate(scaled(ds), { verbose: 0, returnDict: true })) as Record<string, number>).accuracy!;
  return {
    model: best,
    history,
    classNames,
    validationAccuracy: await accuracyOf(validation),
    testAccuracy: test ? await accuracyOf(test) : null,
    epochs: ran,
    secondsPerEpoch,
  };
}
