// Reference optimizer updates with Keras 3's exact formulas (SGD with momentum/Nesterov, Adam/AdamW, RMSprop
// plain/centered/momentum), each with decoupled weight decay applied first. In place; does not validate.

import type { AdamAttrs, FloatArray, RmspropAttrs, SgdAttrs } from '../backend.js';

function decay(param: FloatArray, learningRate: number, weightDecay: number): void {
  if (weightDecay === 0) return;
  const k = learningRate * weightDecay;
  for (let i = 0; i < param.length; i++) param[i] = param[i]! - k * param[i]!;
}

export function sgdUpdate(param: FloatArray, grad: FloatArray, velocity: FloatArray | null, a: SgdAttrs): void {
  const { learningRate: lr, momentum } = a;
  decay(param, lr, a.weightDecay);
  if (momentum === 0 || !velocity) {
    for (let i = 0; i < param.length; i++) param[i] = param[i]! - lr * grad[i]!;
    return;
  }
  for (let i = 0; i < param.length; i++) {
    const g = grad[i]!;
    const v = momentum * velocity[i]! - lr * g;
    velocity[i] = v;
    param[i] = a.nesterov ? param[i]! + momentum * v - lr * g : param[i]! + v;
  }
}

export function adamUpdate(param: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, a: AdamAttrs): void {
  const { learningRate: lr, beta1, beta2, epsilon, step } = a;
  decay(param, lr, a.weightDecay);
  const alpha = (lr * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
  for (let i = 0; i < param.length; i++) {
    const g = grad[i]!;
    const mi = m[i]! + (g - m[i]!) * (1 - beta1);
    const vi = v[i]! + (g * g - v[i]!) * (1 - beta2);
    m[i] = mi;
    v[i] = vi;
    param[i] = param[i]! - (alpha * mi) / (Math.sqrt(vi) + epsilon);
  }
}

export function rmspropUpdate(
  param: FloatArray,
  grad: FloatArray,
  meanSquare: FloatArray,
  meanGrad: FloatArray | null,
  momentumBuf: FloatArray | null,
  a: RmspropAttrs,
): void {
  const { learningRate: lr, rho, momentum, epsilon } = a;
  decay(param, lr, a.weightDecay);
  const centered = a.centered && meanGrad !== null;
  const useMomentum = momentum > 0 && momentumBuf !== null;
  for (let i = 0; i < param.length; i++) {
    const g = grad[i]!;
    const ms = rho * meanSquare[i]! + (1 - rho) * g * g;
    meanSquare[i] = ms;
    let denominator = ms + epsilon;
    if (centered) {
      const mg = rho * meanGrad[i]! + (1 - rho) * g;
      meanGrad[i] = mg;
      denominator = ms - mg * mg + epsilon;
    }
    const increment = (lr * g) / Math.sqrt(denominator);
    if (useMomentum) {
      const buf = momentum * momentumBuf[i]! + increment;
      momentumBuf[i] = buf;
      param[i] = param[i]! - buf;
    } else {
      param[i] = param[i]! - increment;
    }
  }
}
