// Keras weight initializers (VarianceScaling family, constants, random distributions), resolved from Keras names
// and configs. Random numbers come from the counter RNG in backend/random.ts, so a seeded initializer, or an
// unseeded one under one global seed, fills bit-identical weights on every run and backend. Orthogonal and
// Identity are not provided.

import { mix32, normalAt, streamKey, truncatedNormalAt, uniformAt } from './backend/random.js';
import { ConfigError, describe, invalid, NotFoundError } from './errors.js';
import { withPositional } from './options.js';

/** Fills a weight buffer in place. `getConfig()` is Keras's config (snake_case keys are single words here). */
export interface Initializer {
  readonly className: string;
  fill(values: Float32Array, shape: number[]): void;
  getConfig(): Record<string, unknown>;
}

/** What layer options accept for an initializer: a Keras name, a Keras/our config object, or an instance. */
export type InitializerLike = string | Initializer | InitializerSpec | { class_name: string; config?: Record<string, unknown> };

/** Serialisable reference to an initializer, the form layer configs hold. */
export interface InitializerSpec {
  className: string;
  config: Record<string, unknown>;
}

let globalSeed = (Math.random() * 2 ** 32) >>> 0;
let globalCounter = 0;

/**
 * Seeds every initializer created without its own `seed` (the trainer's setRandomSeed calls this): after
 * setGlobalSeed(s), the k-th unseeded fill draws from a stream derived from (s, k).
 */
export function setGlobalSeed(seed: number): void {
  if (!Number.isInteger(seed)) throw new ConfigError(invalid('setGlobalSeed', 'seed', 'an integer', seed));
  globalSeed = seed >>> 0;
  globalCounter = 0;
}

function drawSeed(seed: number | null): number {
  if (seed !== null) return seed >>> 0;
  const derived = mix32((globalSeed ^ mix32(globalCounter + 0x51ed27)) >>> 0);
  globalCounter++;
  return derived;
}

function checkSeed(where: string, seed: unknown): number | null {
  if (seed === undefined || seed === null) return null;
  if (typeof seed !== 'number' || !Number.isInteger(seed))
    throw new ConfigError(invalid(where, 'seed', 'an integer or null', seed));
  return seed;
}

function checkNumber(where: string, arg: string, value: unknown, positive = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (positive && value <= 0)) {
    throw new ConfigError(invalid(where, arg, positive ? 'a positive number' : 'a finite number', value));
  }
  return value;
}

/** Keras compute_fans: (IN, OUT) for dense, receptive field * channels for conv kernels (KH, KW, CI, CO). */
export function computeFans(shape: number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0]!, shape[0]!];
  if (shape.length === 2) return [shape[0]!, shape[1]!];
  let receptive = 1;
  for (const d of shape.slice(0, -2)) receptive *= d;
  return [shape[shape.length - 2]! * receptive, shape[shape.length - 1]! * receptive];
}

function fillUniform(values: Float32Array, seed: number, low: number, high: number): void {
  const key = streamKey(seed);
  for (let i = 0; i < values.length; i++) values[i] = low + (high - low) * uniformAt(key, i);
}

function fillNormal(values: Float32Array, seed: number, mean: number, stddev: number, truncated: boolean): void {
  if (truncated) {
    for (let i = 0; i < values.length; i++) values[i] = mean + stddev * truncatedNormalAt(seed, i);
    return;
  }
  const key = streamKey(seed);
  for (let i = 0; i < values.length; i++) values[i] = mean + stddev * normalAt(key, i);
}

export type FanMode = 'fan_in' | 'fan_out' | 'fan_avg';
export type ScalingDistribution = 'truncated_normal' | 'untruncated_normal' | 'uniform';

export interface VarianceScalingConfig {
  scale?: number;
  mode?: FanMode;
  distribution?: ScalingDistribution | 'normal';
  seed?: number | null;
}

/** Keras VarianceScaling: n from the fan mode; uniform limit sqrt(3 scale / n), normal stddev sqrt(scale / n). */
export class VarianceScaling implements Initializer {
  readonly className: string = 'VarianceScaling';
  readonly scale: number;
  readonly mode: FanMode;
  readonly distribution: ScalingDistribution;
  readonly seed: number | null;

