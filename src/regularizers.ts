// Keras weight regularizers L1, L2 and L1L2: the penalty the trainer adds to the loss and its gradient. Layers
// hand them to the trainer through LayerWeight.regularizer; activity regularizers are not supported.

import { ConfigError, describe, invalid, NotFoundError } from './errors.js';

export interface Regularizer {
  readonly className: string;
  /** l1 * sum|x| + l2 * sum x^2 (float64 accumulation). */
  penalty(values: Float32Array): number;
  /** grad += l1 * sign(x) + 2 * l2 * x. */
  addGradient(grad: Float32Array, values: Float32Array): void;
  getConfig(): Record<string, unknown>;
}

/** What layer options accept for a regularizer: a Keras name, a config object, an instance, or null. */
export type RegularizerLike =
  | string
  | Regularizer
  | RegularizerSpec
  | { class_name: string; config?: Record<string, unknown> }
  | null;

export interface RegularizerSpec {
  className: string;
  config: Record<string, unknown>;
}

function factor(where: string, arg: string, value: unknown, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new ConfigError(invalid(where, arg, 'a non-negative number', v));
  return v;
}

/** Keras L1L2 and, with one factor fixed at zero, L1 and L2 (each defaults to 0.01 as in Keras). */
export class L1L2 implements Regularizer {
  readonly className: string;
  readonly l1: number;
  readonly l2: number;

  constructor(config: { l1?: number; l2?: number } = {}, className: 'L1' | 'L2' | 'L1L2' = 'L1L2') {
    this.className = className;
    this.l1 = className === 'L2' ? 0 : factor(className, 'l1', config.l1, className === 'L1' ? 0.01 : 0);
    this.l2 = className === 'L1' ? 0 : factor(className, 'l2', config.l2, className === 'L2' ? 0.01 : 0);
  }

  penalty(values: Float32Array): number {
    let abs = 0;
    let squares = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      abs += Math.abs(v);
      squares += v * v;
    }
    return this.l1 * abs + this.l2 * squares;
  }

  addGradient(grad: Float32Array, values: Float32Array): void {
    const l1 = this.l1;
    const twoL2 = 2 * this.l2;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      grad[i] = grad[i]! + l1 * Math.sign(v) + twoL2 * v;
    }
  }

  getConfig(): Record<string, unknown> {
    if (this.className === 'L1') return { l1: this.l1 };
    if (this.className === 'L2') return { l2: this.l2 };
    return { l1: this.l1, l2: this.l2 };
  }
}

export const l1 = (factorL1 = 0.01): Regularizer => new L1L2({ l1: factorL1 }, 'L1');
export const l2 = (factorL2 = 0.01): Regularizer => new L1L2({ l2: factorL2 }, 'L2');
export const l1l2 = (factorL1 = 0.01, factorL2 = 0.01): Regularizer => new L1L2({ l1: factorL1, l2: factorL2 }, 'L1L2');

const CLASSES: Record<string, 'L1' | 'L2' | 'L1L2'> = { l1: 'L1', l2: 'L2', l1l2: 'L1L2' };

/**
 * Resolves 'l2', 'L1L2', 'l1_l2', {class_name: 'L2', config: {l2: 0.001}}, {className, config}, an instance, or
 * null/undefined (no regularizer). Names alone use Keras's defaults (0.01).
 */
export function getRegularizer(value: unknown, where = 'getRegularizer'): Regularizer | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object' && typeof (value as Regularizer).penalty === 'function') return value as Regularizer;
  let name: unknown;
  let config: unknown = {};
  if (typeof value === 'string') name = value;
  else if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    name = record.class_name ?? record.className;
    config = record.config ?? {};
  }
  if (typeof name !== 'string' || !config || typeof config !== 'object') {
    throw new ConfigError(invalid(where, 'regularizer', "a name like 'l2' or {class_name, config}", value));
  }
  const className = CLASSES[name.replace(/_/g, '').toLowerCase()];
  if (!className) throw new NotFoundError(`${where}: unknown regularizer ${describe(name)}. Known: L1, L2, L1L2.`);
  const c = config as { l1?: number; l2?: number };
  // Keras's string 'l1_l2' means l1=0.01, l2=0.01; the class with no config means zeros.
  if (className === 'L1L2' && typeof value === 'string') return l1l2();
  return new L1L2(c, className);
}

export function regularizerSpec(reg: Regularizer | null): RegularizerSpec | null {
  return reg ? { className: reg.className, config: reg.getConfig() } : null;
}
