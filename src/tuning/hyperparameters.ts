// KerasTuner's HyperParameters: a build function declares its hyperparameters while it builds (hp.Int, hp.Float,
// hp.Choice, hp.Boolean, hp.Fixed: KerasTuner's names, TypeScript casing), and the search space is discovered by
// calling it, as KerasTuner does: once with the defaults, then once per Choice/Boolean alternative, so parameters
// declared only inside a branch are found too. Declarations become the declared-space types of search-space.ts, so
// seeding, strategies, logging and resuming are those of every search. Not here: training (keras-tuner.ts).

import { ConfigError, describe, invalid, NotFoundError } from '../errors.js';
import { checkOptions } from '../options.js';
import { type ParameterSpec, type Params, type ParamValue, SearchSpace } from './search-space.js';

export type Sampling = 'linear' | 'log';

export interface IntOptions {
  minValue: number;
  maxValue: number;
  /** Linear: the distance between values; log: the multiplier. Default every integer. */
  step?: number;
  sampling?: Sampling;
  /** Default minValue. */
  default?: number;
}

export interface FloatOptions {
  minValue: number;
  maxValue: number;
  /** Linear: the distance between values; log: the multiplier. Default continuous. */
  step?: number;
  sampling?: Sampling;
  /** Default minValue. */
  default?: number;
}

export interface ChoiceOptions<T extends ParamValue = ParamValue> {
  /** Default the first value. */
  default?: T;
  /** KerasTuner's ordered flag; accepted for portability (the strategies here do not use order). */
  ordered?: boolean;
}

export interface BooleanOptions {
  /** Default false. */
  default?: boolean;
}

/** A declared hyperparameter: its space type, its default, and the declaration (to detect a conflicting one). */
export interface Declaration {
  spec: ParameterSpec;
  defaultValue: ParamValue;
  signature: string;
  /** A Choice or Boolean: the discovery builds its alternatives, to reach what they declare. */
  branches: boolean;
}

/** Float steps (and log-int values) beyond this many values are refused: almost always a typo in the step. */
const MAX_VALUES = 100_000;

const SAMPLINGS = ['linear', 'log'];

function finiteNumber(where: string, key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ConfigError(invalid(where, key, 'a finite number', value));
  return value;
}

function samplingOf(where: string, value: unknown): Sampling {
  const sampling = value ?? 'linear';
  if (!SAMPLINGS.includes(sampling as string)) {
    const hint = sampling === 'reverse_log' ? "'reverse_log' is not supported here; use 'log'." : '';
    throw new ConfigError(invalid(where, 'sampling', "'linear' or 'log'", sampling, hint));
  }
  return sampling as Sampling;
}

/** The values min, min+step, ... (linear) or min, min*step, ... (log) up to max. */
function steppedValues(where: string, min: number, max: number, step: number, sampling: Sampling): number[] {
  const values: number[] = [];
  for (let k = 0; ; k++) {
    // Multiplying k steps (not adding them up) keeps 0.1-steps free of accumulated rounding.
    const v = sampling === 'log' ? min * step ** k : min + k * step;
    if (v > max * (1 + 1e-12) + 1e-12) break;
    values.push(Number(v.toPrecision(12)));
    if (values.length > MAX_VALUES) {
      throw new ConfigError(invalid(where, 'step', `a step giving at most ${MAX_VALUES} values`, step));
    }
  }
  return values;
}

function checkRange(where: string, options: { minValue?: unknown; maxValue?: unknown }, sampling: Sampling) {
  const min = finiteNumber(where, 'minValue', options.minValue);
  const max = finiteNumber(where, 'maxValue', options.maxValue);
  if (min > max) throw new ConfigError(invalid(where, 'minValue', `a value <= maxValue (${max})`, min));
  if (sampling === 'log' && min <= 0) {
    throw new ConfigError(invalid(where, 'minValue', "a value > 0 with sampling 'log'", min));
  }
  return { min, max };
}

