// Search strategies as plans of trials: random (independent seeded draws), grid (every point, in order) and
// Hyperband (Li et al. 2018: brackets of successive halving; each rung trains the survivors for eta times more
// epochs and keeps the best 1/eta). A strategy yields waves of trials; a wave may depend on the results of the
// waves before it (Hyperband's promotions), which the caller supplies through `objectiveOf`. Every trial's parameters
// and training seed derive from (search seed, configuration index) alone, so any machine reproduces any trial.

import { mix32 } from '../backend/random.js';
import { ConfigError, invalid } from '../errors.js';
import { gridPoints, type Params, type SearchSpace, sampleParams } from './search-space.js';

export type StrategyName = 'random' | 'grid' | 'hyperband';
export const STRATEGIES: readonly StrategyName[] = ['random', 'grid', 'hyperband'];

/** One training run: a configuration (parameters) trained for a number of epochs from its own seed. */
export interface TrialSpec {
  /** Stable id: 't0007' for configuration 7, 't0007-r1' for its Hyperband rung 1. */
  id: string;
  /** Configuration index (its parameters and seed derive from it). */
  config: number;
  /** Hyperband rung (0 for random and grid). */
  rung: number;
  params: Params;
  epochs: number;
  /** Seeds the trial's weights, shuffling and dropout. */
  seed: number;
}

export interface PlanOptions {
  strategy: StrategyName;
  seed: number;
  /** Configurations to try (grid: at most the grid size; default the whole grid). */
  trials?: number;
  /** Epochs per trial (Hyperband: the most any configuration gets). */
  epochs: number;
  /** Hyperband's reduction factor. Default 3. */
  eta?: number;
}

/** A seed derived from the search seed, a configuration and a purpose (params 1, training 2). */
export function derivedSeed(searchSeed: number, config: number, purpose: number): number {
  return mix32((mix32((searchSeed ^ Math.imul(config + 1, 0x9e3779b9)) >>> 0) + purpose) >>> 0);
}

const idOf = (config: number, rung: number) => `t${String(config).padStart(4, '0')}${rung > 0 ? `-r${rung}` : ''}`;

function spec(options: PlanOptions, config: number, rung: number, params: Params, epochs: number): TrialSpec {
  return { id: idOf(config, rung), config, rung, params, epochs, seed: derivedSeed(options.seed, config, 2) };
}

/** Hyperband's brackets for at most `maxEpochs` epochs: configurations and the epochs/kept count of each rung. */
export function hyperbandBrackets(
  maxEpochs: number,
  eta: number,
  configs?: number,
): { configs: number; rungs: { epochs: number; runs: number }[] }[] {
  const sMax = Math.floor(Math.log(maxEpochs) / Math.log(eta) + 1e-9);
  const raw: number[] = [];
  for (let s = sMax; s >= 0; s--) raw.push(Math.ceil(((sMax + 1) / (s + 1)) * eta ** s));
  let counts = raw;
  if (configs !== undefined) {
    // Scale the brackets to the requested number of configurations, keeping Hyperband's proportions.
    const total = raw.reduce((a, b) => a + b, 0);
    counts = raw.map((n) => Math.max(1, Math.floor((n * configs) / total)));
    while (counts.length > configs) counts.pop();
    let sum = counts.reduce((a, b) => a + b, 0);
    for (let i = 0; sum < configs; i = (i + 1) % counts.length, sum++) counts[i]! += 1;
  }
  return counts.map((n, b) => {
    const s = sMax - b;
    const rungs: { epochs: number; runs: number }[] = [];
    for (let i = 0; i <= s; i++) {
      rungs.push({ epochs: Math.max(1, Math.round(maxEpochs * eta ** (i - s))), runs: Math.max(1, Math.floor(n * eta ** -i)) });
    }
    return { configs: n, rungs };
  });
}

/** Checks the plan options against the space (grid refuses continuous parameters without steps). */
export function checkPlan(space: SearchSpace, options: PlanOptions): void {
  if (!STRATEGIES.includes(options.strategy)) {
    throw new ConfigError(invalid('tune', 'strategy', STRATEGIES.map((s) => `'${s}'`).join(', '), options.strategy));
  }
  if (!Number.isInteger(options.epochs) || options.epochs < 1) {
    throw new ConfigError(invalid('tune', 'epochs', 'a positive integer', options.epochs));
  }
  if (options.trials !== undefined && (!Number.isInteger(options.trials) || options.trials < 1)) {
    throw new ConfigError(invalid('tune', 'trials', 'a positive integer', options.trials));
  }
  if (options.strategy === 'random' && options.trials === undefined) {
    throw new ConfigError(invalid('tune', 'trials', 'a number of trials for random search', undefined));
  }
  const eta = options.eta ?? 3;
  if (!(Number.isInteger(eta) && eta >= 2)) throw new ConfigError(invalid('tune', 'eta', 'an integer >= 2', eta));
  if (options.strategy === 'grid') gridPoints(space);
}

/** Whether `a` ranks above `b` (NaN and missing values rank last). */
export function better(a: number | null, b: number | null, direction: 'min' | 'max'): boolean {
  const ok = (v: number | null): v is number => v !== null && !Number.isNaN(v);
  if (!ok(a)) return false;
  if (!ok(b)) return true;
  return direction === 'max' ? a > b : a < b;
}

/**
 * The waves of trials of a search. `objectiveOf(id)` gives a finished trial's objective (null if it failed); Hyperband
 * reads it to promote the best of each rung.
 */
export function* planTrials(
  space: SearchSpace,
  options: PlanOptions,
  objectiveOf: (id: string) => number | null,
  direction: 'min' | 'max',
): Generator<TrialSpec[], void, void> {
  if (options.strategy === 'grid') {
    const points = gridPoints(space);
    const count = Math.min(options.trials ?? points.length, points.length);
    yield points.slice(0, count).map((params, c) => spec(options, c, 0, params, options.epochs));
    return;
  }
  const paramsOf = (c: number) => sampleParams(space, derivedSeed(options.seed, c, 1));
  if (options.strategy === 'random') {
    yield Array.from({ length: options.trials! }, (_, c) => spec(options, c, 0, paramsOf(c), options.epochs));
    return;
  }
  const eta = options.eta ?? 3;
  let first = 0;
  for (const bracket of hyperbandBrackets(options.epochs, eta, options.trials)) {
    let alive = Array.from({ length: bracket.configs }, (_, i) => first + i);
    first += bracket.configs;
    for (const [rung, { epochs, runs }] of bracket.rungs.entries()) {
      if (rung > 0) {
        const previous = alive.map((c) => ({ c, value: objectiveOf(idOf(c, rung - 1)) }));
        previous.sort((a, b) => (better(a.value, b.value, direction) ? -1 : better(b.value, a.value, direction) ? 1 : a.c - b.c));
        alive = previous
          .filter((p) => p.value !== null && !Number.isNaN(p.value))
          .slice(0, runs)
          .map((p) => p.c);
        if (alive.length === 0) break;
      }
      yield alive.map((c) => spec(options, c, rung, paramsOf(c), epochs));
    }
  }
}
