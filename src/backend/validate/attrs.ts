// Per-kernel attrs checks for validate.ts: each checks one kernel family's settings (ConfigError, window fit as
// ShapeError) and returns the named dims its buffers must have; also checkSparseLabels, the one check on data.

import { invalid, ValueError } from '../../errors.js';
import type {
  ActivationAttrs,
  AffineAttrs,
  BatchNormAttrs,
  Conv2dAttrs,
  DenseAttrs,
  DropoutAttrs,
  FloatArray,
  GlobalPool2dAttrs,
  LossAttrs,
  Pool2dAttrs,
  RandomAttrs,
  ResizeAttrs,
} from '../backend.js';
import { conv2dGeometry, pool2dGeometry } from '../shapes.js';
import type { Check, Dims } from './checks.js';

const ACTIVATIONS = [
  'linear',
  'relu',
  'relu6',
  'leakyRelu',
  'elu',
  'sigmoid',
  'hardSigmoid',
  'tanh',
  'softmax',
  'swish',
  'gelu',
  'softplus',
];
const LOSSES = ['categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy', 'meanSquaredError'];

/** Sliding-window output sizes must be >= 1: the (dilated) window has to fit in the padded input. */
function checkWindow(
  c: Check,
  axis: 'Height' | 'Width',
  inSize: number,
  kernel: number,
  dilation: number,
  before: number,
  after: number,
  out: number,
  karg: string,
): void {
  if (out >= 1) return;
  const effective = (kernel - 1) * dilation + 1;
  c.shape(
    karg,
    `a window (${effective} after dilation) no larger than the padded input ${axis.toLowerCase()} ${inSize + before + after} (in${axis} ${inSize} + padding ${before} + ${after})`,
    kernel,
    "The output would be empty; use padding 'same', a smaller window, or a larger input.",
  );
}

function checkPadding(c: Check, padding: unknown): void {
  if (padding === 'valid' || padding === 'same') return;
  if (typeof padding !== 'object' || padding === null) {
    c.config('attrs.padding', "'valid', 'same' or {top, bottom, left, right}", padding);
  }
  const p = padding as Record<string, unknown>;
  for (const side of ['top', 'bottom', 'left', 'right']) c.nonNegativeInt(`attrs.padding.${side}`, p[side]);
}

export function checkConv(c: Check, a: Conv2dAttrs): { outHeight: number; outWidth: number } {
  c.attrs(a);
  for (const key of [
    'batch',
    'inHeight',
    'inWidth',
    'inChannels',
    'outChannels',
    'kernelHeight',
    'kernelWidth',
    'groups',
  ] as const) {
    c.positiveInt(`attrs.${key}`, a[key]);
  }
  c.pair('attrs.strides', a.strides);
  c.pair('attrs.dilations', a.dilations);
  checkPadding(c, a.padding);
  c.oneOf('attrs.activation', a.activation, ['linear', 'relu']);
  if (a.inChannels % a.groups !== 0 || a.outChannels % a.groups !== 0) {
    c.config(
      'attrs.groups',
      `a divisor of both inChannels ${a.inChannels} and outChannels ${a.outChannels}`,
      a.groups,
      'Depthwise: groups = inChannels and outChannels = inChannels * depthMultiplier.',
    );
  }
  const g = conv2dGeometry(a);
  checkWindow(
    c,
    'Height',
    a.inHeight,
    a.kernelHeight,
    a.dilations[0],
    g.pad.top,
    g.pad.bottom,
    g.outHeight,
    'attrs.kernelHeight',
  );
  checkWindow(c, 'Width', a.inWidth, a.kernelWidth, a.dilations[1], g.pad.left, g.pad.right, g.outWidth, 'attrs.kernelWidth');
  return g;
}

export function convDims(a: Conv2dAttrs, g: { outHeight: number; outWidth: number }): { x: Dims; w: Dims; b: Dims; y: Dims } {
  return {
    x: [
      ['N', a.batch],
      ['H', a.inHeight],
      ['W', a.inWidth],
      ['C', a.inChannels],
    ],
    w: [
      ['KH', a.kernelHeight],
      ['KW', a.kernelWidth],
      ['CI/groups', a.inChannels / a.groups],
      ['CO', a.outChannels],
    ],
    b: [['CO', a.outChannels]],
    y: [
      ['N', a.batch],
      ['OH', g.outHeight],
      ['OW', g.outWidth],
      ['CO', a.outChannels],
    ],
  };
}

