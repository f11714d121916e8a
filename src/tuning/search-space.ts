// Hyperparameter search spaces: the declaration users write (in code, JSON or YAML), its validation (every mistake
// refused naming the parameter and the value, before any training), seeded random draws and grid enumeration.
// Types follow Ray Tune / KerasTuner: uniform, loguniform, int (step; log, where step is the multiplier as in
// KerasTuner), choice, fixed. Not here: conditional parameters, the search strategies (strategies.ts).

import { extname } from 'node:path';
import { streamKey, uniformAt } from '../backend/random.js';
import { ConfigError, describe, invalid } from '../errors.js';
import { MAX_INPUT_BYTES, readInputFile } from '../io/file-checks.js';
import { checkOptions, isPlainObject } from '../options.js';

export type ParamValue = number | string | boolean;
/** One trial's hyperparameters, by name. */
export type Params = Record<string, ParamValue>;

export type ParameterSpec =
  | { type: 'uniform'; min: number; max: number; steps?: number }
  | { type: 'loguniform'; min: number; max: number; steps?: number }
  | { type: 'int'; min: number; max: number; step?: number; log?: boolean }
  | { type: 'choice'; values: ParamValue[] }
  | { type: 'fixed'; value: ParamValue };

/** What users write: a spec per parameter, or a bare value for a fixed one (`"optimizer": "adam"`). */
export type SearchSpaceInput = Record<string, ParameterSpec | ParamValue>;

/** A checked space (made by searchSpace()): parameters in declaration order (draws depend on the order). */
export class SearchSpace {
  constructor(readonly parameters: readonly { name: string; spec: ParameterSpec }[]) {}
}

const TYPES = ['uniform', 'loguniform', 'int', 'choice', 'fixed'] as const;
const KEYS: Record<(typeof TYPES)[number], string[]> = {
  uniform: ['type', 'min', 'max', 'steps'],
  loguniform: ['type', 'min', 'max', 'steps'],
  int: ['type', 'min', 'max', 'step', 'log'],
  choice: ['type', 'values'],
  fixed: ['type', 'value'],
};
/** Grids larger than this are refused: they are almost always a typo in a step. */
const MAX_GRID = 1_000_000;
const WHERE = 'space';

const isValue = (v: unknown): v is ParamValue =>
  (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string' || typeof v === 'boolean';

function finite(name: string, key: string, value: unknown, type: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ConfigError(invalid(WHERE, `${name}.${key}`, `a finite number for a ${type} parameter`, value));
  }
  return value;
}

