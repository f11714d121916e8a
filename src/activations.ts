// Keras activation names -> backend ActivationAttrs. Names are matched ignoring case and underscores, so
// 'leaky_relu', 'leakyRelu' and 'LeakyReLU' agree. selu and exponential are not supported.

import type { ActivationAttrs, ActivationKind } from './backend/backend.js';
import { describe, NotFoundError } from './errors.js';

/** A resolved activation: the Keras name written to configs, and the kernel attrs (axisSize filled by layers). */
export interface ActivationSpec {
  name: string;
  attrs: ActivationAttrs;
}

const TABLE: Record<string, [string, ActivationKind, Partial<ActivationAttrs>]> = {
  linear: ['linear', 'linear', {}],
  relu: ['relu', 'relu', {}],
  relu6: ['relu6', 'relu6', {}],
  leakyrelu: ['leaky_relu', 'leakyRelu', { alpha: 0.2 }],
  elu: ['elu', 'elu', { alpha: 1 }],
  sigmoid: ['sigmoid', 'sigmoid', {}],
  hardsigmoid: ['hard_sigmoid', 'hardSigmoid', {}],
  tanh: ['tanh', 'tanh', {}],
  softmax: ['softmax', 'softmax', {}],
  swish: ['swish', 'swish', {}],
  silu: ['silu', 'swish', {}],
  gelu: ['gelu', 'gelu', { approximate: false }],
  softplus: ['softplus', 'softplus', {}],
};

/** Keras names accepted by resolveActivation. */
export const ACTIVATION_NAMES: readonly string[] = [...new Set(Object.values(TABLE).map(([name]) => name))];

/**
 * Resolves a Keras activation name ('relu', 'softmax', 'leaky_relu' ...); null, undefined and 'None' mean
 * 'linear'. Unknown names throw NotFoundError listing the valid ones. Example: `resolveActivation('relu6')`.
 * Keras's functional leaky_relu uses negative_slope 0.2 (the LeakyReLU layer's default is 0.3).
 */
export function resolveActivation(name: unknown, where = 'activation'): ActivationSpec {
  if (name === null || name === undefined || name === 'None') return { name: 'linear', attrs: { kind: 'linear' } };
  const entry = typeof name === 'string' ? TABLE[name.replace(/_/g, '').toLowerCase()] : undefined;
  if (!entry) {
    throw new NotFoundError(`${where}: unknown activation ${describe(name)}. Expected one of: ${ACTIVATION_NAMES.join(', ')}.`);
  }
  return { name: entry[0], attrs: { kind: entry[1], ...entry[2] } };
}

/** True for the activations conv2d/dense kernels fuse after the bias. */
export function isFusedActivation(kind: ActivationKind): kind is 'linear' | 'relu' {
  return kind === 'linear' || kind === 'relu';
}
