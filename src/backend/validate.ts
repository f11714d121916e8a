// Argument validation shared by every backend: withValidation(raw) checks each kernel's attrs (ConfigError) and
// every buffer's type and exact length against them (ShapeError) before calling the raw kernel, so the reference
// and native backends fail with the same messages. It checks shapes and settings, never the data, except sparse labels.

import { ConfigError, ShapeError, ValueError, invalid } from '../errors.js';
import type {
  ActivationAttrs,
  AdamAttrs,
  AffineAttrs,
  Backend,
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
  RmspropAttrs,
  SgdAttrs,
} from './backend.js';
import { conv2dGeometry, pool2dGeometry } from './shapes.js';

/** Named dimensions of a buffer, in order: [['N', 2], ['H', 28], ...]. */
type Dims = [string, number][];

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

function isFloatArray(value: unknown): value is FloatArray {
  return value instanceof Float32Array || value instanceof Float64Array;
}

/** Checks for one kernel call; every failure names the kernel (`where`) and the argument. */
class Check {
  constructor(readonly where: string) {}

  config(arg: string, expected: string, received: unknown, hint = ''): never {
    throw new ConfigError(invalid(this.where, arg, expected, received, hint));
  }

  shape(arg: string, expected: string, received: unknown, hint = ''): never {
    throw new ShapeError(invalid(this.where, arg, expected, received, hint));
  }

  attrs(a: unknown): void {
    if (typeof a !== 'object' || a === null) this.config('attrs', 'an attrs object', a);
  }

  positiveInt(arg: string, v: unknown): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) this.config(arg, 'a positive integer', v);
    return v;
  }

  nonNegativeInt(arg: string, v: unknown): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) this.config(arg, 'a non-negative integer', v);
    return v;
  }

  integer(arg: string, v: unknown): number {
    if (typeof v !== 'number' || !Number.isInteger(v)) this.config(arg, 'an integer', v);
    return v;
  }

  finite(arg: string, v: unknown): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.config(arg, 'a finite number', v);
    return v;
  }

  number(arg: string, v: unknown): number {
    if (typeof v !== 'number') this.config(arg, 'a number', v);
    return v;
  }

  /** v in [low, high] or [low, high) when highOpen. */
  inRange(arg: string, v: unknown, low: number, high: number, highOpen = false): number {
    const ok = typeof v === 'number' && v >= low && (highOpen ? v < high : v <= high);
    if (!ok) this.config(arg, `a number in [${low}, ${high}${highOpen ? ')' : ']'}`, v);
    return v as number;
  }

  boolean(arg: string, v: unknown): void {
    if (typeof v !== 'boolean') this.config(arg, 'true or false', v);
  }

  oneOf(arg: string, v: unknown, options: readonly string[]): void {
    if (typeof v !== 'string' || !options.includes(v)) this.config(arg, `one of ${options.map((o) => `'${o}'`).join(', ')}`, v);
  }

  pair(arg: string, v: unknown): void {
    if (!Array.isArray(v) || v.length !== 2) this.config(arg, 'a pair [height, width] of positive integers', v);
    this.positiveInt(`${arg}[0]`, v[0]);
    this.positiveInt(`${arg}[1]`, v[1]);
  }

  /** A Float32Array/Float64Array whose length is the product of dims. */
  float(arg: string, buf: unknown, dims: Dims): void {
    const length = dims.reduce((p, [, d]) => p * d, 1);
    const text = `(${dims.map(([name, d]) => `${name}=${d}`).join(', ')})`;
    const type = buf instanceof Float64Array ? 'Float64Array' : 'Float32Array';
    if (!isFloatArray(buf)) {
      this.shape(
        arg,
        `${type}(${length}) for ${text}`,
        buf,
        'Kernels take Float32Array buffers (Float64Array on the reference backend).',
      );
    }
    if (buf.length !== length) {
      this.shape(
        arg,
        `${type}(${length}) for ${text}`,
        buf,
        'The length must be the product of the shape; check the attrs sizes and the buffer.',
      );
    }
  }

  /** A float buffer, or null when allowed. */
  floatOrNull(arg: string, buf: unknown, dims: Dims): void {
    if (buf !== null) this.float(arg, buf, dims);
  }

  /** Float buffer required only when `needed` (then null is rejected); otherwise null or a valid buffer. */
  floatIf(arg: string, buf: unknown, dims: Dims, needed: boolean, why: string): void {
    if (buf === null || buf === undefined) {
      if (needed) this.shape(arg, `a Float32Array(${dims.reduce((p, [, d]) => p * d, 1)}) ${why}`, buf);
      return;
    }
    this.float(arg, buf, dims);
  }

  int32(arg: string, buf: unknown, dims: Dims): void {
    const length = dims.reduce((p, [, d]) => p * d, 1);
    const text = `(${dims.map(([name, d]) => `${name}=${d}`).join(', ')})`;
    if (!(buf instanceof Int32Array) || buf.length !== length) {
      this.shape(arg, `Int32Array(${length}) for ${text}`, buf, 'Index outputs are Int32Array buffers.');
    }
  }

  /** All buffers the same length as the first (element-wise kernels). */
  sameLength(names: string[], bufs: unknown[]): number {
    const first = bufs[0];
    if (!isFloatArray(first)) this.shape(names[0]!, 'a Float32Array or Float64Array', first);
    for (let i = 1; i < bufs.length; i++) this.float(names[i]!, bufs[i], [['length', first.length]]);
    return first.length;
  }
}

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

