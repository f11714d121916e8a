// The search loop: takes the waves of trials a strategy plans, runs each trial through a TrialRunner (in this
// thread, in worker threads, or on queue workers) up to the runner's concurrency, records every trial (the --out
// files of trial-log.ts), skips trials an earlier run finished, and keeps the best model. The objective is the
// monitored metric after a trial's last epoch, the value of the model it saves. Not here: how a trial trains
// (dataset-trial.ts for the CLI, any function for library users).

import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { autoMode } from '../callbacks/monitor.js';
import { ConfigError, invalid } from '../errors.js';
import { checkOptions } from '../options.js';
import { drawSeed } from '../training/seed.js';
import { discoverSpace, type HyperParameters } from './hyperparameters.js';
import { type Params, type SearchSpace, type SearchSpaceInput, searchSpace } from './search-space.js';
import { better, checkPlan, derivedSeed, type PlanOptions, planTrials, type StrategyName, type TrialSpec } from './strategies.js';
import { checkOrWriteSearch, readSearch, readTrialRecords, type TrialRecord, writeTrialRecords } from './trial-log.js';

/** Reports one epoch's logs of a running trial. */
export type EpochReporter = (epoch: number, logs: Record<string, number>) => void;

/** What a runner hands back for a finished trial. */
export interface TrialOutcome {
  history: Record<string, number[]>;
  /** Which worker ran it. */
  worker?: string;
}

/** Runs trials somewhere: `concurrency` of them at once. */
export interface TrialRunner {
  readonly concurrency: number;
  /** Trains one trial; saves its model to `modelPath` when given. Rejects when the trial fails. */
  run(trial: TrialSpec, onEpoch: EpochReporter, modelPath: string | null): Promise<TrialOutcome>;
  close?(): Promise<void>;
}

export interface TuneOptions {
  /** The space: declared ({ lr: { type: 'loguniform', ... } }), or a build function whose hp calls declare it. */
  space: SearchSpaceInput | SearchSpace | ((hp: HyperParameters) => unknown);
  /** 'random' (default), 'grid' or 'hyperband'. */
  strategy?: StrategyName;
  /** Configurations to try (grid: default every point). */
  trials?: number;
  /** Epochs per trial (Hyperband: the maximum). */
  epochs: number;
  /** Search seed: the same seed plans and trains the same trials. Drawn when absent (and written to search.json). */
  seed?: number;
  /** Hyperband reduction factor (default 3). */
  eta?: number;
  /** The metric to optimise, after the last epoch. Default 'val_loss'. */
  objective?: string;
  /** 'min' or 'max'; default from the metric's name, as Keras's monitor 'auto' mode. */
  direction?: 'min' | 'max';
  /** Folder for search.json, trials.jsonl/csv and best.keras; a re-run with the same folder resumes. */
  out?: string;
  /** Save each trial's model and keep the best as `<out>/best.keras` (needs `out`). Default true with `out`. */
  saveBestModel?: boolean;
  /** Runs trials: a runner, or a function run in this thread one trial at a time. */
  runner: TrialRunner | ((trial: TrialSpec, onEpoch: EpochReporter, modelPath: string | null) => Promise<TrialOutcome>);
  /**
   * Also train the model at its defaults, recorded as trial 'baseline', for comparison. Its params are the space's
   * fixed parameters (settings of the whole search, such as a batch size), so it trains under the same conditions.
   */
  baseline?: boolean;
  /** Extra facts stored in search.json and compared on resume (dataset, model template ...). */
  searchInfo?: Record<string, unknown>;
  onTrialStart?: (trial: TrialSpec) => void;
  onTrialEnd?: (record: TrialRecord, best: TrialRecord | null) => void;
}

export interface TuneResult {
  objective: string;
  direction: 'min' | 'max';
  seed: number;
  /** Every trial, in the order they started. */
  trials: TrialRecord[];
  /** Completed trials, best first. */
  leaderboard: TrialRecord[];
  best: TrialRecord | null;
  /** Trials skipped because an earlier run finished them. */
  resumed: number;
  bestModelPath: string | null;
}

