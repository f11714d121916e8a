// What the Keras Applications builders share (Keras's imagenet_utils): checking their common arguments, the input
// shape rule (obtain_input_shape), the optional pooling / classifier top, preprocessInput in 'tf' mode
// (x / 127.5 - 1), and loading weights from a file path or from Keras's release files ('imagenet', downloaded once
// into the cache by utils.getFile). Browser-safe: file access is imported only when weights are loaded.

import { ConfigError, invalid } from '../errors.js';
import { GlobalAveragePooling2D, GlobalMaxPooling2D } from '../layers/global-pooling2d.js';
import { Input, SymbolicTensor, shapeCompatible } from '../models/input.js';
import type { Model } from '../models/model.js';
import { formatShape, type Tensor } from '../tensor.js';

/** The arguments every Keras application builder takes. */
export interface ApplicationOptions {
  /** [height, width, 3]. Default [224, 224, 3]; with includeTop and 'imagenet' weights it must be a released size. */
  inputShape?: [number, number, number];
  /** Whether to add the ImageNet classifier (default true). */
  includeTop?: boolean;
  /** null (random initialisation), 'imagenet' (Keras's release file, downloaded to the cache) or a weights file path. Default 'imagenet'. */
  weights?: string | null;
  /** A symbolic tensor (from `Input()`) to build the model on, instead of a new Input. */
  inputTensor?: SymbolicTensor;
  /** Without the top: null (4-D feature maps), 'avg' or 'max' (global pooling to (N, C)). */
  pooling?: 'avg' | 'max' | null;
  /** Classes of the top classifier (default 1000; must stay 1000 with 'imagenet' weights). */
  classes?: number;
  /** Activation of the top classifier (default 'softmax'; null gives logits). */
  classifierActivation?: string | null;
  /** The model's name (default Keras's, e.g. 'mobilenetv2_0.35_224'). */
  name?: string;
}

export const APPLICATION_KEYS = [
  'inputShape',
  'includeTop',
  'weights',
  'inputTensor',
  'pooling',
  'classes',
  'classifierActivation',
  'name',
] as const;

/** Checked common arguments with Keras's defaults filled in. */
export interface ResolvedApplication {
  includeTop: boolean;
  weights: string | null;
  pooling: 'avg' | 'max' | null;
  classes: number;
  classifierActivation: string;
  /** The model input and its [height, width, channels]. */
  input: SymbolicTensor;
  rows: number;
  cols: number;
}

/**
 * Keras's argument checks and obtain_input_shape. `sizes` are the input sizes with released weights (the default
 * shape's side is `sizes`' last entry, 224). convkit needs known sizes, so without inputShape it builds for
 * [224, 224, 3] where Keras would leave height and width free.
 */
export function resolveApplication(where: string, options: ApplicationOptions, sizes: readonly number[]): ResolvedApplication {
  const includeTop = options.includeTop ?? true;
  if (typeof includeTop !== 'boolean') throw new ConfigError(invalid(where, 'includeTop', 'true or false', includeTop));
  const weights = options.weights === undefined ? 'imagenet' : options.weights;
  if (weights !== null && (typeof weights !== 'string' || weights === '')) {
    throw new ConfigError(
      invalid(where, 'weights', "null (random initialisation), 'imagenet' or the path of a weights file", weights),
    );
  }
  const classes = options.classes ?? 1000;
  if (!Number.isInteger(classes) || classes < 1) throw new ConfigError(invalid(where, 'classes', 'a positive integer', classes));
  if (weights === 'imagenet' && includeTop && classes !== 1000) {
    throw new ConfigError(
      invalid(
        where,
        'classes',
        "1000 with weights 'imagenet' and includeTop",
        classes,
        'For your own classes use includeTop: false and add a Dense layer, or weights: null.',
      ),
    );
  }
  const pooling = options.pooling ?? null;
  if (pooling !== null && pooling !== 'avg' && pooling !== 'max') {
    throw new ConfigError(invalid(where, 'pooling', "null, 'avg' or 'max'", pooling));
  }
  const activation = options.classifierActivation === undefined ? 'softmax' : options.classifierActivation;
  if (activation !== null && typeof activation !== 'string') {
    throw new ConfigError(invalid(where, 'classifierActivation', 'an activation name or null', activation));
  }
  if (weights === 'imagenet' && includeTop && activation !== null && activation !== 'softmax') {
    throw new ConfigError(invalid(where, 'classifierActivation', "'softmax' or null with the ImageNet top", activation));
  }
  const tensor = options.inputTensor;
  if (tensor !== undefined && !(tensor instanceof SymbolicTensor)) {
    throw new ConfigError(invalid(where, 'inputTensor', 'a symbolic tensor made by Input()', tensor));
  }
  const shape = obtainInputShape(where, options.inputShape ?? (tensor ? tensorShape(where, tensor) : undefined), {
    includeTop,
    weights,
    sizes,
  });
  if (tensor && !shapeCompatible(tensor.shape, [null, ...shape])) {
    throw new ConfigError(
      invalid(
        where,
        'inputTensor',
        `a tensor of shape ${formatShape([null, ...shape])} (the inputShape)`,
        formatShape(tensor.shape),
      ),
    );
  }
  return {
    includeTop,
    weights,
    pooling,
    classes,
    classifierActivation: activation ?? 'linear',
    input: tensor ?? Input({ shape }),
    rows: shape[0],
    cols: shape[1],
  };
}

