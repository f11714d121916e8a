// KerasTuner's tuners: RandomSearch, GridSearch and Hyperband take a build function (hp) => compiled model (or a
// HyperModel { build, fit }), discover its search space from the hp calls (hyperparameters.ts), and search(x, y,
// fitOptions) trains one model per trial with model.fit. Underneath is tune() (tuner.ts), so trials are seeded,
// logged (directory/projectName: search.json, trials.jsonl/csv, best.keras) and resumed exactly as every search;
// getBestHyperparameters, getBestModels, resultsSummary and searchSpaceSummary answer as KerasTuner's do.

import { join } from 'node:path';
import type { Callback } from '../callbacks/callback.js';
import { ConfigError, describe, invalid } from '../errors.js';
import { checkOptions, isPlainObject } from '../options.js';
import { writeOut } from '../output.js';
import type { History } from '../training/history.js';
import { setRandomSeed } from '../training/seed.js';
import { FIT_KEYS, type FitOptions } from '../training/trainer.js';
import { EpochForwarder } from './dataset-trial.js';
import { type DiscoveredSpace, discoverSpace, HyperParameters } from './hyperparameters.js';
import { formatLeaderboard } from './leaderboard.js';
import type { Params, ParamValue } from './search-space.js';
import type { StrategyName, TrialSpec } from './strategies.js';
import { type EpochReporter, type TuneResult, tune } from './tuner.js';

/** What search() trains on: whatever model.fit takes (arrays and labels, or a Dataset with y omitted). */
type FitArgs = [x: unknown, y: unknown];

/** KerasTuner's HyperModel: build a compiled model from hp; optionally train it yourself. */
export interface HyperModel<M = unknown> {
  build(hp: HyperParameters): M | Promise<M>;
  /**
   * Trains `model` (KerasTuner's HyperModel.fit). Returns a History, the final metrics { name: value }, or the
   * objective's value. Default: model.fit(x, y, options).
   */
  fit?(
    hp: HyperParameters,
    model: M,
    x: unknown,
    y: unknown,
    options: FitOptions & { epochs: number; callbacks: Callback[] },
  ): Promise<History | Record<string, number> | number> | History | Record<string, number> | number;
}

/** The metric to optimise: its name ('min' for losses, 'max' otherwise) or { name, direction } (keras_tuner.Objective). */
export type Objective = string | { name: string; direction: 'min' | 'max' };

export interface TunerOptions {
  /** Default 'val_loss'. */
  objective?: Objective;
  /** Search seed (drawn when absent; a resumed search reuses the first run's). */
  seed?: number;
  /** With a directory, the search is written to directory/projectName and a re-run resumes it. */
  directory?: string;
  /** Default 'untitled_project', as KerasTuner. */
  projectName?: string;
  /** Most builds the space discovery may make (one per Choice/Boolean alternative). Default 32. */
  maxDiscoveryBuilds?: number;
}

export interface RandomSearchOptions extends TunerOptions {
  maxTrials: number;
}
export interface GridSearchOptions extends TunerOptions {
  /** Default every grid point. */
  maxTrials?: number;
}
export interface HyperbandOptions extends TunerOptions {
  /** The most epochs a configuration trains for. */
  maxEpochs: number;
  /** Keep the best 1/factor at each rung. Default 3. */
  factor?: number;
  /** Configurations to try (default Hyperband's own count for maxEpochs and factor). */
  maxTrials?: number;
}

/** search()'s options: model.fit's, plus how much to print. */
export type SearchOptions = FitOptions & {
  /** 0 silent, 1 one line per trial (default), 2 also model.fit's line per epoch. */
  verbose?: 0 | 1 | 2;
};

const COMMON_KEYS = ['objective', 'seed', 'directory', 'projectName', 'maxDiscoveryBuilds'];

/** KerasTuner's Tuner: the shared part of RandomSearch, GridSearch and Hyperband. */
export abstract class Tuner<M = unknown> {
  readonly hypermodel: HyperModel<M>;
  /** The last search()'s result (every trial and the leaderboard). */
  result: TuneResult | null = null;
  private discovered: DiscoveredSpace | null = null;
  private bestModel: { id: string; model: M } | null = null;

