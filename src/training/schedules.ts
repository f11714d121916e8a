// Keras learning-rate schedules, evaluated at the optimizer's step count (iterations before the update).
// Formulas follow keras/src/optimizers/schedules/learning_rate_schedule.py. Not here: InverseTimeDecay, PolynomialDecay.

import { ConfigError, invalid } from '../errors.js';
import { withPositional } from '../options.js';

export abstract class LearningRateSchedule {
  abstract readonly className: string;
  /** The learning rate at a 0-based step. */
  abstract call(step: number): number;
  abstract getConfig(): Record<string, unknown>;
}

function positive(where: string, arg: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) throw new ConfigError(invalid(where, arg, 'a positive number', value));
  return value;
}

export interface ExponentialDecayConfig {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  staircase?: boolean;
  name?: string;
}

function finite(where: string, arg: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ConfigError(invalid(where, arg, 'a finite number', value));
  return value;
}

/** lr = initial * decayRate ^ (step / decaySteps) (floored exponent with staircase). @example new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.96 }) */
export class ExponentialDecay extends LearningRateSchedule {
  readonly className = 'ExponentialDecay';
  readonly config: ExponentialDecayConfig;
  /** Keras's order: ExponentialDecay(initialLearningRate, decaySteps, decayRate, staircase). */
  constructor(
    initialLearningRate: number,
    decaySteps: number,
    decayRate: number,
    options?: { staircase?: boolean; name?: string },
  );
  constructor(config: ExponentialDecayConfig);
  constructor(...args: unknown[]) {
    super();
    const names = ['initialLearningRate', 'decaySteps', 'decayRate', 'staircase'];
    this.config = withPositional<ExponentialDecayConfig>('ExponentialDecay', args, names, [...names, 'name']);
    finite('ExponentialDecay', 'initialLearningRate', this.config.initialLearningRate);
    positive('ExponentialDecay', 'decaySteps', this.config.decaySteps);
    finite('ExponentialDecay', 'decayRate', this.config.decayRate);
  }

  call(step: number): number {
    const p = step / this.config.decaySteps;
    return this.config.initialLearningRate * this.config.decayRate ** (this.config.staircase ? Math.floor(p) : p);
  }

  getConfig(): Record<string, unknown> {
    return { staircase: false, ...this.config };
  }
}

export interface CosineDecayConfig {
  initialLearningRate: number;
  decaySteps: number;
  /** Floor as a fraction of the initial rate. Default 0. */
  alpha?: number;
  /** Linear warmup from initialLearningRate to warmupTarget over warmupSteps, then decay from warmupTarget. */
  warmupTarget?: number | null;
  warmupSteps?: number;
  name?: string;
}

/** Keras 3 CosineDecay with optional linear warmup. @example new CosineDecay({ initialLearningRate: 1e-3, decaySteps: 1000 }) */
export class CosineDecay extends LearningRateSchedule {
  readonly className = 'CosineDecay';
  readonly config: CosineDecayConfig;
  /** Keras's order: CosineDecay(initialLearningRate, decaySteps, alpha). */
  constructor(
    initialLearningRate: number,
    decaySteps: number,
    options?: Omit<CosineDecayConfig, 'initialLearningRate' | 'decaySteps'>,
  );
  constructor(config: CosineDecayConfig);
  constructor(...args: unknown[]) {
    super();
    const names = ['initialLearningRate', 'decaySteps', 'alpha'];
    this.config = withPositional<CosineDecayConfig>('CosineDecay', args, names, [
      ...names,
      'warmupTarget',
      'warmupSteps',
      'name',
    ]);
    finite('CosineDecay', 'initialLearningRate', this.config.initialLearningRate);
    positive('CosineDecay', 'decaySteps', this.config.decaySteps);
  }

  call(step: number): number {
    const { initialLearningRate, decaySteps, alpha = 0, warmupTarget = null, warmupSteps = 0 } = this.config;
    if (warmupTarget !== null && step < warmupSteps) {
      return initialLearningRate + (warmupTarget - initialLearningRate) * (step / warmupSteps);
    }
    const s = Math.min(step - (warmupTarget === null ? 0 : warmupSteps), decaySteps);
    const cosine = 0.5 * (1 + Math.cos((Math.PI * s) / decaySteps));
    return (warmupTarget ?? initialLearningRate) * ((1 - alpha) * cosine + alpha);
  }

  getConfig(): Record<string, unknown> {
    return { alpha: 0, warmupTarget: null, warmupSteps: 0, ...this.config };
  }
}

export interface PiecewiseConstantDecayConfig {
  boundaries: number[];
  /** One more value than boundaries. */
  values: number[];
  name?: string;
}

/** values[0] while step <= boundaries[0], values[i+1] while boundaries[i] < step <= boundaries[i+1], ... */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  readonly className = 'PiecewiseConstantDecay';
  readonly config: PiecewiseConstantDecayConfig;
  /** Keras's order: PiecewiseConstantDecay(boundaries, values). */
  constructor(boundaries: number[], values: number[], options?: { name?: string });
  constructor(config: PiecewiseConstantDecayConfig);
  constructor(...args: unknown[]) {
    super();
    const names = ['boundaries', 'values'];
    const config = withPositional<PiecewiseConstantDecayConfig>('PiecewiseConstantDecay', args, names, [...names, 'name']);
    this.config = config;
    if (!Array.isArray(config.boundaries) || !Array.isArray(config.values)) {
      throw new ConfigError(invalid('PiecewiseConstantDecay', 'boundaries', 'arrays of boundaries and values', config));
    }
    if (config.values.length !== config.boundaries.length + 1) {
      throw new ConfigError(
        invalid(
          'PiecewiseConstantDecay',
          'values',
          `${config.boundaries.length + 1} values (boundaries + 1)`,
          config.values.length,
        ),
      );
    }
  }

  call(step: number): number {
    const { boundaries, values } = this.config;
    for (let i = 0; i < boundaries.length; i++) if (step <= boundaries[i]!) return values[i]!;
    return values[values.length - 1]!;
  }

  getConfig(): Record<string, unknown> {
    return { ...this.config };
  }
}