const KEYS = [
  'space',
  'strategy',
  'trials',
  'epochs',
  'seed',
  'eta',
  'objective',
  'direction',
  'out',
  'saveBestModel',
  'runner',
  'searchInfo',
  'baseline',
  'onTrialStart',
  'onTrialEnd',
];

const finished = (r: TrialRecord | undefined) => r !== undefined && (r.status === 'completed' || r.status === 'failed');

/** The parameters a space holds constant (type 'fixed'), which the baseline shares with every trial. */
function fixedParams(space: SearchSpace): Params {
  const params: Params = {};
  for (const { name, spec } of space.parameters) if (spec.type === 'fixed') params[name] = spec.value;
  return params;
}

/** Completed trials, best first (ties: earlier configuration first). */
export function rankTrials(records: Iterable<TrialRecord>, direction: 'min' | 'max'): TrialRecord[] {
  return [...records]
    .filter((r) => r.status === 'completed')
    .sort((a, b) =>
      better(a.value, b.value, direction) ? -1 : better(b.value, a.value, direction) ? 1 : a.config - b.config || a.rung - b.rung,
    );
}

/**
 * Hyperparameter search (KerasTuner's tuner.search). Each trial's params and seed come from (seed, configuration).
 * @example
 * const result = await tune({ space: { lr: { type: 'loguniform', min: 1e-4, max: 1e-2 } }, trials: 20, epochs: 3,
 *   objective: 'val_accuracy', out: 'search', runner: async (trial, onEpoch) => ({ history: ... }) });
 */