  protected constructor(
    hypermodel: ((hp: HyperParameters) => M | Promise<M>) | HyperModel<M>,
    protected readonly options: TunerOptions,
    private readonly strategy: StrategyName,
  ) {
    const model = typeof hypermodel === 'function' ? { build: hypermodel } : hypermodel;
    if (typeof (model as HyperModel<M> | null)?.build !== 'function') {
      throw new ConfigError(
        invalid(
          this.constructor.name,
          'hypermodel',
          'a build function (hp) => model, or a HyperModel { build, fit? }',
          hypermodel,
        ),
      );
    }
    this.hypermodel = model;
  }

  /** The folder of this search's files, or undefined without a directory. */
  get projectDir(): string | undefined {
    const { directory, projectName } = this.options;
    return directory === undefined ? undefined : join(directory, projectName ?? 'untitled_project');
  }

  /** Finds the search space (once): the hyperparameters build(hp) declares. */
  async space(): Promise<DiscoveredSpace> {
    this.discovered ??= await discoverSpace((hp) => this.hypermodel.build(hp), this.options.maxDiscoveryBuilds ?? 32);
    return this.discovered;
  }

  /** The planned epochs and configurations of this strategy. */
  protected abstract plan(fitEpochs: number | undefined): { epochs: number; trials?: number; eta?: number };

  /** Runs the search: one model per trial, trained with model.fit(x, y, options) (epochs set per trial by Hyperband). */
  async search(x: unknown, y?: unknown, rawOptions?: SearchOptions): Promise<TuneResult> {
    const [data, fitOptions] = splitArgs(x, y, rawOptions);
    const { space, defaults } = await this.space();
    const known = new Set(space.parameters.map((p) => p.name));
    const warned = new Set<string>();
    const verbose = fitOptions.verbose ?? 1;
    const { name: objective, direction } = objectiveOf(this.constructor.name, this.options.objective);
    const plan = this.plan(fitOptions.epochs);
    const candidates = new Map<string, M>();
    const run = async (trial: TrialSpec, onEpoch: EpochReporter, modelPath: string | null) => {
      setRandomSeed(trial.seed);
      const hp = new HyperParameters(trial.params, undefined, known, (name, value) => {
        if (warned.has(name)) return;
        warned.add(name);
        console.warn(
          `${this.constructor.name}: hyperparameter '${name}' was declared in a branch the space discovery did not reach (a condition on a number?), so it is not searched; trials use its default ${describe(value)}.`,
        );
      });
      const model = await this.hypermodel.build(hp);
      const callbacks = [...(fitOptions.callbacks ?? []), new EpochForwarder(onEpoch)];
      const options = { ...fitOptions, epochs: trial.epochs, verbose: verbose === 2 ? 2 : 0, callbacks } as const;
      const trained = this.hypermodel.fit
        ? await this.hypermodel.fit(hp, model, data[0], data[1], options)
        : await fitModel(model, data, options);
      const history = historyOf(trained, objective);
      const saver = (model as { save?: (path: string) => Promise<void> }).save;
      if (modelPath !== null && typeof saver === 'function') await saver.call(model, modelPath);
      candidates.set(trial.id, model);
      return { history };
    };
    const dir = this.projectDir;
    this.result = await tune({
      space,
      strategy: this.strategy,
      epochs: plan.epochs,
      objective,
      ...(direction !== undefined ? { direction } : {}),
      runner: run,
      searchInfo: { tuner: this.constructor.name },
      ...(plan.trials !== undefined ? { trials: plan.trials } : {}),
      ...(plan.eta !== undefined ? { eta: plan.eta } : {}),
      ...(this.options.seed !== undefined ? { seed: this.options.seed } : {}),
      ...(dir !== undefined ? { out: dir } : {}),
      onTrialEnd: (record, best) => {
        const model = candidates.get(record.id);
        candidates.delete(record.id);
        if (best?.id === record.id && model !== undefined) this.bestModel = { id: record.id, model };
        if (verbose === 0) return;
        const outcome =
          record.status === 'completed' ? `${objective} ${record.value?.toFixed(4) ?? 'NaN'}` : `FAILED: ${record.error}`;
        const shown = Object.fromEntries(Object.entries(record.params).filter(([k]) => k in defaults));
        writeOut(
          `Trial ${record.id} (${record.epochs} epoch(s), ${record.seconds.toFixed(1)} s): ${outcome}; best so far ${best ? `${best.id} ${best.value?.toFixed(4)}` : 'none'}; ${describe(shown)}\n`,
        );
      },
    });
    return this.result;
  }

