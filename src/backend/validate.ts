// Argument validation shared by every backend: withValidation(raw) checks each kernel's attrs (ConfigError) and
// every buffer's type and exact length against them (ShapeError) before calling the raw kernel, so the reference
// and native backends fail with the same messages. It checks shapes and settings, never the data, except sparse labels.
// The generic checkers live in validate/checks.ts, the per-kernel attrs checks in validate/attrs.ts.

import type { AdamAttrs, Backend, RmspropAttrs, SgdAttrs } from './backend.js';
import {
  checkActivation,
  checkAffine,
  checkBatchNorm,
  checkCommonOptimizer,
  checkConv,
  checkDense,
  checkDropout,
  checkGlobalPool,
  checkImage,
  checkLoss,
  checkPool,
  checkRandom,
  checkRowsCols,
  convDims,
} from './validate/attrs.js';
import { Check } from './validate/checks.js';

export { checkSparseLabels } from './validate/attrs.js';

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
      if (count !== 'auto' && !(Number.isInteger(count) && count >= 1))
        new Check('setThreads').config(
          'count',
          "a positive integer or 'auto'",
          count,
          "'auto' (the default) adapts to the machine's load.",
        );
      raw.setThreads(count);
    },
    getThreads() {
      return raw.getThreads();
    },
    autoThreadCandidates() {
      return raw.autoThreadCandidates();
    },
    applyAutoThreads(count) {
      new Check('applyAutoThreads').positiveInt('count', count);
      raw.applyAutoThreads(count);
    },
  };
}