function checkStep(where: string, step: unknown, sampling: Sampling, integer: boolean): number | undefined {
  if (step === undefined) return undefined;
  const ok =
    typeof step === 'number' &&
    Number.isFinite(step) &&
    (sampling === 'log' ? step > 1 : step > 0 && (!integer || Number.isInteger(step)));
  if (!ok) {
    const expected =
      sampling === 'log'
        ? "a multiplier > 1 (with sampling 'log', step multiplies)"
        : integer
          ? 'an integer >= 1'
          : 'a number > 0';
    throw new ConfigError(invalid(where, 'step', expected, step));
  }
  return step as number;
}

function checkDefault(where: string, value: unknown, fits: (v: ParamValue) => boolean, expected: string): void {
  if (value !== undefined && !fits(value as ParamValue)) throw new ConfigError(invalid(where, 'default', expected, value));
}

/** JSON with object keys sorted, so { minValue, maxValue } and { maxValue, minValue } declare the same thing. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_, v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort()) : v,
  );
}

/** Checks an hp.Int declaration; returns its space type and default. */
export function declareInt(name: string, raw: unknown): Omit<Declaration, 'signature' | 'branches'> {
  const where = `hp.Int('${name}')`;
  const options = checkOptions<IntOptions>(where, raw ?? null, ['minValue', 'maxValue', 'step', 'sampling', 'default']);
  const sampling = samplingOf(where, options.sampling);
  const { min, max } = checkRange(where, options, sampling);
  if (!Number.isInteger(min)) throw new ConfigError(invalid(where, 'minValue', 'an integer', min));
  if (!Number.isInteger(max)) throw new ConfigError(invalid(where, 'maxValue', 'an integer', max));
  const step = checkStep(where, options.step, sampling, true);
  const log = sampling === 'log';
  const spec: ParameterSpec = step === undefined ? { type: 'int', min, max, log } : { type: 'int', min, max, step, log };
  const onGrid = (v: number) =>
    step === undefined ||
    (log ? steppedValues(where, min, max, step, 'log').some((g) => Math.round(g) === v) : (v - min) % step === 0);
  checkDefault(
    where,
    options.default,
    (v) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max && onGrid(v as number),
    `an integer in [${min}, ${max}]${step === undefined ? '' : ' on the step'}`,
  );
  return { spec, defaultValue: options.default ?? min };
}

/** Checks an hp.Float declaration; returns its space type (a choice of values when it has a step) and default. */
export function declareFloat(name: string, raw: unknown): Omit<Declaration, 'signature' | 'branches'> {
  const where = `hp.Float('${name}')`;
  const options = checkOptions<FloatOptions>(where, raw ?? null, ['minValue', 'maxValue', 'step', 'sampling', 'default']);
  const sampling = samplingOf(where, options.sampling);
  const { min, max } = checkRange(where, options, sampling);
  const step = checkStep(where, options.step, sampling, false);
  const spec: ParameterSpec =
    step !== undefined
      ? { type: 'choice', values: steppedValues(where, min, max, step, sampling) }
      : { type: sampling === 'log' ? 'loguniform' : 'uniform', min, max };
  checkDefault(
    where,
    options.default,
    (v) => typeof v === 'number' && v >= min && v <= max && (spec.type !== 'choice' || spec.values.includes(v)),
    `a number in [${min}, ${max}]${step === undefined ? '' : ' on the step'}`,
  );
  return { spec, defaultValue: options.default ?? min };
}