function tensorShape(where: string, tensor: SymbolicTensor): [number, number, number] {
  const [, h, w, c] = tensor.shape;
  if (tensor.shape.length !== 4 || typeof h !== 'number' || typeof w !== 'number' || typeof c !== 'number') {
    throw new ConfigError(invalid(where, 'inputTensor', 'a tensor of shape (None, height, width, 3)', formatShape(tensor.shape)));
  }
  return [h, w, c];
}

/** Keras obtain_input_shape, channels last, for models whose smallest input is 32x32. */
function obtainInputShape(
  where: string,
  given: number[] | undefined,
  { includeTop, weights, sizes }: { includeTop: boolean; weights: string | null; sizes: readonly number[] },
): [number, number, number] {
  const fallback = sizes[sizes.length - 1]!;
  if (given === undefined) return [fallback, fallback, 3];
  const ok = Array.isArray(given) && given.length === 3 && given.every((d) => Number.isInteger(d) && d > 0);
  if (!ok) throw new ConfigError(invalid(where, 'inputShape', '[height, width, channels] of positive integers', given));
  const [h, w, c] = given as [number, number, number];
  if (weights === 'imagenet' && c !== 3) {
    throw new ConfigError(invalid(where, 'inputShape', "3 channels with weights 'imagenet'", given));
  }
  if (h < 32 || w < 32) {
    throw new ConfigError(invalid(where, 'inputShape', 'height and width of at least 32', given));
  }
  if (weights === 'imagenet' && includeTop && !(h === w && sizes.includes(h))) {
    throw new ConfigError(
      invalid(
        where,
        'inputShape',
        `[${fallback}, ${fallback}, 3] with includeTop and weights 'imagenet' (or a square size among ${sizes.join(', ')})`,
        given,
        'Use includeTop: false for other sizes.',
      ),
    );
  }
  return [h, w, c];
}

/** The optional global pooling of a model without its top. */
export function poolingTop(x: SymbolicTensor, pooling: 'avg' | 'max' | null): SymbolicTensor {
  if (pooling === 'avg') return new GlobalAveragePooling2D().apply(x);
  if (pooling === 'max') return new GlobalMaxPooling2D().apply(x);
  return x;
}

/** Keras's _make_divisible: v rounded to a multiple of `divisor`, never more than 10% below v. */
export function makeDivisible(v: number, divisor: number, minValue = divisor): number {
  let rounded = Math.max(minValue, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * v) rounded += divisor;
  return rounded;
}

/**
 * Keras preprocess_input in 'tf' mode (MobileNet, MobileNetV2): pixels in [0, 255] to [-1, 1] (x / 127.5 - 1).
 * Returns a new tensor. @example const x = mobilenetV2.preprocessInput(await loadImage('cat.jpg', { targetSize: [224, 224] }));
 */
export function preprocessInputTf(x: Tensor): Tensor {
  if (!x || !ArrayBuffer.isView(x.data) || !Array.isArray(x.shape)) {
    throw new ConfigError(invalid('preprocessInput', 'x', 'a tensor { data, shape } of pixels in [0, 255]', x));
  }
  const data = new Float32Array(x.data.length);
  for (let i = 0; i < data.length; i++) data[i] = x.data[i]! / 127.5 - 1;
  return { data, shape: [...x.shape] };
}

/** Where Keras keeps a release file: its name and URL. */
export interface ReleaseFile {
  fileName: string;
  url: string;
}

// A variable path keeps this browser-safe module from bundling the downloader (Node only).
const GET_FILE = '../utils/get-file.js';

interface GetFileModule {
  getFile(fname: string, origin: string, options?: { cacheSubdir?: string }): Promise<string>;
}

/** Loads the builder's weights: nothing for null, Keras's release file for 'imagenet', else the file at that path. */
export async function loadApplicationWeights(model: Model, weights: string | null, release: ReleaseFile): Promise<void> {
  if (weights === null) return;
  let path = weights;
  if (weights === 'imagenet') {
    const { getFile } = (await import(GET_FILE)) as GetFileModule;
    path = await getFile(release.fileName, release.url, { cacheSubdir: 'models' });
  }
  await model.loadWeights(path);
}
