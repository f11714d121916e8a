// Keras Applications MobileNetV2: the same layers, names and arguments as keras.applications.MobileNetV2 (Keras 3:
// Conv1 pads 'same', no Conv1_pad), so Keras's release weights and Teachable Machine's bases load by layer name.
// Not here: channels-first, free (None) input sizes.

import { ConfigError, invalid } from '../errors.js';
import { Add } from '../layers/add.js';
import { BatchNormalization } from '../layers/batch-normalization.js';
import { Conv2D } from '../layers/conv2d.js';
import { Dense } from '../layers/dense.js';
import { DepthwiseConv2D } from '../layers/depthwise-conv2d.js';
import { GlobalAveragePooling2D } from '../layers/global-pooling2d.js';
import { ReLU } from '../layers/relu.js';
import { ZeroPadding2D } from '../layers/zero-padding2d.js';
import type { SymbolicTensor } from '../models/input.js';
import { Model } from '../models/model.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import {
  APPLICATION_KEYS,
  type ApplicationOptions,
  loadApplicationWeights,
  makeDivisible,
  poolingTop,
  preprocessInputTf,
  resolveApplication,
} from './imagenet-utils.js';

export interface MobileNetV2Options extends ApplicationOptions {
  /** Width multiplier (default 1; 'imagenet' weights exist for 0.35, 0.5, 0.75, 1, 1.3, 1.4). Teachable Machine uses 0.35. */
  alpha?: number;
}

const WHERE = 'MobileNetV2';
const BASE_WEIGHT_PATH = 'https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/';
const IMAGENET_ALPHAS = [0.35, 0.5, 0.75, 1, 1.3, 1.4];
const SIZES = [96, 128, 160, 192, 224];

const bn = (name: string) => new BatchNormalization({ axis: -1, epsilon: 1e-3, momentum: 0.999, name });
const relu6 = (name: string) => new ReLU({ maxValue: 6, name });

/** Keras's correct_pad for a 3x3 stride-2 convolution: one extra row/column after when the size is even. */
function correctPad(x: SymbolicTensor): [[number, number], [number, number]] {
  const [, h, w] = x.shape as [null, number, number, number];
  return [
    [h % 2, 1],
    [w % 2, 1],
  ];
}

function invertedResBlock(
  inputs: SymbolicTensor,
  expansion: number,
  stride: 1 | 2,
  alpha: number,
  filters: number,
  blockId: number,
): SymbolicTensor {
  const inChannels = inputs.shape[3] as number;
  const pointwiseFilters = makeDivisible(Math.trunc(filters * alpha), 8);
  let x = inputs;
  let prefix = `block_${blockId}_`;
  if (blockId > 0) {
    x = new Conv2D(expansion * inChannels, 1, { padding: 'same', useBias: false, name: `${prefix}expand` }).apply(x);
    x = bn(`${prefix}expand_BN`).apply(x);
    x = relu6(`${prefix}expand_relu`).apply(x);
  } else {
    prefix = 'expanded_conv_';
  }
  if (stride === 2) x = new ZeroPadding2D({ padding: correctPad(x), name: `${prefix}pad` }).apply(x);
  x = new DepthwiseConv2D({
    kernelSize: 3,
    strides: stride,
    useBias: false,
    padding: stride === 1 ? 'same' : 'valid',
    name: `${prefix}depthwise`,
  }).apply(x);
  x = bn(`${prefix}depthwise_BN`).apply(x);
  x = relu6(`${prefix}depthwise_relu`).apply(x);
  x = new Conv2D(pointwiseFilters, 1, { padding: 'same', useBias: false, name: `${prefix}project` }).apply(x);
  x = bn(`${prefix}project_BN`).apply(x);
  if (inChannels === pointwiseFilters && stride === 1) return new Add({ name: `${prefix}add` }).apply([inputs, x]);
  return x;
}

