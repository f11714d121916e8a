// Reference batch normalization over the last axis of x: (count, C): training forward (batch statistics,
// biased variance, Keras 3 moving-average update), inference forward, and the backward of either. Does not validate.

import type { BatchNormAttrs, FloatArray } from '../backend.js';

export function batchNormForwardTraining(
  y: FloatArray,
  saveMean: FloatArray,
  saveInvStd: FloatArray,
  x: FloatArray,
  gamma: FloatArray,
  beta: FloatArray,
  movingMean: FloatArray,
  movingVar: FloatArray,
  a: BatchNormAttrs,
): void {
  const { count, channels: C, epsilon, momentum } = a;
  const mean = new Float64Array(C);
  const variance = new Float64Array(C);
  for (let r = 0; r < count; r++) {
    const row = r * C;
    for (let c = 0; c < C; c++) mean[c] = mean[c]! + x[row + c]!;
  }
  for (let c = 0; c < C; c++) mean[c] = mean[c]! / count;
  for (let r = 0; r < count; r++) {
    const row = r * C;
    for (let c = 0; c < C; c++) {
      const d = x[row + c]! - mean[c]!;
      variance[c] = variance[c]! + d * d;
    }
  }
  const scale = new Float64Array(C);
  const shift = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const v = variance[c]! / count;
    const invStd = 1 / Math.sqrt(v + epsilon);
    saveMean[c] = mean[c]!;
    saveInvStd[c] = invStd;
    movingMean[c] = movingMean[c]! * momentum + mean[c]! * (1 - momentum);
    movingVar[c] = movingVar[c]! * momentum + v * (1 - momentum);
    scale[c] = gamma[c]! * invStd;
    shift[c] = beta[c]! - mean[c]! * gamma[c]! * invStd;
  }
  for (let r = 0; r < count; r++) {
    const row = r * C;
    for (let c = 0; c < C; c++) y[row + c] = x[row + c]! * scale[c]! + shift[c]!;
  }
}

export function batchNormForwardInference(
  y: FloatArray,
  x: FloatArray,
  gamma: FloatArray,
  beta: FloatArray,
  movingMean: FloatArray,
  movingVar: FloatArray,
  a: BatchNormAttrs,
): void {
  const { count, channels: C, epsilon } = a;
  const scale = new Float64Array(C);
  const shift = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const invStd = 1 / Math.sqrt(movingVar[c]! + epsilon);
    scale[c] = gamma[c]! * invStd;
    shift[c] = beta[c]! - movingMean[c]! * gamma[c]! * invStd;
  }
  for (let r = 0; r < count; r++) {
    const row = r * C;
    for (let c = 0; c < C; c++) y[row + c] = x[row + c]! * scale[c]! + shift[c]!;
  }
}

/**
 * Training: dx = gamma * invStd / M * (M * dy - sum(dy) - xhat * sum(dy * xhat)), xhat = (x - mean) * invStd.
 * Inference (mean and invStd are constants): dx = gamma * invStd * dy. Both: dGamma = sum(dy * xhat), dBeta = sum(dy).
 */
export function batchNormBackward(
  dx: FloatArray,
  dGamma: FloatArray,
  dBeta: FloatArray,
  dy: FloatArray,
  x: FloatArray,
  gamma: FloatArray,
  saveMean: FloatArray,
  saveInvStd: FloatArray,
  a: BatchNormAttrs & { training: boolean },
): void {
  const { count, channels: C } = a;
  const sumDy = new Float64Array(C);
  const sumDyXhat = new Float64Array(C);
  for (let r = 0; r < count; r++) {
    const row = r * C;
    for (let c = 0; c < C; c++) {
      const g = dy[row + c]!;
      sumDy[c] = sumDy[c]! + g;
      sumDyXhat[c] = sumDyXhat[c]! + g * (x[row + c]! - saveMean[c]!) * saveInvStd[c]!;
    }
  }
  for (let c = 0; c < C; c++) {
    dGamma[c] = sumDyXhat[c]!;
    dBeta[c] = sumDy[c]!;
  }
  for (let r = 0; r < count; r++) {
    const row = r * C;
    for (let c = 0; c < C; c++) {
      const k = gamma[c]! * saveInvStd[c]!;
      if (!a.training) {
        dx[row + c] = k * dy[row + c]!;
        continue;
      }
      const xhat = (x[row + c]! - saveMean[c]!) * saveInvStd[c]!;
      dx[row + c] = k * (dy[row + c]! - sumDy[c]! / count - (xhat * sumDyXhat[c]!) / count);
    }
  }
}