function checkParameter(name: string, raw: unknown): ParameterSpec {
  if (isValue(raw)) return { type: 'fixed', value: raw };
  if (!isPlainObject(raw)) {
    const hint = Array.isArray(raw) ? `For a list of options write { "type": "choice", "values": ${describe(raw)} }.` : '';
    throw new ConfigError(invalid(WHERE, name, 'a parameter { "type": ..., ... } or a fixed value', raw, hint));
  }
  const type = raw.type;
  if (!TYPES.includes(type as (typeof TYPES)[number])) {
    throw new ConfigError(invalid(WHERE, `${name}.type`, `one of ${TYPES.map((t) => `'${t}'`).join(', ')}`, type));
  }
  const t = type as (typeof TYPES)[number];
  checkOptions(`${WHERE} '${name}' (${t})`, raw, KEYS[t], 'parameter');
  if (t === 'fixed') {
    if (!isValue(raw.value)) throw new ConfigError(invalid(WHERE, `${name}.value`, 'a number, string or boolean', raw.value));
    return { type: 'fixed', value: raw.value };
  }
  if (t === 'choice') {
    const values = raw.values;
    if (!Array.isArray(values) || values.length === 0) {
      throw new ConfigError(invalid(WHERE, `${name}.values`, 'a non-empty list of options', values));
    }
    values.forEach((v, i) => {
      if (!isValue(v)) throw new ConfigError(invalid(WHERE, `${name}.values[${i}]`, 'a number, string or boolean', v));
    });
    return { type: 'choice', values: [...values] };
  }
  const min = finite(name, 'min', raw.min, t);
  const max = finite(name, 'max', raw.max, t);
  if (min > max) throw new ConfigError(invalid(WHERE, `${name}.min`, `a value <= max (${max})`, min));
  if (t === 'int') {
    if (!Number.isInteger(min)) throw new ConfigError(invalid(WHERE, `${name}.min`, 'an integer', min));
    if (!Number.isInteger(max)) throw new ConfigError(invalid(WHERE, `${name}.max`, 'an integer', max));
    const log = raw.log ?? false;
    if (typeof log !== 'boolean') throw new ConfigError(invalid(WHERE, `${name}.log`, 'true or false', log));
    if (log && min <= 0) {
      throw new ConfigError(invalid(WHERE, `${name}.min`, 'a value > 0 for a log-scaled int', min));
    }
    const step = raw.step;
    if (step !== undefined) {
      const ok = log ? typeof step === 'number' && step > 1 : Number.isInteger(step) && (step as number) >= 1;
      if (!ok) {
        const expected = log ? 'a multiplier > 1 (with log: true, step multiplies)' : 'an integer >= 1';
        throw new ConfigError(invalid(WHERE, `${name}.step`, expected, step));
      }
      return { type: 'int', min, max, step: step as number, log };
    }
    return { type: 'int', min, max, log };
  }
  if (t === 'loguniform' && min <= 0) {
    throw new ConfigError(invalid(WHERE, `${name}.min`, 'a value > 0 for a loguniform parameter', min));
  }
  const steps = raw.steps;
  if (steps !== undefined && !(Number.isInteger(steps) && (steps as number) >= 2)) {
    throw new ConfigError(invalid(WHERE, `${name}.steps`, 'an integer >= 2 (grid points between min and max)', steps));
  }
  return steps === undefined ? { type: t, min, max } : { type: t, min, max, steps: steps as number };
}

/**
 * Checks a search space and returns it in declaration order. Every error names the parameter and the value.
 * @example searchSpace({ lr: { type: 'loguniform', min: 1e-4, max: 1e-2 }, dropout: { type: 'choice', values: [0, 0.3] } })
 */
export function searchSpace(input: SearchSpaceInput | SearchSpace): SearchSpace {
  if (input instanceof SearchSpace) return input;
  if (!isPlainObject(input)) {
    throw new ConfigError(invalid(WHERE, 'space', 'an object { name: { type, ... } }', input));
  }
  const names = Object.keys(input);
  if (names.length === 0) throw new ConfigError(invalid(WHERE, 'space', 'at least one parameter', input));
  return new SearchSpace(names.map((name) => ({ name, spec: checkParameter(name, input[name]) })));
}

/** Reads a space from a .json, .yaml or .yml file and checks it. */
export async function loadSearchSpace(path: string): Promise<SearchSpace> {
  const text = new TextDecoder().decode(
    readInputFile(path, { where: '--space', expected: 'a JSON or YAML search space', maxBytes: MAX_INPUT_BYTES.text }),
  );
  const ext = extname(path).toLowerCase();
  let parsed: unknown;
  try {
    if (ext === '.yaml' || ext === '.yml') parsed = (await import('yaml')).parse(text);
    else parsed = JSON.parse(text);
  } catch (error) {
    const what = ext === '.yaml' || ext === '.yml' ? 'YAML' : 'JSON';
    throw new ConfigError(`--space: '${path}' is not valid ${what}: ${(error as Error).message.split('\n')[0]}`);
  }
  return searchSpace(parsed as SearchSpaceInput);
}

/** The values an int parameter can take, or null when there are too many to list (log without step). */
function intValues(spec: { min: number; max: number; step?: number; log?: boolean }): number[] | null {
  const out: number[] = [];
  if (spec.log && spec.step !== undefined) {
    for (let v = spec.min; v <= spec.max; v *= spec.step) out.push(Math.round(v));
    return [...new Set(out)];
  }
  if (spec.log) return spec.max - spec.min < MAX_GRID ? range(spec.min, spec.max, 1) : null;
  return range(spec.min, spec.max, spec.step ?? 1);
}

