// Keras weight regularizers L1, L2 and L1L2: the penalty the trainer adds to the loss and its gradient. Layers
// hand them to the trainer through LayerWeight.regularizer; activity regularizers are not supported.

import { ConfigError, describe, invalid, NotFoundError } from './errors.js';
import { withPositional } from './options.js';

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

/** The penalty l1 * sum|x| + l2 * sum x^2 that L1, L2 and L1L2 share. */
abstract class WeightPenalty implements Regularizer {
  abstract readonly className: string;
  constructor(
    readonly l1: number,
    readonly l2: number,
  ) {}

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

  abstract getConfig(): Record<string, unknown>;
}

/** Keras L1: l1 * sum|x| (default 0.01). @example new L1(0.001) */
export class L1 extends WeightPenalty {
  readonly className = 'L1';
  constructor(l1?: number);
  constructor(config?: { l1?: number });
  constructor(...args: unknown[]) {
    const config = withPositional<{ l1?: number }>('L1', args, ['l1'], ['l1']);
    super(factor('L1', 'l1', config.l1, 0.01), 0);
  }
  getConfig(): Record<string, unknown> {
    return { l1: this.l1 };
  }
}

/** Keras L2: l2 * sum x^2 (default 0.01). @example new L2(0.01) */
export class L2 extends WeightPenalty {
  readonly className = 'L2';
  constructor(l2?: number);
  constructor(config?: { l2?: number });
  constructor(...args: unknown[]) {
    const config = withPositional<{ l2?: number }>('L2', args, ['l2'], ['l2']);
    super(0, factor('L2', 'l2', config.l2, 0.01));
  }
  getConfig(): Record<string, unknown> {
    return { l2: this.l2 };
  }
}

/** Keras L1L2: both penalties, each 0 unless given (the string 'l1_l2' means 0.01 each). @example new L1L2(0.01, 0.01) */
export class L1L2 extends WeightPenalty {
  readonly className = 'L1L2';
  constructor(l1?: number, l2?: number);
  constructor(config?: { l1?: number; l2?: number });
  constructor(...args: unknown[]) {
    const config = withPositional<{ l1?: number; l2?: number }>('L1L2', args, ['l1', 'l2'], ['l1', 'l2']);
    super(factor('L1L2', 'l1', config.l1, 0), factor('L1L2', 'l2', config.l2, 0));
  }
  getConfig(): Record<string, unknown> {
    return { l1: this.l1, l2: this.l2 };
  }
}

export const l1 = (factorL1 = 0.01): Regularizer => new L1(factorL1);
export const l2 = (factorL2 = 0.01): Regularizer => new L2(factorL2);
export const l1l2 = (factorL1 = 0.01, factorL2 = 0.01): Regularizer => new L1L2(factorL1, factorL2);

const CLASSES: Record<string, (config: { l1?: number; l2?: number }) => Regularizer> = {
  l1: (c) => new L1(c),
  l2: (c) => new L2(c),
  l1l2: (c) => new L1L2(c),
};

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
  const key = name.replace(/_/g, '').toLowerCase();
  const make = CLASSES[key];
  if (!make) throw new NotFoundError(`${where}: unknown regularizer ${describe(name)}. Known: L1, L2, L1L2.`);
  // Keras's string 'l1_l2' means l1=0.01, l2=0.01; the class with no config means zeros.
  if (key === 'l1l2' && typeof value === 'string') return l1l2();
  return make(config as { l1?: number; l2?: number });
}

export function regularizerSpec(reg: Regularizer | null): RegularizerSpec | null {
  return reg ? { className: reg.className, config: reg.getConfig() } : null;
}