function checkConv(c: Check, a: Conv2dAttrs): { outHeight: number; outWidth: number } {
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

function convDims(a: Conv2dAttrs, g: { outHeight: number; outWidth: number }): { x: Dims; w: Dims; b: Dims; y: Dims } {
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

function checkPool(c: Check, a: Pool2dAttrs): { x: Dims; y: Dims } {
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

function checkGlobalPool(c: Check, a: GlobalPool2dAttrs): { x: Dims; y: Dims } {
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

function checkDense(c: Check, a: DenseAttrs): { x: Dims; w: Dims; b: Dims; y: Dims } {
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

function checkBatchNorm(c: Check, a: BatchNormAttrs): { x: Dims; ch: Dims } {
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

function checkActivation(c: Check, a: ActivationAttrs, length: number): void {
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

function checkLoss(c: Check, losses: unknown, dInput: unknown, input: unknown, target: unknown, a: LossAttrs): void {
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

function checkRandom(c: Check, a: RandomAttrs): void {
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

function checkDropout(c: Check, y: unknown, mask: unknown, x: unknown, a: DropoutAttrs): void {
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

function checkRowsCols(c: Check, rows: unknown, cols: unknown): void {
  c.positiveInt('rows', rows);
  c.positiveInt('cols', cols);
}

function checkCommonOptimizer(c: Check, a: { learningRate: number; weightDecay: number }): void {
  c.attrs(a);
  c.finite('attrs.learningRate', a.learningRate);
  const wd = c.finite('attrs.weightDecay', a.weightDecay);
  if (wd < 0) c.config('attrs.weightDecay', 'a number >= 0', wd);
}

function checkImage(c: Check, a: ResizeAttrs): { x: Dims; y: Dims } {
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

function checkAffine(c: Check, a: AffineAttrs): Dims {
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

/**
 * Wraps a raw backend so every kernel checks its attrs and buffers first.
 * @example
 * const backend = withValidation(createRawReferenceBackend());
 */
export function withValidation(raw: Backend): Backend {
  return {
    name: raw.name,

    conv2dForward(y, x, w, b, a) {
      const c = new Check('conv2dForward');
      const d = convDims(a, checkConv(c, a));
      c.float('x', x, d.x);
      c.float('w', w, d.w);
      c.floatOrNull('b', b, d.b);
      c.float('y', y, d.y);
      raw.conv2dForward(y, x, w, b, a);
    },
    conv2dBackwardData(dx, dy, w, a) {
      const c = new Check('conv2dBackwardData');
      const d = convDims(a, checkConv(c, a));
      c.float('dy', dy, d.y);
      c.float('w', w, d.w);
      c.float('dx', dx, d.x);
      raw.conv2dBackwardData(dx, dy, w, a);
    },
    conv2dBackwardWeights(dW, dB, x, dy, a) {
      const c = new Check('conv2dBackwardWeights');
      const d = convDims(a, checkConv(c, a));
      c.float('x', x, d.x);
      c.float('dy', dy, d.y);
      c.float('dw', dW, d.w);
      c.floatOrNull('db', dB, d.b);
      raw.conv2dBackwardWeights(dW, dB, x, dy, a);
    },

    maxPool2dForward(y, argmax, x, a) {
      const c = new Check('maxPool2dForward');
      const d = checkPool(c, a);
      c.float('x', x, d.x);
      c.float('y', y, d.y);
      c.int32('argmax', argmax, d.y);
      raw.maxPool2dForward(y, argmax, x, a);
    },
    maxPool2dBackward(dx, dy, argmax, a) {
      const c = new Check('maxPool2dBackward');
      const d = checkPool(c, a);
      c.float('dy', dy, d.y);
      c.int32('argmax', argmax, d.y);
      c.float('dx', dx, d.x);
      raw.maxPool2dBackward(dx, dy, argmax, a);
    },
    avgPool2dForward(y, x, a) {
      const c = new Check('avgPool2dForward');
      const d = checkPool(c, a);
      c.float('x', x, d.x);
      c.float('y', y, d.y);
      raw.avgPool2dForward(y, x, a);
    },
    avgPool2dBackward(dx, dy, a) {
      const c = new Check('avgPool2dBackward');
      const d = checkPool(c, a);
      c.float('dy', dy, d.y);
      c.float('dx', dx, d.x);
      raw.avgPool2dBackward(dx, dy, a);
    },
    globalPool2dForward(y, x, a) {
      const c = new Check('globalPool2dForward');
      const d = checkGlobalPool(c, a);
      c.float('x', x, d.x);
      c.float('y', y, d.y);
      raw.globalPool2dForward(y, x, a);
    },
    globalPool2dBackward(dx, dy, x, a) {
      const c = new Check('globalPool2dBackward');
      const d = checkGlobalPool(c, a);
      c.float('dy', dy, d.y);
      c.float('x', x, d.x);
      c.float('dx', dx, d.x);
      raw.globalPool2dBackward(dx, dy, x, a);
    },

    denseForward(y, x, w, b, a) {
      const c = new Check('denseForward');
      const d = checkDense(c, a);
      c.float('x', x, d.x);
      c.float('w', w, d.w);
      c.floatOrNull('b', b, d.b);
      c.float('y', y, d.y);
      raw.denseForward(y, x, w, b, a);
    },
    denseBackwardData(dx, dy, w, a) {
      const c = new Check('denseBackwardData');
      const d = checkDense(c, a);
      c.float('dy', dy, d.y);
      c.float('w', w, d.w);
      c.float('dx', dx, d.x);
      raw.denseBackwardData(dx, dy, w, a);
    },
    denseBackwardWeights(dW, dB, x, dy, a) {
      const c = new Check('denseBackwardWeights');
      const d = checkDense(c, a);
      c.float('x', x, d.x);
      c.float('dy', dy, d.y);
      c.float('dw', dW, d.w);
      c.floatOrNull('db', dB, d.b);
      raw.denseBackwardWeights(dW, dB, x, dy, a);
    },

    batchNormForwardTraining(y, saveMean, saveInvStd, x, gamma, beta, movingMean, movingVar, a) {
      const c = new Check('batchNormForwardTraining');
      const d = checkBatchNorm(c, a);
      c.float('x', x, d.x);
      c.float('y', y, d.x);
      for (const [name, buf] of [
        ['saveMean', saveMean],
        ['saveInvStd', saveInvStd],
        ['gamma', gamma],
        ['beta', beta],
        ['movingMean', movingMean],
        ['movingVar', movingVar],
      ] as const) {
        c.float(name, buf, d.ch);
      }
      raw.batchNormForwardTraining(y, saveMean, saveInvStd, x, gamma, beta, movingMean, movingVar, a);
    },
    batchNormForwardInference(y, x, gamma, beta, movingMean, movingVar, a) {
      const c = new Check('batchNormForwardInference');
      const d = checkBatchNorm(c, a);
      c.float('x', x, d.x);
      c.float('y', y, d.x);
      for (const [name, buf] of [
        ['gamma', gamma],
        ['beta', beta],
        ['movingMean', movingMean],
        ['movingVar', movingVar],
      ] as const) {
        c.float(name, buf, d.ch);
      }
      raw.batchNormForwardInference(y, x, gamma, beta, movingMean, movingVar, a);
    },
    batchNormBackward(dx, dGamma, dBeta, dy, x, gamma, saveMean, saveInvStd, a) {
      const c = new Check('batchNormBackward');
      const d = checkBatchNorm(c, a);
      c.boolean('attrs.training', a.training);
      c.float('dy', dy, d.x);
      c.float('x', x, d.x);
      c.float('dx', dx, d.x);
      for (const [name, buf] of [
        ['dGamma', dGamma],
        ['dBeta', dBeta],
        ['gamma', gamma],
        ['saveMean', saveMean],
        ['saveInvStd', saveInvStd],
      ] as const) {
        c.float(name, buf, d.ch);
      }
      raw.batchNormBackward(dx, dGamma, dBeta, dy, x, gamma, saveMean, saveInvStd, a);
    },

    activationForward(y, x, a) {
      const c = new Check('activationForward');
      const n = c.sameLength(['x', 'y'], [x, y]);
      checkActivation(c, a, n);
      raw.activationForward(y, x, a);
    },
    activationBackward(dx, dy, x, y, a) {
      const c = new Check('activationBackward');
      const n = c.sameLength(['x', 'dy', 'y', 'dx'], [x, dy, y, dx]);
      checkActivation(c, a, n);
      raw.activationBackward(dx, dy, x, y, a);
    },

    lossForward(losses, dInput, input, target, a) {
      checkLoss(new Check('lossForward'), losses, dInput, input, target, a);
      raw.lossForward(losses, dInput, input, target, a);
    },

    random(out, a) {
      const c = new Check('random');
      checkRandom(c, a);
      c.sameLength(['out'], [out]);
      raw.random(out, a);
    },
    dropoutForward(y, mask, x, a) {
      checkDropout(new Check('dropoutForward'), y, mask, x, a);
      raw.dropoutForward(y, mask, x, a);
    },

    axpby(out, a, b, alpha, beta) {
      const c = new Check('axpby');
      c.sameLength(['out', 'a', 'b'], [out, a, b]);
      c.number('alpha', alpha);
      c.number('beta', beta);
      raw.axpby(out, a, b, alpha, beta);
    },
    multiply(out, a, b) {
      new Check('multiply').sameLength(['out', 'a', 'b'], [out, a, b]);
      raw.multiply(out, a, b);
    },
    scale(out, x, alpha) {
      const c = new Check('scale');
      c.sameLength(['out', 'x'], [out, x]);
      c.number('alpha', alpha);
      raw.scale(out, x, alpha);
    },
    clip(out, x, low, high) {
      const c = new Check('clip');
      c.sameLength(['out', 'x'], [out, x]);
      c.number('low', low);
      c.number('high', high);
      if (high < low) c.config('high', `a number >= low (${low})`, high);
      raw.clip(out, x, low, high);
    },
    sumRows(out, x, rows, cols) {
      const c = new Check('sumRows');
      checkRowsCols(c, rows, cols);
      c.float('x', x, [
        ['rows', rows],
        ['cols', cols],
      ]);
      c.float('out', out, [['cols', cols]]);
      raw.sumRows(out, x, rows, cols);
    },
    sumSquares(x) {
      new Check('sumSquares').sameLength(['x'], [x]);
      return raw.sumSquares(x);
    },
    argmaxRows(out, x, rows, cols) {
      const c = new Check('argmaxRows');
      checkRowsCols(c, rows, cols);
      c.float('x', x, [
        ['rows', rows],
        ['cols', cols],
      ]);
      c.int32('out', out, [['rows', rows]]);
      raw.argmaxRows(out, x, rows, cols);
    },

    sgdUpdate(param, grad, velocity, a: SgdAttrs) {
      const c = new Check('sgdUpdate');
      checkCommonOptimizer(c, a);
      c.inRange('attrs.momentum', a.momentum, 0, 1);
      c.boolean('attrs.nesterov', a.nesterov);
      const n = c.sameLength(['param', 'grad'], [param, grad]);
      c.floatIf('velocity', velocity, [['length', n]], a.momentum > 0, 'when momentum > 0');
      raw.sgdUpdate(param, grad, velocity, a);
    },
    adamUpdate(param, grad, m, v, a: AdamAttrs) {
      const c = new Check('adamUpdate');
      checkCommonOptimizer(c, a);
      c.inRange('attrs.beta1', a.beta1, 0, 1, true);
      c.inRange('attrs.beta2', a.beta2, 0, 1, true);
      const eps = c.finite('attrs.epsilon', a.epsilon);
      if (eps < 0) c.config('attrs.epsilon', 'a number >= 0', eps);
      c.positiveInt('attrs.step', a.step);
      c.sameLength(['param', 'grad', 'm', 'v'], [param, grad, m, v]);
      raw.adamUpdate(param, grad, m, v, a);
    },
    rmspropUpdate(param, grad, meanSquare, meanGrad, momentumBuf, a: RmspropAttrs) {
      const c = new Check('rmspropUpdate');
      checkCommonOptimizer(c, a);
      c.inRange('attrs.rho', a.rho, 0, 1, true);
      c.inRange('attrs.momentum', a.momentum, 0, 1);
      const eps = c.finite('attrs.epsilon', a.epsilon);
      if (eps < 0) c.config('attrs.epsilon', 'a number >= 0', eps);
      c.boolean('attrs.centered', a.centered);
      const n = c.sameLength(['param', 'grad', 'meanSquare'], [param, grad, meanSquare]);
      c.floatIf('meanGrad', meanGrad, [['length', n]], a.centered, 'when centered');
      c.floatIf('momentumBuf', momentumBuf, [['length', n]], a.momentum > 0, 'when momentum > 0');
      raw.rmspropUpdate(param, grad, meanSquare, meanGrad, momentumBuf, a);
    },

    resizeImages(y, x, a) {
      const c = new Check('resizeImages');
      const d = checkImage(c, a);
      c.float('x', x, d.x);
      c.float('y', y, d.y);
      raw.resizeImages(y, x, a);
    },
    affineTransform(y, x, a) {
      const c = new Check('affineTransform');
      const d = checkAffine(c, a);
      c.float('x', x, d);
      c.float('y', y, d);
      raw.affineTransform(y, x, a);
    },

    setThreads(count) {
      new Check('setThreads').positiveInt('count', count);
      raw.setThreads(count);
    },
    getThreads() {
      return raw.getThreads();
    },
  };
}