/** Checks an hp.Choice declaration (a non-empty list of distinct values of one type). */
export function declareChoice(name: string, values: unknown, raw: unknown): Omit<Declaration, 'signature' | 'branches'> {
  const where = `hp.Choice('${name}')`;
  const options = checkOptions<ChoiceOptions>(where, raw, ['default', 'ordered']);
  if (!Array.isArray(values) || values.length === 0) {
    throw new ConfigError(invalid(where, 'values', 'a non-empty list of numbers, strings or booleans', values));
  }
  const type = typeof values[0];
  values.forEach((v, i) => {
    const ok = (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string' || typeof v === 'boolean';
    if (!ok || typeof v !== type) {
      throw new ConfigError(invalid(where, `values[${i}]`, `a ${type} like values[0] (one type per Choice)`, v));
    }
    if (values.indexOf(v) !== i) throw new ConfigError(invalid(where, `values[${i}]`, 'a value not listed before', v));
  });
  checkDefault(where, options.default, (v) => values.includes(v), `one of ${describe(values)}`);
  if (options.ordered !== undefined && typeof options.ordered !== 'boolean') {
    throw new ConfigError(invalid(where, 'ordered', 'true or false', options.ordered));
  }
  return { spec: { type: 'choice', values: [...values] }, defaultValue: options.default ?? values[0] };
}

/** Checks an hp.Boolean declaration. */
export function declareBoolean(name: string, raw: unknown): Omit<Declaration, 'signature' | 'branches'> {
  const where = `hp.Boolean('${name}')`;
  const options = checkOptions<BooleanOptions>(where, raw, ['default']);
  checkDefault(where, options.default, (v) => typeof v === 'boolean', 'true or false');
  return { spec: { type: 'choice', values: [false, true] }, defaultValue: options.default ?? false };
}

/** Checks an hp.Fixed declaration. */
export function declareFixed(name: string, value: unknown): Omit<Declaration, 'signature' | 'branches'> {
  const ok = (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string' || typeof value === 'boolean';
  if (!ok) throw new ConfigError(invalid(`hp.Fixed('${name}')`, 'value', 'a number, string or boolean', value));
  return { spec: { type: 'fixed', value: value as ParamValue }, defaultValue: value as ParamValue };
}

/**
 * The `hp` a build function receives. Each call declares a hyperparameter (the first time) and returns its value in
 * this trial: the tuner's value when it has one, else the default. Declaring a name again with the same arguments
 * returns the same value; with other arguments it is refused (one name, one hyperparameter).
 * @example const units = hp.Int('units', { minValue: 32, maxValue: 512, step: 32 });
 */
export class HyperParameters {
  /** Every declaration seen, in order (shared by the builds of a discovery). */
  readonly declarations: Map<string, Declaration>;
  /** The values handed out so far in this build (the active hyperparameters), by name. */
  readonly values: Params = {};

  /**
   * @param given the trial's values (names absent take their defaults)
   * @param onNewName called for a name `known` does not list (declared in a branch the discovery did not reach)
   */
  constructor(
    private readonly given: Params = {},
    declarations?: Map<string, Declaration>,
    private readonly known?: ReadonlySet<string>,
    private readonly onNewName?: (name: string, defaultValue: ParamValue) => void,
  ) {
    this.declarations = declarations ?? new Map();
  }

  Int(name: string, options: IntOptions): number {
    return this.declare('Int', name, [options], () => declareInt(name, options)) as number;
  }

  Float(name: string, options: FloatOptions): number {
    return this.declare('Float', name, [options], () => declareFloat(name, options)) as number;
  }

  Choice<T extends ParamValue>(name: string, values: readonly T[], options?: ChoiceOptions<T>): T {
    return this.declare('Choice', name, [values, options], () => declareChoice(name, values, options)) as T;
  }

  Boolean(name: string, options?: BooleanOptions): boolean {
    return this.declare('Boolean', name, [options], () => declareBoolean(name, options)) as boolean;
  }

  Fixed<T extends ParamValue>(name: string, value: T): T {
    return this.declare('Fixed', name, [value], () => declareFixed(name, value)) as T;
  }

  /** The value of a hyperparameter declared in this build. */
  get(name: string): ParamValue {
    if (!(name in this.values)) {
      const declared = Object.keys(this.values);
      throw new NotFoundError(
        `hp.get: no hyperparameter '${name}' in this build. Expected one of: ${declared.join(', ') || '(none declared yet)'}. Hint: declare it (hp.Int, hp.Float, hp.Choice, hp.Boolean, hp.Fixed) before reading it.`,
      );
    }
    return this.values[name]!;
  }

  private declare(
    kind: string,
    name: unknown,
    args: unknown[],
    check: () => Omit<Declaration, 'signature' | 'branches'>,
  ): ParamValue {
    if (typeof name !== 'string' || name === '') {
      throw new ConfigError(invalid(`hp.${kind}`, 'name', 'a non-empty string', name));
    }
    const signature = `${kind}${stableJson(args)}`;
    let declaration = this.declarations.get(name);
    if (declaration === undefined) {
      declaration = { ...check(), signature, branches: kind === 'Choice' || kind === 'Boolean' };
      this.declarations.set(name, declaration);
    } else if (declaration.signature !== signature) {
      throw new ConfigError(
        `hp.${kind}('${name}'): '${name}' is already declared as ${declaration.signature}, received ${signature}. Expected one declaration per name. Hint: give the other hyperparameter its own name (e.g. '${name}_2').`,
      );
    }
    let value: ParamValue;
    if (this.known !== undefined && !this.known.has(name)) {
      value = declaration.defaultValue;
      this.onNewName?.(name, value);
    } else value = name in this.given ? this.given[name]! : declaration.defaultValue;
    this.values[name] = value;
    return value;
  }
}

/** What a discovery found: the space (declaration order), every default, and the names only some branches declare. */
export interface DiscoveredSpace {
  space: SearchSpace;
  defaults: Params;
  /** Names the build at the defaults does not declare (found through a Choice/Boolean alternative). */
  conditional: string[];
  builds: number;
}

/**
 * Finds the search space a build function declares: builds at the defaults, then once per alternative of every
 * Choice/Boolean (on top of the values that revealed it), to reach parameters declared only in a branch. At most
 * `maxBuilds` builds. A build that declares nothing, or a bad declaration, is refused before any training.
 */
export async function discoverSpace(build: (hp: HyperParameters) => unknown, maxBuilds = 32): Promise<DiscoveredSpace> {
  if (typeof build !== 'function') throw new ConfigError(invalid('tuner', 'hypermodel', 'a build function (hp) => model', build));
  const declarations = new Map<string, Declaration>();
  const queue: Params[] = [{}];
  const explored = new Set<string>();
  let atDefaults: string[] = [];
  let builds = 0;
  while (queue.length > 0 && builds < maxBuilds) {
    const given = queue.shift()!;
    const key = JSON.stringify(given);
    if (explored.has(key)) continue;
    explored.add(key);
    const before = declarations.size;
    const hp = new HyperParameters(given, declarations);
    await build(hp);
    builds++;
    if (builds === 1) atDefaults = Object.keys(hp.values);
    // Only what this build declared first opens new branches (older ones had theirs queued already).
    for (const name of [...declarations.keys()].slice(before)) {
      const declaration = declarations.get(name)!;
      if (!declaration.branches || declaration.spec.type !== 'choice') continue;
      for (const value of declaration.spec.values) if (value !== hp.values[name]) queue.push({ ...given, [name]: value });
    }
  }
  if (declarations.size === 0) {
    throw new ConfigError(
      'tuner: the build function declared no hyperparameters. Expected calls such as hp.Int(...), hp.Float(...) or hp.Choice(...) on the hp it receives. Hint: build(hp) must read its settings from hp.',
    );
  }
  const parameters = [...declarations].map(([name, d]) => ({ name, spec: d.spec }));
  return {
    space: new SearchSpace(parameters),
    defaults: Object.fromEntries([...declarations].map(([name, d]) => [name, d.defaultValue])),
    conditional: [...declarations.keys()].filter((n) => !atDefaults.includes(n)),
    builds,
  };
}