  /** Keras's order: VarianceScaling(scale, mode, distribution, seed). */
  constructor(scale?: number, mode?: FanMode, distribution?: ScalingDistribution | 'normal', seed?: number | null);
  constructor(config?: VarianceScalingConfig);
  constructor(...args: unknown[]) {
    const where = 'VarianceScaling';
    const names = ['scale', 'mode', 'distribution', 'seed'];
    const config = withPositional<VarianceScalingConfig>(where, args, names, names);
    this.scale = checkNumber(where, 'scale', config.scale ?? 1, true);
    const mode = config.mode ?? 'fan_in';
    if (mode !== 'fan_in' && mode !== 'fan_out' && mode !== 'fan_avg') {
      throw new ConfigError(invalid(where, 'mode', "'fan_in', 'fan_out' or 'fan_avg'", mode));
    }
    this.mode = mode;
    // Keras 2 wrote 'normal' for what is now 'truncated_normal'.
    const distribution = config.distribution === 'normal' ? 'truncated_normal' : (config.distribution ?? 'truncated_normal');
    if (distribution !== 'truncated_normal' && distribution !== 'untruncated_normal' && distribution !== 'uniform') {
      throw new ConfigError(
        invalid(where, 'distribution', "'truncated_normal', 'untruncated_normal' or 'uniform'", distribution),
      );
    }
    this.distribution = distribution;
    this.seed = checkSeed(where, config.seed);
  }

  fill(values: Float32Array, shape: number[]): void {
    const [fanIn, fanOut] = computeFans(shape);
    const n = Math.max(1, this.mode === 'fan_in' ? fanIn : this.mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2);
    const variance = this.scale / n;
    const seed = drawSeed(this.seed);
    if (this.distribution === 'uniform') {
      const limit = Math.sqrt(3 * variance);
      fillUniform(values, seed, -limit, limit);
    } else if (this.distribution === 'truncated_normal') {
      fillNormal(values, seed, 0, Math.sqrt(variance) / 0.87962566103423978, true);
    } else {
      fillNormal(values, seed, 0, Math.sqrt(variance), false);
    }
  }

  getConfig(): Record<string, unknown> {
    return { scale: this.scale, mode: this.mode, distribution: this.distribution, seed: this.seed };
  }
}

/** A VarianceScaling preset (GlorotUniform, HeNormal ...): its config is just the seed, as Keras writes it. */
class VarianceScalingPreset extends VarianceScaling {
  override readonly className: string;
  constructor(className: string, scale: number, mode: FanMode, distribution: ScalingDistribution, args: unknown[]) {
    const { seed } = withPositional<SeedConfig>(className, args, ['seed'], ['seed']);
    super({ scale, mode, distribution, seed: checkSeed(className, seed) });
    this.className = className;
  }
  override getConfig(): Record<string, unknown> {
    return { seed: this.seed };
  }
}

type SeedConfig = { seed?: number | null };

/** Keras GlorotUniform (Xavier): uniform, limit sqrt(6 / (fanIn + fanOut)). @example new GlorotUniform(42) */
export class GlorotUniform extends VarianceScalingPreset {
  constructor(seed?: number | null | SeedConfig) {
    super('GlorotUniform', 1, 'fan_avg', 'uniform', [seed]);
  }
}
/** Keras GlorotNormal: truncated normal, stddev sqrt(2 / (fanIn + fanOut)). */
export class GlorotNormal extends VarianceScalingPreset {
  constructor(seed?: number | null | SeedConfig) {
    super('GlorotNormal', 1, 'fan_avg', 'truncated_normal', [seed]);
  }
}
/** Keras HeNormal: truncated normal, stddev sqrt(2 / fanIn). */
export class HeNormal extends VarianceScalingPreset {
  constructor(seed?: number | null | SeedConfig) {
    super('HeNormal', 2, 'fan_in', 'truncated_normal', [seed]);
  }
}
/** Keras HeUniform: uniform, limit sqrt(6 / fanIn). */
export class HeUniform extends VarianceScalingPreset {
  constructor(seed?: number | null | SeedConfig) {
    super('HeUniform', 2, 'fan_in', 'uniform', [seed]);
  }
}
/** Keras LecunNormal: truncated normal, stddev sqrt(1 / fanIn). */
export class LecunNormal extends VarianceScalingPreset {
  constructor(seed?: number | null | SeedConfig) {
    super('LecunNormal', 1, 'fan_in', 'truncated_normal', [seed]);
  }
}
/** Keras LecunUniform: uniform, limit sqrt(3 / fanIn). */
export class LecunUniform extends VarianceScalingPreset {
  constructor(seed?: number | null | SeedConfig) {
    super('LecunUniform', 1, 'fan_in', 'uniform', [seed]);
  }
}

