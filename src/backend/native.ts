// The native backend: loads the C++ addon (build/Release/convkit_native.node, oneDNN + OpenMP) and adapts the
// Backend interface to its C-like functions: attrs become flat number arrays, 'same' padding is resolved here
// (shapes.ts) so C++ gets explicit pads. Float32Array only. Validation is withValidation's; this file only
// converts. Addon errors arrive as BackendError.

import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BackendError, ConfigError, ValueError } from '../errors.js';
import type { ActivationAttrs, Backend, Conv2dAttrs, FloatArray, LossKind, Pool2dAttrs, RandomAttrs } from './backend.js';
import { autoThreadCandidates } from './openmp-env.js';
import { conv2dGeometry, pool2dGeometry } from './shapes.js';
import { withValidation } from './validate.js';

type F32 = Float32Array;
type Fn = (...args: unknown[]) => unknown;
export type Addon = Record<string, Fn>;

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
const LOSSES: LossKind[] = ['categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy', 'meanSquaredError'];
const DISTRIBUTIONS: RandomAttrs['distribution'][] = ['uniform', 'normal', 'truncatedNormal'];
const RESIZE = ['bilinear', 'nearest', 'area'];
const FILL = ['constant', 'nearest', 'reflect', 'wrap'];

/** The package's root folder (the same from src/backend/ under tsx and from dist/backend/ when compiled). */
function packageRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** Path of the compiled addon. */
export function nativeAddonPath(): string {
  return join(packageRoot(), 'build', 'Release', 'convkit_native.node');
}

/** How to (re)build the addon: `npm rebuild convkit` where convkit is an installed dependency, else the checkout's script. */
export function nativeBuildCommand(): string {
  return packageRoot().split(sep).includes('node_modules') ? 'npm rebuild convkit' : 'npm run build:native';
}

/** What a user does to get the native backend, for messages. */
export function nativeBuildHint(): string {
  return `install oneDNN and a C++ toolchain (Debian/Ubuntu: apt-get install libdnnl-dev g++ make python3), then run \`${nativeBuildCommand()}\``;
}

function f32(kernel: string, name: string, buf: FloatArray): F32 {
  if (buf instanceof Float32Array) return buf;
  throw new ConfigError(
    `native ${kernel}: invalid '${name}'. Expected a Float32Array, received ${buf?.constructor?.name ?? String(buf)}. ` +
      'The native backend computes in float32; use the reference backend for Float64Array (finite differences).',
  );
}

function convParams(a: Conv2dAttrs): number[] {
  const g = conv2dGeometry(a);
  const { top, bottom, left, right } = g.pad;
  return [
    a.batch,
    a.inHeight,
    a.inWidth,
    a.inChannels,
    a.outChannels,
    a.kernelHeight,
    a.kernelWidth,
    a.strides[0],
    a.strides[1],
    a.dilations[0],
    a.dilations[1],
    top,
    bottom,
    left,
    right,
    a.groups,
    g.outHeight,
    g.outWidth,
    a.activation === 'relu' ? 1 : 0,
  ];
}

function poolParams(a: Pool2dAttrs): number[] {
  const g = pool2dGeometry(a);
  return [
    a.batch,
    a.inHeight,
    a.inWidth,
    a.channels,
    a.poolSize[0],
    a.poolSize[1],
    a.strides[0],
    a.strides[1],
    g.pad.top,
    g.pad.left,
    g.outHeight,
    g.outWidth,
  ];
}

function actParams(a: ActivationAttrs): number[] {
  const kind = ACTIVATIONS.indexOf(a.kind);
  const alpha = a.alpha ?? (a.kind === 'leakyRelu' ? 0.3 : a.kind === 'elu' ? 1 : 0);
  return [kind, alpha, a.maxValue ?? Number.POSITIVE_INFINITY, a.threshold ?? 0, a.approximate ? 1 : 0, a.axisSize ?? 1];
}

/** Wraps every addon call so C++ errors become BackendError (argument checks stay as thrown). */
function call(addon: Addon, name: string): Fn {
  const fn = addon[name];
  if (typeof fn !== 'function')
    throw new BackendError(`native: the addon lacks '${name}'; rebuild it with \`${nativeBuildCommand()}\`.`);
  return (...args) => {
    try {
      return fn(...args);
    } catch (error) {
      if (error instanceof Error && !(error instanceof TypeError)) throw new BackendError(error.message);
      throw error;
    }
  };
}