  /** The hyperparameters of the best `numTrials` completed trials, best first (each usable as build(hp)). */
  getBestHyperparameters(numTrials = 1): HyperParameters[] {
    const result = this.finishedResult('getBestHyperparameters');
    return result.leaderboard.slice(0, numTrials).map((record) => hyperparametersOf(record.params));
  }

  /**
   * The best model (KerasTuner's get_best_models): the trained model of this session's best trial, else the search
   * directory's best.keras. Only the best is kept, so numModels must be 1.
   */
  async getBestModels(numModels = 1): Promise<M[]> {
    if (numModels !== 1) {
      throw new ConfigError(
        invalid(
          'getBestModels',
          'numModels',
          '1 (only the best trained model is kept)',
          numModels,
          'For the others, build(hp) from getBestHyperparameters(n) and train them.',
        ),
      );
    }
    const result = this.finishedResult('getBestModels');
    if (this.bestModel !== null && this.bestModel.id === result.best?.id) return [this.bestModel.model];
    if (result.bestModelPath !== null) {
      const { loadModel } = await import('../io/load-model.js');
      return [(await loadModel(result.bestModelPath)) as M];
    }
    throw new ConfigError(
      'getBestModels: the best trial ran in an earlier session and its model was not saved (no directory, or the build returns no model). Hint: rebuild it with build(getBestHyperparameters()[0]) and train it.',
    );
  }

  /** The leaderboard of the best `numTrials` trials, printed and returned. */
  resultsSummary(numTrials = 10): string {
    const text = formatLeaderboard(this.finishedResult('resultsSummary'), numTrials);
    writeOut(`${text}\n`);
    return text;
  }

  /** The discovered search space, one line per hyperparameter, printed and returned. */
  async searchSpaceSummary(): Promise<string> {
    const { space, defaults, conditional } = await this.space();
    const lines = space.parameters.map(
      ({ name, spec }) =>
        `${name}: ${describe(spec)} default ${describe(defaults[name])}${conditional.includes(name) ? ' (conditional)' : ''}`,
    );
    const text = [`Search space: ${lines.length} hyperparameter(s)`, ...lines].join('\n');
    writeOut(`${text}\n`);
    return text;
  }

  private finishedResult(where: string): TuneResult {
    if (this.result === null)
      throw new ConfigError(`${where}: no search has run yet. Hint: await tuner.search(x, y, { ... }) first.`);
    return this.result;
  }
}

/** model.fit's arguments as KerasTuner's search(*fit_args, **fit_kwargs): (x, y, options) or (dataset, options). */
function splitArgs(x: unknown, y: unknown, options: SearchOptions | undefined): [FitArgs, SearchOptions] {
  if (options === undefined && isPlainObject(y)) return [[x, undefined], checkOptions<SearchOptions>('search', y, FIT_KEYS)];
  return [[x, y], checkOptions<SearchOptions>('search', options, FIT_KEYS)];
}

async function fitModel(model: unknown, [x, y]: FitArgs, options: FitOptions): Promise<History> {
  const fit = (model as { fit?: unknown } | null)?.fit;
  if (typeof fit !== 'function') {
    throw new ConfigError(
      invalid(
        'search',
        'build(hp)',
        'a compiled model (it returned no model with fit())',
        model,
        'Return the model from build(hp), or give a HyperModel with its own fit().',
      ),
    );
  }
  return y === undefined ? fit.call(model, x, options) : fit.call(model, x, y, options);
}

/** A trial's metrics from whatever fit returned (KerasTuner accepts a History, a dict, or the objective's value). */
function historyOf(trained: unknown, objective: string): Record<string, number[]> {
  if (typeof trained === 'number') return { [objective]: [trained] };
  const history = (trained as { history?: unknown } | null)?.history;
  if (isPlainObject(history)) return history as Record<string, number[]>;
  if (isPlainObject(trained) && Object.values(trained).every((v) => typeof v === 'number')) {
    return Object.fromEntries(Object.entries(trained).map(([k, v]) => [k, [v as number]]));
  }
  throw new ConfigError(
    invalid('HyperModel.fit', 'return value', 'a History, { metric: value } or the objective value', trained),
  );
}