export function checkPool(c: Check, a: Pool2dAttrs): { x: Dims; y: Dims } {
  c.attrs(a);
  for (const key of ['batch', 'inHeight', 'inWidth', 'channels'] as const) c.positiveInt(`attrs.${key}`, a[key]);
  c.pair('attrs.poolSize', a.poolSize);
  c.pair('attrs.strides', a.strides);
  c.oneOf('attrs.padding', a.padding, ['valid', 'same']);
  const g = pool2dGeometry(a);
  checkWindow(c, 'Height', a.inHeight, a.poolSize[0], 1, g.pad.top, g.pad.bottom, g.outHeight, 'attrs.poolSize[0]');
  checkWindow(c, 'Width', a.inWidth, a.poolSize[1], 1, g.pad.left, g.pad.right, g.outWidth, 'attrs.poolSize[1]');
  return {
    x: [
      ['N', a.batch],
      ['H', a.inHeight],
      ['W', a.inWidth],
      ['C', a.channels],
    ],
    y: [
      ['N', a.batch],
      ['OH', g.outHeight],
      ['OW', g.outWidth],
      ['C', a.channels],
    ],
  };
}

export function checkGlobalPool(c: Check, a: GlobalPool2dAttrs): { x: Dims; y: Dims } {
  c.attrs(a);
  for (const key of ['batch', 'inHeight', 'inWidth', 'channels'] as const) c.positiveInt(`attrs.${key}`, a[key]);
  c.oneOf('attrs.mode', a.mode, ['max', 'avg']);
  return {
    x: [
      ['N', a.batch],
      ['H', a.inHeight],
      ['W', a.inWidth],
      ['C', a.channels],
    ],
    y: [
      ['N', a.batch],
      ['C', a.channels],
    ],
  };
}

export function checkDense(c: Check, a: DenseAttrs): { x: Dims; w: Dims; b: Dims; y: Dims } {
  c.attrs(a);
  for (const key of ['batch', 'inUnits', 'outUnits'] as const) c.positiveInt(`attrs.${key}`, a[key]);
  c.oneOf('attrs.activation', a.activation, ['linear', 'relu']);
  return {
    x: [
      ['N', a.batch],
      ['IN', a.inUnits],
    ],
    w: [
      ['IN', a.inUnits],
      ['OUT', a.outUnits],
    ],
    b: [['OUT', a.outUnits]],
    y: [
      ['N', a.batch],
      ['OUT', a.outUnits],
    ],
  };
}

export function checkBatchNorm(c: Check, a: BatchNormAttrs): { x: Dims; ch: Dims } {
  c.attrs(a);
  c.positiveInt('attrs.count', a.count);
  c.positiveInt('attrs.channels', a.channels);
  const eps = c.finite('attrs.epsilon', a.epsilon);
  if (eps < 0) c.config('attrs.epsilon', 'a non-negative number', eps);
  c.inRange('attrs.momentum', a.momentum, 0, 1);
  return {
    x: [
      ['count', a.count],
      ['C', a.channels],
    ],
    ch: [['C', a.channels]],
  };
}

export function checkActivation(c: Check, a: ActivationAttrs, length: number): void {
  c.attrs(a);
  c.oneOf('attrs.kind', a.kind, ACTIVATIONS);
  if (a.alpha !== undefined) c.finite('attrs.alpha', a.alpha);
  if (a.maxValue !== undefined && !(typeof a.maxValue === 'number' && a.maxValue >= 0)) {
    c.config('attrs.maxValue', 'a number >= 0 (or undefined for no maximum)', a.maxValue);
  }
  if (a.threshold !== undefined) c.finite('attrs.threshold', a.threshold);
  if (a.approximate !== undefined) c.boolean('attrs.approximate', a.approximate);
  if (a.kind === 'softmax' && a.axisSize !== undefined) {
    const axis = c.positiveInt('attrs.axisSize', a.axisSize);
    if (length % axis !== 0)
      c.shape('x', `a length divisible by axisSize ${axis}`, length, 'Softmax runs over rows of axisSize values.');
  }
}

/** Throws ValueError unless every sparse label is an integer in [0, classes). */
export function checkSparseLabels(where: string, target: FloatArray, classes: number): void {
  for (let n = 0; n < target.length; n++) {
    const label = target[n]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new ValueError(
        invalid(
          where,
          `target[${n}]`,
          `an integer class index in [0, ${classes})`,
          label,
          `Sample ${n} has label ${label}; sparse labels are class indices (use categoricalCrossentropy for one-hot rows).`,
        ),
      );
    }
  }
}

