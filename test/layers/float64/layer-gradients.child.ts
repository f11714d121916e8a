// Child process of layer-gradcheck.test.ts: float64 central differences through every layer's forward/backward
// on the reference backend. Started with Float32Array replaced by Float64Array (an --import before this file), so
// the layers' own float32 buffers, weights and kernels compute in float64 with the very same code. For each case
// the scalar is sum(r * layer(x)) + the weights' regularizer penalties, and the analytic gradient is backward(r)
// plus the regularizer gradients (what the trainer adds). Prints one JSON line: the worst difference per check.

import { createLayer } from '../../../src/layers/index.js';
import type { CallContext, Layer } from '../../../src/layers/layer.js';
import { reference } from '../../helpers/backends.js';
import { centralDifferences } from '../../helpers/central-differences.js';
import { largestRelativeDifference } from '../../helpers/close.js';

export interface CheckResult {
  what: string;
  worst: number;
  index: number;
  analytic: number;
  numeric: number;
}
export interface CaseResult {
  name: string;
  checks: CheckResult[];
  error?: string;
}

if (new Float32Array(1).BYTES_PER_ELEMENT !== 8) {
  throw new Error('layer-gradients.child.ts must run with Float32Array replaced by Float64Array (see layer-gradcheck.test.ts)');
}

const H = 1e-6;

interface Case {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** Input shape, batch first. */
  input: number[];
  training: boolean;
  /** Input value range (keeps values away from kinks where it matters). */
  range?: [number, number];
}

function rand(n: number, seed: number, low = -1, high = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = low + ((s >>> 8) / 16777216) * (high - low);
  }
  return out;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function context(training: boolean): CallContext {
  // A fresh context with the same seed stream each call: Dropout draws the same (fixed) mask every time.
  return { backend: reference, training, needsInputGrad: true, rng: { seed: 7, offset: 0 } };
}

function runCase(c: Case): CaseResult {
  const layer: Layer = createLayer(c.className, c.config);
  layer.build([null, ...c.input.slice(1)]);
  const size = c.input.reduce((p, d) => p * d, 1);
  const [low, high] = c.range ?? [-1, 1];
  const x = { data: rand(size, 3, low, high), shape: c.input };
  // Weights away from 0 (L1 kinks) and BatchNorm's gamma/variance positive: random in +-[0.3, 1.3).
  layer.weights.forEach((w, i) => {
    const r = rand(w.value.length, 11 + i, 0.3, 1.3);
    const sign = rand(w.value.length, 31 + i);
    for (let k = 0; k < r.length; k++)
      w.value[k] = w.name.startsWith('moving_var') || w.name === 'gamma' ? r[k]! : sign[k]! < 0 ? -r[k]! : r[k]!;
  });
  const first = layer.forward([x], context(c.training));
  const outShape = first.shape;
  const r = rand(first.data.length, 5);
  const f = (): number => {
    let s = dot(layer.forward([x], context(c.training)).data, r);
    for (const w of layer.weights) if (w.regularizer) s += w.regularizer.penalty(w.value);
    return s;
  };
  f();
  const dx = layer.backward({ data: r, shape: outShape }, context(c.training))[0]!.data.slice();
  const trainable = layer.trainableWeights;
  const grads = trainable.map((w) => {
    const g = w.grad.slice();
    if (w.regularizer) w.regularizer.addGradient(g, w.value);
    return g;
  });
  const check = (what: string, analytic: Float32Array, param: Float32Array): CheckResult => {
    const n = centralDifferences(f, param, H);
    const { value, index } = largestRelativeDifference(analytic, n);
    return { what, worst: value, index, analytic: analytic[index]!, numeric: n[index]! };
  };
  const checks = [check('dx', dx, x.data)];
  trainable.forEach((w, i) => {
    checks.push(check(`d${w.name}`, grads[i]!, w.value));
  });
  return { name: c.name, checks };
}

const IMG: [number, number, number, number] = [2, 5, 6, 3];
const l1l2 = { class_name: 'L1L2', config: { l1: 0.01, l2: 0.02 } };