function objectiveOf(where: string, objective: Objective | undefined): { name: string; direction?: 'min' | 'max' } {
  if (objective === undefined) return { name: 'val_loss' };
  if (typeof objective === 'string') return { name: objective };
  if (isPlainObject(objective)) {
    const o = checkOptions<{ name: string; direction: 'min' | 'max' }>(where, objective, ['name', 'direction'], 'objective');
    return { name: o.name, direction: o.direction };
  }
  throw new ConfigError(invalid(where, 'objective', "a metric name or { name, direction: 'min' | 'max' }", objective));
}

function hyperparametersOf(params: Params): HyperParameters {
  const hp = new HyperParameters(params);
  Object.assign(hp.values, params as Record<string, ParamValue>);
  return hp;
}

/**
 * KerasTuner's RandomSearch: maxTrials configurations drawn at random from the space build(hp) declares.
 * @example
 * const tuner = new RandomSearch((hp) => { const m = new Sequential([...]); m.compile({ optimizer: { name: 'adam',
 *   learningRate: hp.Float('lr', { minValue: 1e-4, maxValue: 1e-2, sampling: 'log' }) }, ... }); return m; },
 *   { objective: 'val_accuracy', maxTrials: 20, seed: 1, directory: 'search' });
 * await tuner.search(x, y, { epochs: 3, validationSplit: 0.2 });
 * const [best] = await tuner.getBestModels();
 */
export class RandomSearch<M = unknown> extends Tuner<M> {
  constructor(hypermodel: ((hp: HyperParameters) => M | Promise<M>) | HyperModel<M>, options: RandomSearchOptions) {
    super(hypermodel, checkOptions('RandomSearch', options ?? null, [...COMMON_KEYS, 'maxTrials']), 'random');
    if (!Number.isInteger(options.maxTrials) || options.maxTrials < 1) {
      throw new ConfigError(invalid('RandomSearch', 'maxTrials', 'a positive integer', options.maxTrials));
    }
  }
  protected plan(fitEpochs: number | undefined) {
    return { epochs: fitEpochs ?? 1, trials: (this.options as RandomSearchOptions).maxTrials };
  }
}

/** KerasTuner's GridSearch: every point of the space (continuous Floats need a step), in order, up to maxTrials. */
export class GridSearch<M = unknown> extends Tuner<M> {
  constructor(hypermodel: ((hp: HyperParameters) => M | Promise<M>) | HyperModel<M>, options: GridSearchOptions = {}) {
    super(hypermodel, checkOptions('GridSearch', options, [...COMMON_KEYS, 'maxTrials']), 'grid');
  }
  protected plan(fitEpochs: number | undefined) {
    const trials = (this.options as GridSearchOptions).maxTrials;
    return { epochs: fitEpochs ?? 1, ...(trials !== undefined ? { trials } : {}) };
  }
}

/** KerasTuner's Hyperband: brackets of successive halving up to maxEpochs (search()'s epochs are set per trial). */
export class Hyperband<M = unknown> extends Tuner<M> {
  constructor(hypermodel: ((hp: HyperParameters) => M | Promise<M>) | HyperModel<M>, options: HyperbandOptions) {
    super(
      hypermodel,
      checkOptions('Hyperband', options ?? null, [...COMMON_KEYS, 'maxEpochs', 'factor', 'maxTrials']),
      'hyperband',
    );
    if (!Number.isInteger(options.maxEpochs) || options.maxEpochs < 1) {
      throw new ConfigError(invalid('Hyperband', 'maxEpochs', 'a positive integer', options.maxEpochs));
    }
  }
  protected plan() {
    const { maxEpochs, factor, maxTrials } = this.options as HyperbandOptions;
    return { epochs: maxEpochs, eta: factor ?? 3, ...(maxTrials !== undefined ? { trials: maxTrials } : {}) };
  }
}
