// The reference backend: plain, browser-safe TypeScript kernels (the test oracle, float32 or float64), wrapped in
// the shared argument validation. Single-threaded; setThreads is accepted and ignored.

import type { Backend } from '../backend.js';
import { withValidation } from '../validate.js';
import { activationBackward, activationForward } from './activations.js';
import { batchNormBackward, batchNormForwardInference, batchNormForwardTraining } from './batch-norm.js';
import { conv2dBackwardData, conv2dBackwardWeights, conv2dForward } from './conv.js';
import { denseBackwardData, denseBackwardWeights, denseForward } from './dense.js';
import { argmaxRows, axpby, clip, multiply, scale, sumRows, sumSquares } from './elementwise.js';
import { affineTransform, resizeImages } from './image.js';
import { lossForward } from './losses.js';
import { adamUpdate, rmspropUpdate, sgdUpdate } from './optimizers.js';
import {
  avgPool2dBackward,
  avgPool2dForward,
  globalPool2dBackward,
  globalPool2dForward,
  maxPool2dBackward,
  maxPool2dForward,
} from './pool.js';
import { dropoutForward, random } from './random.js';

/** The unchecked kernels (callers must pass consistent buffers); most code wants createReferenceBackend(). */
export function createRawReferenceBackend(): Backend {
  return {
    name: 'reference',
    conv2dForward,
    conv2dBackwardData,
    conv2dBackwardWeights,
    maxPool2dForward,
    maxPool2dBackward,
    avgPool2dForward,
    avgPool2dBackward,
    globalPool2dForward,
    globalPool2dBackward,
    denseForward,
    denseBackwardData,
    denseBackwardWeights,
    batchNormForwardTraining,
    batchNormForwardInference,
    batchNormBackward,
    activationForward,
    activationBackward,
    lossForward,
    random,
    dropoutForward,
    axpby,
    multiply,
    scale,
    clip,
    sumRows,
    sumSquares,
    argmaxRows,
    sgdUpdate,
    adamUpdate,
    rmspropUpdate,
    resizeImages,
    affineTransform,
    setThreads: () => {},
    getThreads: () => 1,
    autoThreadCandidates: () => [],
    applyAutoThreads: () => {},
  };
}

/**
 * The reference backend with every kernel's arguments checked.
 * @example
 * const backend = createReferenceBackend();
 * backend.denseForward(y, x, w, b, { batch: 2, inUnits: 3, outUnits: 4, activation: 'relu' });
 */
export function createReferenceBackend(): Backend {
  return withValidation(createRawReferenceBackend());
}