export function checkLoss(c: Check, losses: unknown, dInput: unknown, input: unknown, target: unknown, a: LossAttrs): void {
  c.attrs(a);
  c.oneOf('attrs.kind', a.kind, LOSSES);
  const N = c.positiveInt('attrs.batch', a.batch);
  const K = c.positiveInt('attrs.classes', a.classes);
  c.boolean('attrs.fromLogits', a.fromLogits);
  c.inRange('attrs.labelSmoothing', a.labelSmoothing, 0, 1);
  const rows: Dims = [
    ['N', N],
    ['classes', K],
  ];
  c.float('losses', losses, [['N', N]]);
  c.floatOrNull('dInput', dInput, rows);
  c.float('input', input, rows);
  const sparse = a.kind === 'sparseCategoricalCrossentropy';
  c.float('target', target, sparse ? [['N', N]] : rows);
  if (a.sampleWeight !== undefined) c.float('attrs.sampleWeight', a.sampleWeight, [['N', N]]);
  if (sparse) checkSparseLabels(c.where, target as FloatArray, K);
}

export function checkRandom(c: Check, a: RandomAttrs): void {
  c.attrs(a);
  c.integer('attrs.seed', a.seed);
  c.nonNegativeInt('attrs.offset', a.offset);
  c.oneOf('attrs.distribution', a.distribution, ['uniform', 'normal', 'truncatedNormal']);
  const low = a.low === undefined ? 0 : c.finite('attrs.low', a.low);
  const high = a.high === undefined ? 1 : c.finite('attrs.high', a.high);
  if (a.distribution === 'uniform' && high < low) c.config('attrs.high', `a number >= low (${low})`, high);
  if (a.mean !== undefined) c.finite('attrs.mean', a.mean);
  if (a.stddev !== undefined && !(Number.isFinite(a.stddev) && a.stddev >= 0))
    c.config('attrs.stddev', 'a finite number >= 0', a.stddev);
}

export function checkDropout(c: Check, y: unknown, mask: unknown, x: unknown, a: DropoutAttrs): void {
  c.attrs(a);
  c.inRange('attrs.rate', a.rate, 0, 1, true);
  c.integer('attrs.seed', a.seed);
  c.nonNegativeInt('attrs.offset', a.offset);
  const n = c.sameLength(['x', 'y', 'mask'], [x, y, mask]);
  if (a.spatial !== undefined) {
    const { batch, spatialSize, channels } = a.spatial;
    c.positiveInt('attrs.spatial.batch', batch);
    c.positiveInt('attrs.spatial.spatialSize', spatialSize);
    c.positiveInt('attrs.spatial.channels', channels);
    c.float('x', x, [
      ['N', batch],
      ['H*W', spatialSize],
      ['C', channels],
    ]);
    void n;
  }
}

export function checkRowsCols(c: Check, rows: unknown, cols: unknown): void {
  c.positiveInt('rows', rows);
  c.positiveInt('cols', cols);
}

export function checkCommonOptimizer(c: Check, a: { learningRate: number; weightDecay: number }): void {
  c.attrs(a);
  c.finite('attrs.learningRate', a.learningRate);
  const wd = c.finite('attrs.weightDecay', a.weightDecay);
  if (wd < 0) c.config('attrs.weightDecay', 'a number >= 0', wd);
}

export function checkImage(c: Check, a: ResizeAttrs): { x: Dims; y: Dims } {
  c.attrs(a);
  for (const key of ['batch', 'inHeight', 'inWidth', 'channels', 'outHeight', 'outWidth'] as const)
    c.positiveInt(`attrs.${key}`, a[key]);
  c.oneOf('attrs.method', a.method, ['bilinear', 'nearest', 'area']);
  return {
    x: [
      ['N', a.batch],
      ['H', a.inHeight],
      ['W', a.inWidth],
      ['C', a.channels],
    ],
    y: [
      ['N', a.batch],
      ['OH', a.outHeight],
      ['OW', a.outWidth],
      ['C', a.channels],
    ],
  };
}

export function checkAffine(c: Check, a: AffineAttrs): Dims {
  c.attrs(a);
  for (const key of ['batch', 'height', 'width', 'channels'] as const) c.positiveInt(`attrs.${key}`, a[key]);
  c.float('attrs.transforms', a.transforms, [
    ['N', a.batch],
    ['8', 8],
  ]);
  c.oneOf('attrs.interpolation', a.interpolation, ['nearest', 'bilinear']);
  c.oneOf('attrs.fillMode', a.fillMode, ['constant', 'nearest', 'reflect', 'wrap']);
  c.finite('attrs.fillValue', a.fillValue);
  return [
    ['N', a.batch],
    ['H', a.height],
    ['W', a.width],
    ['C', a.channels],
  ];
}
