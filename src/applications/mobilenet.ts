// Keras Applications MobileNet (V1): the same layers, names and arguments as keras.applications.MobileNet, so the
// Keras release weight files load into it by layer name. Not here: channels-first, free (None) input sizes.

import { ConfigError, invalid } from '../errors.js';
import { Activation } from '../layers/activation.js';
import { BatchNormalization } from '../layers/batch-normalization.js';
import { Conv2D } from '../layers/conv2d.js';
import { DepthwiseConv2D } from '../layers/depthwise-conv2d.js';
import { Dropout } from '../layers/dropout.js';
import { GlobalAveragePooling2D } from '../layers/global-pooling2d.js';
import { ReLU } from '../layers/relu.js';
import { Reshape } from '../layers/reshape.js';
import { ZeroPadding2D } from '../layers/zero-padding2d.js';
import type { SymbolicTensor } from '../models/input.js';
import { Model } from '../models/model.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import {
  APPLICATION_KEYS,
  type ApplicationOptions,
  loadApplicationWeights,
  poolingTop,
  preprocessInputTf,
  resolveApplication,
} from './imagenet-utils.js';

export interface MobileNetOptions extends ApplicationOptions {
  /** Width multiplier: every layer's filters times alpha (default 1; 'imagenet' weights exist for 0.25, 0.5, 0.75, 1). */
  alpha?: number;
  /** Depthwise convolutions' depth multiplier (default 1, the only value with 'imagenet' weights). */
  depthMultiplier?: number;
  /** Dropout rate before the top classifier (default 0.001). */
  dropout?: number;
}

const WHERE = 'MobileNet';
const BASE_WEIGHT_PATH = 'https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/';
const IMAGENET_ALPHAS = [0.25, 0.5, 0.75, 1];
const ALPHA_TEXT: Record<string, string> = { '1': '1_0', '0.75': '7_5', '0.5': '5_0', '0.25': '2_5' };

function convBlock(x: SymbolicTensor, filters: number, alpha: number): SymbolicTensor {
  const conv = new Conv2D(Math.trunc(filters * alpha), 3, { padding: 'same', useBias: false, strides: 2, name: 'conv1' });
  const y = new BatchNormalization({ axis: -1, name: 'conv1_bn' }).apply(conv.apply(x));
  return new ReLU({ maxValue: 6, name: 'conv1_relu' }).apply(y);
}

function depthwiseConvBlock(
  input: SymbolicTensor,
  pointwiseFilters: number,
  alpha: number,
  depthMultiplier: number,
  strides: 1 | 2,
  id: number,
): SymbolicTensor {
  let x = input;
  if (strides === 2)
    x = new ZeroPadding2D({
      padding: [
        [0, 1],
        [0, 1],
      ],
      name: `conv_pad_${id}`,
    }).apply(x);
  x = new DepthwiseConv2D({
    kernelSize: 3,
    padding: strides === 1 ? 'same' : 'valid',
    depthMultiplier,
    strides,
    useBias: false,
    name: `conv_dw_${id}`,
  }).apply(x);
  x = new BatchNormalization({ axis: -1, name: `conv_dw_${id}_bn` }).apply(x);
  x = new ReLU({ maxValue: 6, name: `conv_dw_${id}_relu` }).apply(x);
  x = new Conv2D(Math.trunc(pointwiseFilters * alpha), 1, { padding: 'same', useBias: false, name: `conv_pw_${id}` }).apply(x);
  x = new BatchNormalization({ axis: -1, name: `conv_pw_${id}_bn` }).apply(x);
  return new ReLU({ maxValue: 6, name: `conv_pw_${id}_relu` }).apply(x);
}

/** The 13 depthwise-separable blocks: [pointwise filters, stride]. */
const BLOCKS: [number, 1 | 2][] = [
  [64, 1],
  [128, 2],
  [128, 1],
  [256, 2],
  [256, 1],
  [512, 2],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [1024, 2],
  [1024, 1],
];

/**
 * Keras's MobileNet (V1). Input (N, H, W, 3) in [-1, 1] (use `mobilenet.preprocessInput`); output (N, classes)
 * with the top, else (N, H/32, W/32, 1024 * alpha) or pooled (N, 1024 * alpha). Async because weights load from
 * a file (or are downloaded once into the cache for 'imagenet').
 * @example const base = await MobileNet({ alpha: 0.25, includeTop: false, weights: 'mobilenet_2_5_224_tf_no_top.h5' });
 */
export async function MobileNet(rawOptions?: MobileNetOptions): Promise<Model> {
  const options = checkOptions<MobileNetOptions>(WHERE, rawOptions, [...APPLICATION_KEYS, 'alpha', 'depthMultiplier', 'dropout']);
  const app = resolveApplication(WHERE, options, [128, 160, 192, 224]);
  const alpha = options.alpha ?? 1;
  if (typeof alpha !== 'number' || !(alpha > 0) || !Number.isFinite(alpha)) {
    throw new ConfigError(invalid(WHERE, 'alpha', 'a positive number', alpha));
  }
  const depthMultiplier = options.depthMultiplier ?? 1;
  if (!Number.isInteger(depthMultiplier) || depthMultiplier < 1) {
    throw new ConfigError(invalid(WHERE, 'depthMultiplier', 'a positive integer', depthMultiplier));
  }
  const dropout = options.dropout ?? 1e-3;
  if (app.weights === 'imagenet') {
    if (depthMultiplier !== 1)
      throw new ConfigError(invalid(WHERE, 'depthMultiplier', "1 with weights 'imagenet'", depthMultiplier));
    if (!IMAGENET_ALPHAS.includes(alpha)) {
      throw new ConfigError(invalid(WHERE, 'alpha', "one of 0.25, 0.5, 0.75, 1 with weights 'imagenet'", alpha));
    }
  }
  let x = convBlock(app.input, 32, alpha);
  BLOCKS.forEach(([filters, strides], i) => {
    x = depthwiseConvBlock(x, filters, alpha, depthMultiplier, strides, i + 1);
  });
  if (app.includeTop) {
    x = new GlobalAveragePooling2D({ keepdims: true }).apply(x);
    x = new Dropout(dropout, { name: 'dropout' }).apply(x);
    x = new Conv2D(app.classes, 1, { padding: 'same', name: 'conv_preds' }).apply(x);
    x = new Reshape([app.classes], { name: 'reshape_2' }).apply(x);
    x = new Activation(app.classifierActivation, { name: 'predictions' }).apply(x);
  } else {
    x = poolingTop(x, app.pooling);
  }
  const model = new Model(app.input, x, { name: options.name ?? `mobilenet_${alpha.toFixed(2)}_${app.rows}` });
  // Keras falls back to the 224 file for sizes without released weights (with includeTop that size was refused).
  const rows = app.rows === app.cols && [128, 160, 192, 224].includes(app.rows) ? app.rows : 224;
  const fileName = `mobilenet_${ALPHA_TEXT[String(alpha)] ?? '2_5'}_${rows}_tf${app.includeTop ? '' : '_no_top'}.h5`;
  await loadApplicationWeights(model, app.weights, { fileName, url: BASE_WEIGHT_PATH + fileName });
  return model;
}

/** Keras's mobilenet.preprocess_input: pixels in [0, 255] to [-1, 1]. */
export function preprocessInput(x: Tensor): Tensor {
  return preprocessInputTf(x);
}