export const CASES: Case[] = [
  {
    name: 'Conv2D 3x3 same stride 2 relu (fused)',
    className: 'Conv2D',
    config: { filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
    input: IMG,
    training: true,
  },
  {
    name: 'Conv2D 2x2 valid dilation 2 tanh',
    className: 'Conv2D',
    config: { filters: 2, kernelSize: 2, dilationRate: 2, activation: 'tanh' },
    input: IMG,
    training: true,
  },
  {
    name: 'Conv2D with L1L2 kernel and L2 bias regularizers',
    className: 'Conv2D',
    config: { filters: 2, kernelSize: 3, kernelRegularizer: l1l2, biasRegularizer: { class_name: 'L2', config: { l2: 0.05 } } },
    input: IMG,
    training: true,
  },
  {
    name: 'DepthwiseConv2D multiplier 2 same',
    className: 'DepthwiseConv2D',
    config: { kernelSize: 3, depthMultiplier: 2, padding: 'same' },
    input: IMG,
    training: true,
  },
  {
    name: 'DepthwiseConv2D dilation 2 relu',
    className: 'DepthwiseConv2D',
    config: { kernelSize: 2, dilationRate: 2, activation: 'relu' },
    input: IMG,
    training: true,
  },
  {
    name: 'SeparableConv2D multiplier 2 same relu',
    className: 'SeparableConv2D',
    config: { filters: 4, kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu' },
    input: IMG,
    training: true,
  },
  {
    name: 'SeparableConv2D stride 2 valid',
    className: 'SeparableConv2D',
    config: { filters: 2, kernelSize: 2, strides: 2 },
    input: IMG,
    training: true,
  },
  { name: 'Dense relu (fused)', className: 'Dense', config: { units: 5, activation: 'relu' }, input: [3, 7], training: true },
  { name: 'Dense softmax', className: 'Dense', config: { units: 4, activation: 'softmax' }, input: [3, 6], training: true },
  {
    name: 'Dense with L1L2 kernel and L1 bias regularizers',
    className: 'Dense',
    config: { units: 3, kernelRegularizer: l1l2, biasRegularizer: { class_name: 'L1', config: { l1: 0.03 } } },
    input: [2, 4],
    training: true,
  },
  {
    name: 'Dense on (N, H, W, C): applied to the last axis',
    className: 'Dense',
    config: { units: 2, activation: 'relu' },
    input: [2, 3, 2, 4],
    training: true,
  },
  {
    name: 'BatchNormalization training (N, H, W, C)',
    className: 'BatchNormalization',
    config: {},
    input: IMG,
    training: true,
    range: [-2, 2],
  },
  {
    name: 'BatchNormalization inference (N, H, W, C)',
    className: 'BatchNormalization',
    config: {},
    input: IMG,
    training: false,
    range: [-2, 2],
  },
  {
    name: 'BatchNormalization training (N, F) with gamma L2',
    className: 'BatchNormalization',
    config: { gammaRegularizer: { class_name: 'L2', config: { l2: 0.1 } } },
    input: [4, 3],
    training: true,
  },
  {
    name: 'BatchNormalization without center and scale',
    className: 'BatchNormalization',
    config: { center: false, scale: false },
    input: [5, 2],
    training: true,
  },
  {
    name: 'MaxPooling2D 2x2 stride 2 same',
    className: 'MaxPooling2D',
    config: { poolSize: 2, padding: 'same' },
    input: IMG,
    training: true,
  },
  {
    name: 'MaxPooling2D 3x3 stride 1 valid',
    className: 'MaxPooling2D',
    config: { poolSize: 3, strides: 1 },
    input: IMG,
    training: true,
  },
  {
    name: 'AveragePooling2D 2x3 same',
    className: 'AveragePooling2D',
    config: { poolSize: [2, 3], padding: 'same' },
    input: IMG,
    training: true,
  },
  { name: 'GlobalAveragePooling2D', className: 'GlobalAveragePooling2D', config: {}, input: IMG, training: true },
  { name: 'GlobalMaxPooling2D', className: 'GlobalMaxPooling2D', config: {}, input: IMG, training: true },
  { name: 'Dropout rate 0.4 training (fixed mask)', className: 'Dropout', config: { rate: 0.4 }, input: [3, 8], training: true },
  { name: 'Dropout inference (identity)', className: 'Dropout', config: { rate: 0.4 }, input: [3, 8], training: false },
  {
    name: 'SpatialDropout2D rate 0.5 training (fixed mask)',
    className: 'SpatialDropout2D',
    config: { rate: 0.5 },
    input: IMG,
    training: true,
  },
  {
    name: 'ZeroPadding2D ((1, 2), (0, 3))',
    className: 'ZeroPadding2D',
    config: {
      padding: [
        [1, 2],
        [0, 3],
      ],
    },
    input: IMG,
    training: true,
  },
  {
    name: 'Cropping2D ((1, 0), (2, 1))',
    className: 'Cropping2D',
    config: {
      cropping: [
        [1, 0],
        [2, 1],
      ],
    },
    input: IMG,
    training: true,
  },
  { name: 'Reshape to (3, 30)', className: 'Reshape', config: { targetShape: [3, 30] }, input: IMG, training: true },
  { name: 'Flatten', className: 'Flatten', config: {}, input: IMG, training: true },
  {
    name: 'Rescaling scale 0.5 offset -1',
    className: 'Rescaling',
    config: { scale: 0.5, offset: -1 },
    input: [2, 5],
    training: true,
  },
  { name: 'ReLU default', className: 'ReLU', config: {}, input: [3, 8], training: true },
  { name: 'ReLU maxValue 0.5', className: 'ReLU', config: { maxValue: 0.5 }, input: [3, 8], training: true },
  { name: 'ReLU threshold 0.3', className: 'ReLU', config: { threshold: 0.3 }, input: [3, 8], training: true },
  {
    name: 'ReLU negativeSlope 0.2 threshold 0.1 maxValue 0.6',
    className: 'ReLU',
    config: { negativeSlope: 0.2, threshold: 0.1, maxValue: 0.6 },
    input: [3, 8],
    training: true,
  },
  { name: 'LeakyReLU negativeSlope 0.2', className: 'LeakyReLU', config: { negativeSlope: 0.2 }, input: [3, 8], training: true },
  { name: 'Softmax', className: 'Softmax', config: {}, input: [3, 5], training: true, range: [-3, 3] },
  { name: 'Softmax on (N, H, W, C)', className: 'Softmax', config: {}, input: IMG, training: true },
  ...['sigmoid', 'tanh', 'elu', 'softplus', 'swish', 'gelu', 'relu6', 'hard_sigmoid', 'linear'].map((activation) => ({
    name: `Activation ${activation}`,
    className: 'Activation',
    config: { activation },
    input: [3, 8],
    training: true,
    range: [-4, 8] as [number, number],
  })),
];

const results: CaseResult[] = CASES.map((c) => {
  try {
    return runCase(c);
  } catch (error) {
    return { name: c.name, checks: [], error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
});
process.stdout.write(`${JSON.stringify(results)}\n`);