/** The 17 inverted residual blocks: [filters, stride, expansion]. */
const BLOCKS: [number, 1 | 2, number][] = [
  [16, 1, 1],
  [24, 2, 6],
  [24, 1, 6],
  [32, 2, 6],
  [32, 1, 6],
  [32, 1, 6],
  [64, 2, 6],
  [64, 1, 6],
  [64, 1, 6],
  [64, 1, 6],
  [96, 1, 6],
  [96, 1, 6],
  [96, 1, 6],
  [160, 2, 6],
  [160, 1, 6],
  [160, 1, 6],
  [320, 1, 6],
];

/**
 * Keras's MobileNetV2. Input (N, H, W, 3) in [-1, 1] (use `mobilenetV2.preprocessInput`); output (N, classes) with
 * the top, else (N, H/32, W/32, 1280) or pooled (N, 1280). Async because weights load from a file (or are
 * downloaded once into the cache for 'imagenet').
 * @example const base = await MobileNetV2({ alpha: 0.35, includeTop: false, pooling: 'avg', weights: null });
 */
export async function MobileNetV2(rawOptions?: MobileNetV2Options): Promise<Model> {
  const options = checkOptions<MobileNetV2Options>(WHERE, rawOptions, [...APPLICATION_KEYS, 'alpha']);
  const app = resolveApplication(WHERE, options, SIZES);
  const alpha = options.alpha ?? 1;
  if (typeof alpha !== 'number' || !(alpha > 0) || !Number.isFinite(alpha)) {
    throw new ConfigError(invalid(WHERE, 'alpha', 'a positive number', alpha));
  }
  if (app.weights === 'imagenet' && !IMAGENET_ALPHAS.includes(alpha)) {
    throw new ConfigError(invalid(WHERE, 'alpha', "one of 0.35, 0.5, 0.75, 1, 1.3, 1.4 with weights 'imagenet'", alpha));
  }
  let x = new Conv2D(makeDivisible(32 * alpha, 8), 3, { strides: 2, padding: 'same', useBias: false, name: 'Conv1' }).apply(
    app.input,
  );
  x = bn('bn_Conv1').apply(x);
  x = relu6('Conv1_relu').apply(x);
  BLOCKS.forEach(([filters, stride, expansion], id) => {
    x = invertedResBlock(x, expansion, stride, alpha, filters, id);
  });
  // The paper applies no width multiplier below 1 to the last convolution.
  const lastFilters = alpha > 1 ? makeDivisible(1280 * alpha, 8) : 1280;
  x = new Conv2D(lastFilters, 1, { useBias: false, name: 'Conv_1' }).apply(x);
  x = bn('Conv_1_bn').apply(x);
  x = relu6('out_relu').apply(x);
  if (app.includeTop) {
    x = new GlobalAveragePooling2D().apply(x);
    x = new Dense(app.classes, { activation: app.classifierActivation, name: 'predictions' }).apply(x);
  } else {
    x = poolingTop(x, app.pooling);
  }
  const model = new Model(app.input, x, { name: options.name ?? `mobilenetv2_${alpha.toFixed(2)}_${app.rows}` });
  const rows = app.rows === app.cols && SIZES.includes(app.rows) ? app.rows : 224;
  // Python's float(alpha) spelling: 0.35 -> '0.35', 1 -> '1.0'.
  const alphaText = Number.isInteger(alpha) ? alpha.toFixed(1) : String(alpha);
  const fileName = `mobilenet_v2_weights_tf_dim_ordering_tf_kernels_${alphaText}_${rows}${app.includeTop ? '' : '_no_top'}.h5`;
  await loadApplicationWeights(model, app.weights, { fileName, url: BASE_WEIGHT_PATH + fileName });
  return model;
}

/** Keras's mobilenet_v2.preprocess_input: pixels in [0, 255] to [-1, 1]. */
export function preprocessInput(x: Tensor): Tensor {
  return preprocessInputTf(x);
}