/** The raw native backend (no validation), over a loaded addon. */
export function createRawNativeBackend(addon: Addon): Backend {
  const k = (name: string) => call(addon, name);
  const conv = k('conv2dForward'),
    convData = k('conv2dBackwardData'),
    convWeights = k('conv2dBackwardWeights');
  const dense = k('denseForward'),
    denseData = k('denseBackwardData'),
    denseWeights = k('denseBackwardWeights');
  const maxF = k('maxPool2dForward'),
    maxB = k('maxPool2dBackward'),
    avgF = k('avgPool2dForward'),
    avgB = k('avgPool2dBackward');
  const globF = k('globalPool2dForward'),
    globB = k('globalPool2dBackward');
  const bnT = k('batchNormForwardTraining'),
    bnI = k('batchNormForwardInference'),
    bnB = k('batchNormBackward');
  const actF = k('activationForward'),
    actB = k('activationBackward'),
    loss = k('lossForward');
  const rand = k('random'),
    drop = k('dropoutForward');
  const axpby = k('axpby'),
    mul = k('multiply'),
    scale = k('scale'),
    clip = k('clip');
  const sumRows = k('sumRows'),
    sumSq = k('sumSquares'),
    argmax = k('argmaxRows');
  const sgd = k('sgdUpdate'),
    adam = k('adamUpdate'),
    rms = k('rmspropUpdate'),
    resize = k('resizeImages'),
    affine = k('affineTransform');
  const setThreads = k('setThreads'),
    getThreads = k('getThreads');
  // Before any setThreads the addon reports its default: OMP_NUM_THREADS, else the processors we may run on.
  const candidates = autoThreadCandidates(getThreads() as number);
  let fixedByUser = false;
  const nullable = (kernel: string, name: string, b: FloatArray | null | undefined) => (b ? f32(kernel, name, b) : null);

  return {
    name: 'native',
    conv2dForward(y, x, w, b, a) {
      conv(
        f32('conv2dForward', 'y', y),
        f32('conv2dForward', 'x', x),
        f32('conv2dForward', 'w', w),
        nullable('conv2dForward', 'b', b),
        convParams(a),
      );
    },
    conv2dBackwardData(dx, dy, w, a) {
      convData(
        f32('conv2dBackwardData', 'dx', dx),
        f32('conv2dBackwardData', 'dy', dy),
        f32('conv2dBackwardData', 'w', w),
        convParams(a),
      );
    },
    conv2dBackwardWeights(dw, db, x, dy, a) {
      const n = 'conv2dBackwardWeights';
      convWeights(f32(n, 'dw', dw), nullable(n, 'db', db), f32(n, 'x', x), f32(n, 'dy', dy), convParams(a));
    },
    maxPool2dForward(y, am, x, a) {
      maxF(f32('maxPool2dForward', 'y', y), am, f32('maxPool2dForward', 'x', x), poolParams(a));
    },
    maxPool2dBackward(dx, dy, am, a) {
      maxB(f32('maxPool2dBackward', 'dx', dx), f32('maxPool2dBackward', 'dy', dy), am, poolParams(a));
    },
    avgPool2dForward(y, x, a) {
      avgF(f32('avgPool2dForward', 'y', y), f32('avgPool2dForward', 'x', x), poolParams(a));
    },
    avgPool2dBackward(dx, dy, a) {
      avgB(f32('avgPool2dBackward', 'dx', dx), f32('avgPool2dBackward', 'dy', dy), poolParams(a));
    },
    globalPool2dForward(y, x, a) {
      globF(f32('globalPool2dForward', 'y', y), f32('globalPool2dForward', 'x', x), [
        a.batch,
        a.inHeight * a.inWidth,
        a.channels,
        a.mode === 'max' ? 1 : 0,
      ]);
    },
    globalPool2dBackward(dx, dy, x, a) {
      const n = 'globalPool2dBackward';
      globB(f32(n, 'dx', dx), f32(n, 'dy', dy), f32(n, 'x', x), [
        a.batch,
        a.inHeight * a.inWidth,
        a.channels,
        a.mode === 'max' ? 1 : 0,
      ]);
    },
    denseForward(y, x, w, b, a) {
      const n = 'denseForward';
      dense(f32(n, 'y', y), f32(n, 'x', x), f32(n, 'w', w), nullable(n, 'b', b), [
        a.batch,
        a.inUnits,
        a.outUnits,
        a.activation === 'relu' ? 1 : 0,
      ]);
    },
    denseBackwardData(dx, dy, w, a) {
      const n = 'denseBackwardData';
      denseData(f32(n, 'dx', dx), f32(n, 'dy', dy), f32(n, 'w', w), [a.batch, a.inUnits, a.outUnits]);
    },
    denseBackwardWeights(dw, db, x, dy, a) {
      const n = 'denseBackwardWeights';
      denseWeights(f32(n, 'dw', dw), nullable(n, 'db', db), f32(n, 'x', x), f32(n, 'dy', dy), [a.batch, a.inUnits, a.outUnits]);
    },
    batchNormForwardTraining(y, mean, inv, x, gamma, beta, mm, mv, a) {
      const n = 'batchNormForwardTraining';
      const bufs = [y, mean, inv, x, gamma, beta, mm, mv].map((b, i) =>
        f32(n, ['y', 'saveMean', 'saveInvStd', 'x', 'gamma', 'beta', 'movingMean', 'movingVar'][i]!, b),
      );
      bnT(...bufs, [a.count, a.channels, a.epsilon, a.momentum]);
    },
    batchNormForwardInference(y, x, gamma, beta, mm, mv, a) {
      const n = 'batchNormForwardInference';
      const bufs = [y, x, gamma, beta, mm, mv].map((b, i) =>
        f32(n, ['y', 'x', 'gamma', 'beta', 'movingMean', 'movingVar'][i]!, b),
      );
      bnI(...bufs, [a.count, a.channels, a.epsilon]);
    },
    batchNormBackward(dx, dg, db, dy, x, gamma, mean, inv, a) {
      const n = 'batchNormBackward';
      const bufs = [dx, dg, db, dy, x, gamma, mean, inv].map((b, i) =>
        f32(n, ['dx', 'dGamma', 'dBeta', 'dy', 'x', 'gamma', 'saveMean', 'saveInvStd'][i]!, b),
      );
      bnB(...bufs, [a.count, a.channels, a.training ? 1 : 0]);
    },
    activationForward(y, x, a) {
      actF(f32('activationForward', 'y', y), f32('activationForward', 'x', x), actParams(a));
    },
    activationBackward(dx, dy, x, y, a) {
      const n = 'activationBackward';
      actB(f32(n, 'dx', dx), f32(n, 'dy', dy), f32(n, 'x', x), f32(n, 'y', y), actParams(a));
    },
    lossForward(losses, dInput, input, target, a) {
      const n = 'lossForward';
      const sw = nullable(n, 'sampleWeight', a.sampleWeight);
      const params = [LOSSES.indexOf(a.kind), a.batch, a.classes, a.fromLogits ? 1 : 0, a.labelSmoothing];
      const bad = loss(
        f32(n, 'losses', losses),
        nullable(n, 'dInput', dInput),
        f32(n, 'input', input),
        f32(n, 'target', target),
        sw,
        params,
      ) as number;
      if (bad >= 0) {
        throw new ValueError(
          `lossForward: invalid 'target'. Expected class indices in [0, ${a.classes}), received ${target[bad]} at sample ${bad}. Check the labels or the number of classes.`,
        );
      }
    },
    random(out, a) {
      const d = a.distribution;
      const lowOrMean = d === 'uniform' ? (a.low ?? 0) : (a.mean ?? 0);
      const highOrStd = d === 'uniform' ? (a.high ?? 1) : (a.stddev ?? 1);
      rand(f32('random', 'out', out), [a.seed, a.offset, DISTRIBUTIONS.indexOf(d), lowOrMean, highOrStd]);
    },
    dropoutForward(y, mask, x, a) {
      const s = a.spatial;
      const n = 'dropoutForward';
      drop(f32(n, 'y', y), f32(n, 'mask', mask), f32(n, 'x', x), [
        a.rate,
        a.seed,
        a.offset,
        s?.batch ?? 0,
        s?.spatialSize ?? 0,
        s?.channels ?? 0,
      ]);
    },
    axpby(out, a, b, alpha, beta) {
      axpby(f32('axpby', 'out', out), f32('axpby', 'a', a), f32('axpby', 'b', b), alpha, beta);
    },
    multiply(out, a, b) {
      mul(f32('multiply', 'out', out), f32('multiply', 'a', a), f32('multiply', 'b', b));
    },
    scale(out, x, alpha) {
      scale(f32('scale', 'out', out), f32('scale', 'x', x), alpha);
    },
    clip(out, x, low, high) {
      clip(f32('clip', 'out', out), f32('clip', 'x', x), low, high);
    },
    sumRows(out, x, rows, cols) {
      sumRows(f32('sumRows', 'out', out), f32('sumRows', 'x', x), rows, cols);
    },
    sumSquares(x) {
      return sumSq(f32('sumSquares', 'x', x)) as number;
    },
    argmaxRows(out, x, rows, cols) {
      argmax(out, f32('argmaxRows', 'x', x), rows, cols);
    },
    sgdUpdate(param, grad, velocity, a) {
      const n = 'sgdUpdate';
      sgd(f32(n, 'param', param), f32(n, 'grad', grad), nullable(n, 'velocity', velocity), [
        a.learningRate,
        a.momentum,
        a.nesterov ? 1 : 0,
        a.weightDecay,
      ]);
    },
    adamUpdate(param, grad, m, v, a) {
      const n = 'adamUpdate';
      adam(f32(n, 'param', param), f32(n, 'grad', grad), f32(n, 'm', m), f32(n, 'v', v), [
        a.learningRate,
        a.beta1,
        a.beta2,
        a.epsilon,
        a.step,
        a.weightDecay,
      ]);
    },
    rmspropUpdate(param, grad, ms, mg, mb, a) {
      const n = 'rmspropUpdate';
      const params = [a.learningRate, a.rho, a.momentum, a.epsilon, a.centered ? 1 : 0, a.weightDecay];
      rms(
        f32(n, 'param', param),
        f32(n, 'grad', grad),
        f32(n, 'meanSquare', ms),
        nullable(n, 'meanGrad', mg),
        nullable(n, 'momentumBuf', mb),
        params,
      );
    },
    resizeImages(y, x, a) {
      const p = [a.batch, a.inHeight, a.inWidth, a.channels, a.outHeight, a.outWidth, RESIZE.indexOf(a.method)];
      resize(f32('resizeImages', 'y', y), f32('resizeImages', 'x', x), p);
    },
    affineTransform(y, x, a) {
      const n = 'affineTransform';
      const t = a.transforms instanceof Float32Array ? a.transforms : Float32Array.from(a.transforms);
      const p = [
        a.batch,
        a.height,
        a.width,
        a.channels,
        a.interpolation === 'bilinear' ? 1 : 0,
        FILL.indexOf(a.fillMode),
        a.fillValue,
      ];
      affine(f32(n, 'y', y), f32(n, 'x', x), t, p);
    },
    setThreads(count) {
      fixedByUser = count !== 'auto';
      setThreads(count === 'auto' ? 0 : count); // 0: the addon's default until the adaptive tuner picks one
    },
    getThreads() {
      return getThreads() as number;
    },
    autoThreadCandidates() {
      return fixedByUser ? [] : candidates;
    },
    applyAutoThreads(count) {
      if (!fixedByUser) setThreads(count);
    },
  };
}

let cachedAddon: Addon | null = null;
let cached: Backend | null = null;

/**
 * The compiled addon itself, unwrapped: its C-like functions without the TypeScript validation (tests reach the
 * addon's own argument checks this way) plus `setAvx512Kernels(on)` and `kernelInfo()`. Throws when it cannot load.
 */
export function loadNativeAddon(): Addon {
  if (cachedAddon) return cachedAddon;
  const path = nativeAddonPath();
  try {
    cachedAddon = createRequire(import.meta.url)(path) as Addon;
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new BackendError(`native: could not load ${path} (${why}).`);
  }
  return cachedAddon;
}

/**
 * Loads the native backend (validated). Throws with the reason when the addon is not built or cannot load.
 * @example
 * const backend = loadNativeBackend();
 * backend.setThreads(2);
 */
export function loadNativeBackend(): Backend {
  if (cached) return cached;
  cached = withValidation(createRawNativeBackend(loadNativeAddon()));
  return cached;
}