export const glorotUniform = (c: SeedConfig = {}): Initializer => new GlorotUniform(c);
export const glorotNormal = (c: SeedConfig = {}): Initializer => new GlorotNormal(c);
export const heNormal = (c: SeedConfig = {}): Initializer => new HeNormal(c);
export const heUniform = (c: SeedConfig = {}): Initializer => new HeUniform(c);
export const lecunNormal = (c: SeedConfig = {}): Initializer => new LecunNormal(c);
export const lecunUniform = (c: SeedConfig = {}): Initializer => new LecunUniform(c);

/** Every value set to `value` (Keras Constant). @example new Constant(0.1) */
export class Constant implements Initializer {
  readonly className: string = 'Constant';
  readonly value: number;
  constructor(value?: number);
  constructor(config?: { value?: number });
  constructor(...args: unknown[]) {
    const config = withPositional<{ value?: number }>('Constant', args, ['value'], ['value']);
    this.value = checkNumber('Constant', 'value', config.value ?? 0);
  }
  fill(values: Float32Array): void {
    values.fill(this.value);
  }
  getConfig(): Record<string, unknown> {
    return { value: this.value };
  }
}

class Filled extends Constant {
  override readonly className: string;
  constructor(className: string, value: number, args: unknown[]) {
    withPositional(className, args, [], []);
    super({ value });
    this.className = className;
  }
  override getConfig(): Record<string, unknown> {
    return {};
  }
}

/** Keras Zeros. */
export class Zeros extends Filled {
  constructor(...args: [] | [Record<string, never>]) {
    super('Zeros', 0, args);
  }
}
/** Keras Ones. */
export class Ones extends Filled {
  constructor(...args: [] | [Record<string, never>]) {
    super('Ones', 1, args);
  }
}

export const zeros = (): Initializer => new Zeros();
export const ones = (): Initializer => new Ones();
export const constant = (value: number): Initializer => new Constant({ value });

export interface RandomNormalConfig {
  mean?: number;
  stddev?: number;
  seed?: number | null;
}

const NORMAL_KEYS = ['mean', 'stddev', 'seed'];

/** Keras RandomNormal (mean 0, stddev 0.05). @example new RandomNormal(0, 0.05) // mean, stddev, seed */
export class RandomNormal implements Initializer {
  readonly className: string = 'RandomNormal';
  readonly mean: number;
  readonly stddev: number;
  readonly seed: number | null;
  constructor(mean?: number, stddev?: number, seed?: number | null);
  constructor(config?: RandomNormalConfig);
  constructor(...args: unknown[]) {
    // new.target.name is the Keras class name here (RandomNormal or TruncatedNormal), used in messages only.
    const where = new.target === TruncatedNormal ? 'TruncatedNormal' : 'RandomNormal';
    const config = withPositional<RandomNormalConfig>(where, args, NORMAL_KEYS, NORMAL_KEYS);
    this.mean = checkNumber(where, 'mean', config.mean ?? 0);
    this.stddev = checkNumber(where, 'stddev', config.stddev ?? 0.05, true);
    this.seed = checkSeed(where, config.seed);
  }
  fill(values: Float32Array): void {
    fillNormal(values, drawSeed(this.seed), this.mean, this.stddev, this.className === 'TruncatedNormal');
  }
  getConfig(): Record<string, unknown> {
    return { mean: this.mean, stddev: this.stddev, seed: this.seed };
  }
}

/** Keras TruncatedNormal: a RandomNormal re-drawn beyond 2 stddev. @example new TruncatedNormal(0, 0.05) */
export class TruncatedNormal extends RandomNormal {
  override readonly className: string = 'TruncatedNormal';
}