export async function tune(rawOptions: TuneOptions): Promise<TuneResult> {
  const options = checkOptions<TuneOptions>('tune', rawOptions, KEYS);
  const space = typeof options.space === 'function' ? (await discoverSpace(options.space)).space : searchSpace(options.space);
  const objective = options.objective ?? 'val_loss';
  if (typeof objective !== 'string' || objective === '') {
    throw new ConfigError(invalid('tune', 'objective', "a metric name such as 'val_accuracy'", objective));
  }
  const direction = options.direction ?? autoMode(objective);
  if (direction !== 'min' && direction !== 'max')
    throw new ConfigError(invalid('tune', 'direction', "'min' or 'max'", direction));
  // A resumed search without an explicit seed continues with the seed the first run drew.
  const previousSeed = options.out !== undefined ? readSearch(options.out)?.seed : undefined;
  const seed = options.seed ?? (typeof previousSeed === 'number' ? previousSeed : drawSeed());
  if (!Number.isInteger(seed) || seed < 0) throw new ConfigError(invalid('tune', 'seed', 'an integer >= 0', seed));
  const plan: PlanOptions = {
    strategy: options.strategy ?? 'random',
    seed,
    epochs: options.epochs,
    ...(options.trials !== undefined ? { trials: options.trials } : {}),
    ...(options.eta !== undefined ? { eta: options.eta } : {}),
  };
  checkPlan(space, plan);
  const runner: TrialRunner = typeof options.runner === 'function' ? { concurrency: 1, run: options.runner } : options.runner;
  if (!runner || typeof runner.run !== 'function') {
    throw new ConfigError(invalid('tune', 'runner', 'a TrialRunner or a function (trial, onEpoch) => outcome', runner));
  }
  const out = options.out;
  const saveModels = out !== undefined && (options.saveBestModel ?? true);
  const records = new Map<string, TrialRecord>();
  let resumed = 0;
  if (out !== undefined) {
    mkdirSync(out, { recursive: true });
    const search = {
      ...options.searchInfo,
      baseline: options.baseline ?? false,
      objective,
      direction,
      ...plan,
      eta: plan.eta ?? 3,
      space: space.parameters,
    };
    if (await checkOrWriteSearch(out, search)) for (const r of readTrialRecords(out)) records.set(r.id, r);
    if (saveModels) {
      // Models of trials an interrupted run did not get to judge; their trials run again.
      rmSync(join(out, 'models'), { recursive: true, force: true });
      mkdirSync(join(out, 'models'), { recursive: true });
    }
  }
  let writing = Promise.resolve();
  const persist = (): Promise<void> => {
    if (out === undefined) return writing;
    writing = writing.then(() => writeTrialRecords(out, [...records.values()]));
    return writing;
  };
  const bestPath = out === undefined ? null : join(out, 'best.keras');
  let best = rankTrials(records.values(), direction)[0] ?? null;

  const runOne = async (trial: TrialSpec): Promise<void> => {
    const record: TrialRecord = {
      ...trial,
      status: 'running',
      history: {},
      value: null,
      seconds: 0,
      started: new Date().toISOString(),
    };
    records.set(trial.id, record);
    options.onTrialStart?.(trial);
    await persist();
    const started = performance.now();
    const modelPath = saveModels ? join(out!, 'models', `${trial.id}.keras`) : null;
    const onEpoch: EpochReporter = (epoch, logs) => {
      for (const [key, value] of Object.entries(logs)) {
        const series = record.history[key] ?? [];
        series[epoch] = value;
        record.history[key] = series;
      }
      record.seconds = (performance.now() - started) / 1000;
      void persist();
    };
    try {
      const outcome = await runner.run(trial, onEpoch, modelPath);
      record.history = outcome.history;
      if (outcome.worker !== undefined) record.worker = outcome.worker;
      const series = outcome.history[objective];
      if (!series) {
        throw new ConfigError(
          invalid(
            'tune',
            'objective',
            `one of the metrics the trials log (${Object.keys(outcome.history).join(', ')})`,
            objective,
          ),
        );
      }
      record.value = series[series.length - 1] ?? null;
      if (record.value !== null && Number.isNaN(record.value)) record.value = null;
      record.status = 'completed';
    } catch (error) {
      record.status = 'failed';
      record.error = error instanceof Error ? error.message : String(error);
      if (error instanceof ConfigError) {
        record.seconds = (performance.now() - started) / 1000;
        await persist();
        throw error;
      }
    } finally {
      record.seconds = (performance.now() - started) / 1000;
      record.finished = new Date().toISOString();
    }
    if (modelPath !== null && existsSync(modelPath)) {
      if (record.status === 'completed' && (best === null || better(record.value, best.value, direction)))
        renameSync(modelPath, bestPath!);
      else rmSync(modelPath, { force: true });
    }
    if (record.status === 'completed' && (best === null || better(record.value, best.value, direction))) best = record;
    await persist();
    options.onTrialEnd?.(record, best);
  };

  try {
    const objectiveOf = (id: string) => {
      const r = records.get(id);
      return r?.status === 'completed' ? r.value : null;
    };
    const baseline: TrialSpec = {
      id: 'baseline',
      config: -1,
      rung: 0,
      params: fixedParams(space),
      epochs: plan.epochs,
      seed: derivedSeed(seed, -1, 2),
    };
    // A generator, not a list: Hyperband plans a rung only once the rung before it has results.
    const waves = function* () {
      if (options.baseline) yield [baseline];
      yield* planTrials(space, plan, objectiveOf, direction);
    };
    for (const wave of waves()) {
      const pending: TrialSpec[] = [];
      for (const trial of wave) {
        const before = records.get(trial.id);
        if (finished(before) && JSON.stringify(before!.params) === JSON.stringify(trial.params)) resumed++;
        else pending.push(trial);
      }
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < pending.length) await runOne(pending[next++]!);
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(runner.concurrency, pending.length)) }, lane));
    }
  } finally {
    await writing;
    await runner.close?.();
    if (saveModels) {
      const left = existsSync(join(out!, 'models')) ? readdirSync(join(out!, 'models')) : [];
      if (left.length === 0) rmSync(join(out!, 'models'), { recursive: true, force: true });
    }
  }
  const leaderboard = rankTrials(records.values(), direction);
  return {
    objective,
    direction,
    seed,
    trials: [...records.values()],
    leaderboard,
    best: leaderboard[0] ?? null,
    resumed,
    bestModelPath: bestPath !== null && existsSync(bestPath) ? bestPath : null,
  };
}
