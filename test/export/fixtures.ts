// Models and inputs for the export tests (TF.js and ONNX): the seed CNNs and a small MobileNet-like functional model
// (ZeroPadding2D, strided Conv2D, DepthwiseConv2D, BatchNormalization, ReLU6, residual Add), with biases and
// BatchNormalization statistics set to seeded random values so that every weight matters in the comparisons.

import { bnDropoutCnn, lenet5, mnistCnn } from '../../src/applications/seed-models.js';
import { Activation } from '../../src/layers/activation.js';
import { Add } from '../../src/layers/add.js';
import { AveragePooling2D } from '../../src/layers/average-pooling2d.js';
import { BatchNormalization } from '../../src/layers/batch-normalization.js';
import { Concatenate } from '../../src/layers/concatenate.js';
import { Conv2D } from '../../src/layers/conv2d.js';
import { Cropping2D } from '../../src/layers/cropping2d.js';
import { Dense } from '../../src/layers/dense.js';
import { DepthwiseConv2D } from '../../src/layers/depthwise-conv2d.js';
import { Dropout } from '../../src/layers/dropout.js';
import { Flatten } from '../../src/layers/flatten.js';
import { GlobalAveragePooling2D, GlobalMaxPooling2D } from '../../src/layers/global-pooling2d.js';
import { LeakyReLU } from '../../src/layers/leaky-relu.js';
import { MaxPooling2D } from '../../src/layers/max-pooling2d.js';
import { RandomFlip } from '../../src/layers/random-flip.js';
import { ReLU } from '../../src/layers/relu.js';
import { Rescaling } from '../../src/layers/rescaling.js';
import { Reshape } from '../../src/layers/reshape.js';
import { SeparableConv2D } from '../../src/layers/separable-conv2d.js';
import { Softmax } from '../../src/layers/softmax.js';
import { ZeroPadding2D } from '../../src/layers/zero-padding2d.js';
import { Input } from '../../src/models/input.js';
import { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import type { Tensor } from '../../src/tensor.js';
import { setRandomSeed } from '../../src/training/seed.js';

/** A small deterministic generator (mulberry32), independent of convkit's own. */
export function seededUniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Biases, beta, gamma and moving statistics drawn at random (they start at 0 or 1, which would hide mistakes). */
export function randomizeStatistics(model: Model, seed: number): void {
  const next = seededUniform(seed);
  for (const w of model.weights) {
    if (w.name === 'kernel' || w.name === 'depthwise_kernel' || w.name === 'pointwise_kernel') continue;
    const [low, high] = w.name === 'gamma' || w.name === 'moving_variance' ? [0.5, 1.5] : [-0.3, 0.3];
    for (let i = 0; i < w.value.length; i++) w.value[i] = low + (high - low) * next();
  }
}

/** `n` images of `shape` (H, W, C) with values in [low, high). */
export function randomImages(n: number, shape: number[], seed: number, low = 0, high = 1): Tensor {
  const next = seededUniform(seed);
  const data = new Float32Array(n * shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * next();
  return { data, shape: [n, ...shape] };
}

/** A MobileNetV2-like block on 32x32x3 images, with training-only layers (RandomFlip, Dropout) in it. */
export function mobilenetLike(): Model {
  const inputs = Input([32, 32, 3], { name: 'image' });
  let x = new RandomFlip('horizontal').apply(inputs);
  x = new Rescaling(1 / 127.5, { offset: -1 }).apply(x);
  x = new ZeroPadding2D({
    padding: [
      [0, 1],
      [0, 1],
    ],
  }).apply(x);
  x = new Conv2D(8, 3, { strides: 2, useBias: false }).apply(x);
  x = new BatchNormalization().apply(x);
  const stem = new ReLU({ maxValue: 6 }).apply(x);
  x = new Conv2D(16, 1, { useBias: false }).apply(stem);
  x = new BatchNormalization().apply(x);
  x = new ReLU({ maxValue: 6 }).apply(x);
  x = new DepthwiseConv2D(3, { padding: 'same', useBias: false }).apply(x);
  x = new BatchNormalization().apply(x);
  x = new ReLU({ maxValue: 6 }).apply(x);
  x = new Conv2D(8, 1, { useBias: false }).apply(x);
  x = new BatchNormalization().apply(x);
  x = new Add().apply([stem, x]);
  x = new DepthwiseConv2D(3, { strides: 2, depthMultiplier: 2, activation: 'relu6' }).apply(x);
  x = new GlobalAveragePooling2D().apply(x);
  x = new Dropout(0.2).apply(x);
  const outputs = new Dense(5, { activation: 'softmax' }).apply(x);
  return new Model(inputs, outputs, { name: 'mobilenet_like' });
}

/**
 * Every other layer and activation the exporters convert, on 16x16x3 images: SeparableConv2D, dilation, 'same'
 * pooling with uneven padding, Cropping2D, Concatenate, a three-way Add, Dense on a 4-D tensor, Reshape, a nested
 * Sequential head with BatchNormalization on 2-D input. TF.js lacks keepdims, hard_sigmoid (with Keras's meaning)
 * and a leaky capped ReLU, so its variant swaps those for equivalents it has.
 */
export function coverageModel(target: 'onnx' | 'tfjs'): Model {
  const onnx = target === 'onnx';
  const inputs = Input([16, 16, 3]);
  let a = new SeparableConv2D(6, 3, { padding: 'same', depthMultiplier: 2, activation: 'elu' }).apply(inputs);
  a = new AveragePooling2D(3, { strides: 2, padding: 'same' }).apply(a);
  let b = new Conv2D(6, 3, { dilationRate: 2, padding: 'same', activation: 'swish' }).apply(inputs);
  b = new Cropping2D([
    [1, 0],
    [0, 1],
  ]).apply(b);
  b = new MaxPooling2D(2, { padding: 'same' }).apply(b);
  const sum = new Add().apply([a, b, new AveragePooling2D(3, { strides: 1, padding: 'same' }).apply(a)]);
  let c = new Concatenate().apply([sum, b]);
  c = onnx ? new ReLU({ negativeSlope: 0.1, maxValue: 4 }).apply(c) : new LeakyReLU(0.1).apply(c);
  c = new BatchNormalization().apply(c);
  let d = new Dense(5, { activation: 'gelu' }).apply(c);
  d = new Activation('softplus').apply(d);
  d = new Reshape([4, 4, 20]).apply(d);
  d = new Conv2D(7, 1, { activation: onnx ? 'hard_sigmoid' : 'sigmoid' }).apply(d);
  d = new GlobalMaxPooling2D(onnx ? { keepdims: true } : {}).apply(d);
  if (onnx) d = new Flatten().apply(d);
  const head = new Sequential([
    new Dense(6),
    new BatchNormalization(),
    new Activation('tanh'),
    new Dense(3, { activation: 'relu6' }),
    new Softmax(),
  ]);
  return new Model(inputs, head.apply(d), { name: `coverage_${target}` });
}

/** The models every exporter must reproduce, each with its input shape (H, W, C). */
export function exportCases(): { name: string; build: () => Model; inputShape: number[] }[] {
  return [
    { name: 'MNIST CNN', build: () => mnistCnn(), inputShape: [28, 28, 1] },
    { name: 'LeNet-5', build: () => lenet5(), inputShape: [28, 28, 1] },
    { name: 'BatchNorm/Dropout CNN', build: () => bnDropoutCnn(), inputShape: [28, 28, 1] },
    { name: 'MobileNet-like', build: () => mobilenetLike(), inputShape: [32, 32, 3] },
  ].map((c) => ({
    ...c,
    build: () => {
      setRandomSeed(7);
      const model = c.build();
      randomizeStatistics(model, 11);
      return model;
    },
  }));
}