/** Keras RandomUniform in [minval, maxval) (default [-0.05, 0.05)). */
export class RandomUniform implements Initializer {
  readonly className: string = 'RandomUniform';
  readonly minval: number;
  readonly maxval: number;
  readonly seed: number | null;
  /** Keras's order: RandomUniform(minval, maxval, seed). */
  constructor(minval?: number, maxval?: number, seed?: number | null);
  constructor(config?: { minval?: number; maxval?: number; seed?: number | null });
  constructor(...args: unknown[]) {
    const names = ['minval', 'maxval', 'seed'];
    const config = withPositional<{ minval?: number; maxval?: number; seed?: number | null }>(
      'RandomUniform',
      args,
      names,
      names,
    );
    this.minval = checkNumber('RandomUniform', 'minval', config.minval ?? -0.05);
    this.maxval = checkNumber('RandomUniform', 'maxval', config.maxval ?? 0.05);
    if (this.maxval < this.minval) {
      throw new ConfigError(invalid('RandomUniform', 'maxval', `a number >= minval (${this.minval})`, this.maxval));
    }
    this.seed = checkSeed('RandomUniform', config.seed);
  }
  fill(values: Float32Array): void {
    fillUniform(values, drawSeed(this.seed), this.minval, this.maxval);
  }
  getConfig(): Record<string, unknown> {
    return { minval: this.minval, maxval: this.maxval, seed: this.seed };
  }
}

export const randomNormal = (mean = 0, stddev = 0.05, seed: number | null = null): Initializer =>
  new RandomNormal({ mean, stddev, seed });
export const randomUniform = (minval = -0.05, maxval = 0.05, seed: number | null = null): Initializer =>
  new RandomUniform({ minval, maxval, seed });
export const truncatedNormal = (mean = 0, stddev = 0.05, seed: number | null = null): Initializer =>
  new TruncatedNormal({ mean, stddev, seed });

type Factory = (config: Record<string, unknown>) => Initializer;
const FACTORIES: Record<string, [string, Factory]> = {
  glorotuniform: ['GlorotUniform', (c) => new GlorotUniform(c)],
  glorotnormal: ['GlorotNormal', (c) => new GlorotNormal(c)],
  henormal: ['HeNormal', (c) => new HeNormal(c)],
  heuniform: ['HeUniform', (c) => new HeUniform(c)],
  lecunnormal: ['LecunNormal', (c) => new LecunNormal(c)],
  lecununiform: ['LecunUniform', (c) => new LecunUniform(c)],
  variancescaling: ['VarianceScaling', (c) => new VarianceScaling(c)],
  zeros: ['Zeros', (c) => new Zeros(c as Record<string, never>)],
  zero: ['Zeros', (c) => new Zeros(c as Record<string, never>)],
  ones: ['Ones', (c) => new Ones(c as Record<string, never>)],
  one: ['Ones', (c) => new Ones(c as Record<string, never>)],
  constant: ['Constant', (c) => new Constant(c)],
  randomnormal: ['RandomNormal', (c) => new RandomNormal(c)],
  normal: ['RandomNormal', (c) => new RandomNormal(c)],
  randomuniform: ['RandomUniform', (c) => new RandomUniform(c)],
  uniform: ['RandomUniform', (c) => new RandomUniform(c)],
  truncatednormal: ['TruncatedNormal', (c) => new TruncatedNormal(c)],
};

const KNOWN = [...new Set(Object.values(FACTORIES).map(([name]) => name))].join(', ');

/**
 * Resolves an initializer from a Keras name ('glorot_uniform', 'GlorotUniform', 'heNormal'), a Keras config
 * object ({class_name, config} with optional module/registered_name), our {className, config} spec, or an
 * instance (returned as is). Example: `getInitializer({class_name: 'HeNormal', config: {seed: 1}})`.
 */
export function getInitializer(value: unknown, where = 'getInitializer'): Initializer {
  if (value && typeof value === 'object' && typeof (value as Initializer).fill === 'function') return value as Initializer;
  let name: unknown;
  let config: unknown = {};
  if (typeof value === 'string') name = value;
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    name = record.class_name ?? record.className;
    config = record.config ?? {};
  }
  if (typeof name !== 'string' || !config || typeof config !== 'object') {
    throw new ConfigError(invalid(where, 'initializer', "a name like 'glorot_uniform' or {class_name, config}", value));
  }
  const entry = FACTORIES[name.replace(/_/g, '').toLowerCase()];
  if (!entry) throw new NotFoundError(`${where}: unknown initializer ${describe(name)}. Known: ${KNOWN}.`);
  return entry[1](config as Record<string, unknown>);
}

/** The spec a layer config stores: {className, config}. */
export function initializerSpec(init: Initializer): InitializerSpec {
  return { className: init.className, config: init.getConfig() };
}