function range(min: number, max: number, step: number): number[] {
  const out: number[] = [];
  for (let v = min; v <= max && out.length <= MAX_GRID; v += step) out.push(v);
  return out;
}

/** One value from a uniform u in [0, 1). */
function drawValue(spec: ParameterSpec, u: number): ParamValue {
  switch (spec.type) {
    case 'fixed':
      return spec.value;
    case 'choice':
      return spec.values[Math.floor(u * spec.values.length)]!;
    case 'uniform':
      return spec.min + u * (spec.max - spec.min);
    case 'loguniform':
      return Math.exp(Math.log(spec.min) + u * (Math.log(spec.max) - Math.log(spec.min)));
    case 'int': {
      if (spec.log && spec.step === undefined) {
        const v = Math.floor(Math.exp(Math.log(spec.min) + u * (Math.log(spec.max + 1) - Math.log(spec.min))));
        return Math.min(Math.max(v, spec.min), spec.max);
      }
      const values = intValues(spec)!;
      return values[Math.floor(u * values.length)]!;
    }
  }
}

/**
 * A random point of the space from a seed (the same seed gives the same point everywhere).
 * @example sampleParams(space, trialSeed) // { lr: 0.0031, dropout: 0.3 }
 */
export function sampleParams(space: SearchSpace, seed: number): Params {
  const key = streamKey(seed);
  const params: Params = {};
  space.parameters.forEach(({ name, spec }, i) => {
    params[name] = drawValue(spec, uniformAt(key, i));
  });
  return params;
}

/** The grid values of one parameter; continuous ones need `steps`. */
function gridValues(name: string, spec: ParameterSpec): ParamValue[] {
  switch (spec.type) {
    case 'fixed':
      return [spec.value];
    case 'choice':
      return spec.values;
    case 'int': {
      const values = intValues(spec);
      if (!values) throw new ConfigError(invalid(WHERE, `${name}`, 'an int with a step for grid search', spec));
      return values;
    }
    default: {
      if (spec.steps === undefined) {
        throw new ConfigError(
          invalid(
            WHERE,
            name,
            "a parameter grid search can enumerate (choice, int, fixed, or a continuous one with 'steps')",
            spec,
            `Add "steps": 5 to discretise it, or use the random or hyperband strategy.`,
          ),
        );
      }
      const { min, max, steps } = spec;
      // Endpoints exact, as NumPy's linspace/geomspace give them (exp(log(x)) need not be x).
      return Array.from({ length: steps }, (_, i) =>
        i === 0
          ? min
          : i === steps - 1
            ? max
            : spec.type === 'uniform'
              ? min + ((max - min) * i) / (steps - 1)
              : Math.exp(Math.log(min) + ((Math.log(max) - Math.log(min)) * i) / (steps - 1)),
      );
    }
  }
}

/** Every point of the grid, first parameter varying slowest (itertools.product order). */
export function gridPoints(space: SearchSpace): Params[] {
  const axes = space.parameters.map(({ name, spec }) => ({ name, values: gridValues(name, spec) }));
  const size = axes.reduce((n, a) => n * a.values.length, 1);
  if (size > MAX_GRID) {
    throw new ConfigError(invalid(WHERE, 'space', `a grid of at most ${MAX_GRID} points`, `${size} points`));
  }
  const points: Params[] = [];
  for (let index = 0; index < size; index++) {
    const params: Params = {};
    let rest = index;
    for (let a = axes.length - 1; a >= 0; a--) {
      const axis = axes[a]!;
      params[axis.name] = axis.values[rest % axis.values.length]!;
      rest = Math.floor(rest / axis.values.length);
    }
    points.push(Object.fromEntries(axes.map((axis) => [axis.name, params[axis.name]!])));
  }
  return points;
}
