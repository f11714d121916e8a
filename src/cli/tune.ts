// `convkit tune`: hyperparameter search over a model template (or a saved model's architecture) on MNIST, Fashion-MNIST or an image folder, in this
// process, in worker threads (--parallel K) or on queue workers (--queue redis://...); prints a leaderboard and
// keeps the best model. Everything is checked (space, template, output folder) before the data is loaded.

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ConfigError, invalid } from '../errors.js';
import { atomicWriteBytes } from '../io/atomic-write.js';
import { checkWritable } from '../io/file-checks.js';
import { suggestKey } from '../options.js';
import { runDatasetTrial } from '../tuning/dataset-trial.js';
import { formatLeaderboard } from '../tuning/leaderboard.js';
import {
  checkModelFileFits,
  checkModelFileSpace,
  describeModelFile,
  type ModelFileTemplate,
  readModelFileTemplate,
} from '../tuning/model-file-template.js';
import { checkTemplateSpace, formatParams, TEMPLATE_NAMES } from '../tuning/model-templates.js';
import { loadSearchSpace } from '../tuning/search-space.js';
import type { StrategyName } from '../tuning/strategies.js';
import { type DataSpec, loadTrainingData, type TrainingData } from '../tuning/training-data.js';
import { type TrialRunner, tune } from '../tuning/tuner.js';
import { applyGlobalOptions, type GlobalOptions, type TrainingDataOptions } from './common.js';

export interface TuneCommandOptions extends GlobalOptions, TrainingDataOptions {
  space: string;
  model: string;
  trials?: number;
  epochs: number;
  limit?: number;
  strategy: string;
  eta: number;
  objective: string;
  validationSplit: number;
  seed?: number;
  parallel: number;
  queue?: string;
  baseline?: boolean;
  out: string;
}

/** The data description every runner (thread or queue worker) loads the same way. */
export function dataSpecOf(options: TuneCommandOptions): DataSpec {
  return {
    dataset: options.dataset,
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    ...(options.data !== undefined ? { data: options.data, imageSize: options.imageSize ?? [64, 64] } : {}),
    ...(options.colorMode !== undefined ? { colorMode: options.colorMode } : {}),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
  };
}

/** --model as a file: any model file loadModel reads; a missing path that is no template name gets both lists. */
async function modelFileOf(model: string): Promise<ModelFileTemplate> {
  if (!existsSync(model)) {
    throw new ConfigError(
      invalid(
        '--model',
        'model',
        `a template (${TEMPLATE_NAMES.join(', ')}) or a model file (.keras, .h5, TF.js model.json)`,
        model,
        suggestKey(model, TEMPLATE_NAMES)
          ? `Did you mean '${suggestKey(model, TEMPLATE_NAMES)}'?`
          : 'No such file. A model file is rebuilt from its architecture with fresh weights for each trial.',
      ),
    );
  }
  return readModelFileTemplate(model);
}

export async function tuneCommand(options: TuneCommandOptions): Promise<void> {
  const space = await loadSearchSpace(options.space);
  const modelFile = TEMPLATE_NAMES.includes(options.model) ? undefined : await modelFileOf(options.model);
  if (modelFile) checkModelFileSpace(modelFile, space);
  else checkTemplateSpace(options.model, space);
  if (!['random', 'grid', 'hyperband'].includes(options.strategy)) {
    throw new ConfigError(invalid('--strategy', 'strategy', "'random', 'grid' or 'hyperband'", options.strategy));
  }
  if (options.parallel > 1 && options.queue !== undefined) {
    throw new ConfigError(
      '--parallel and --queue: give one. --parallel runs trials in threads here; --queue sends them to tune-worker processes.',
    );
  }
  checkWritable(join(options.out, 'best.keras'), '--out');
  const defaults = modelFile ? 'the model file as saved' : 'template defaults';
  const setup = { template: options.model, validationSplit: options.validationSplit, ...(modelFile ? { modelFile } : {}) };
  if (modelFile) console.log(`Model: ${describeModelFile(modelFile)}`);
  const checkFits = (data: TrainingData) => {
    const [, h, w, c] = data.x.shape as [number, number, number, number];
    if (modelFile) checkModelFileFits(modelFile, [h, w, c], data.classNames.length);
  };
  const spec = dataSpecOf(options);
  let runner: TrialRunner;
  let where: string;
  if (options.queue !== undefined) {
    const { QueueRunner } = await import('../tuning/queue-runner.js');
    runner = await QueueRunner.connect(options.queue, { data: spec, setup, out: options.out });
    where = `queue ${options.queue}`;
  } else if (options.parallel > 1) {
    const { ThreadRunner } = await import('../tuning/thread-runner.js');
    const data = await loadTrainingData(spec);
    checkFits(data);
    const threads = Math.max(1, Math.floor(availableParallelism() / options.parallel));
    runner = new ThreadRunner(data, setup, { workers: options.parallel, threads, backend: options.backend });
    where = `${options.parallel} worker threads, ${threads} compute thread(s) each`;
    console.log(`Data: ${data.description}`);
  } else {
    const backend = applyGlobalOptions(options);
    const data = await loadTrainingData(spec);
    checkFits(data);
    runner = { concurrency: 1, run: (trial, onEpoch, modelPath) => runDatasetTrial(data, setup, trial, onEpoch, modelPath) };
    where = `this process (${backend} backend)`;
    console.log(`Data: ${data.description}`);
  }
  const planned = options.trials === undefined ? 'every grid point' : `${options.trials} configurations`;
  console.log(
    `Searching ${planned} of '${options.model}' (${options.strategy}, ${options.epochs} epoch(s), objective ${options.objective}) in ${where}`,
  );
  const started = performance.now();
  let done = 0;
  const result = await tune({
    space,
    strategy: options.strategy as StrategyName,
    epochs: options.epochs,
    objective: options.objective,
    eta: options.eta,
    out: options.out,
    runner,
    baseline: options.baseline ?? false,
    searchInfo: { ...spec, model: options.model, validationSplit: options.validationSplit },
    ...(options.trials !== undefined ? { trials: options.trials } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    onTrialStart: (trial) =>
      console.log(`trial ${trial.id} started: ${formatParams(trial.params) || `(${defaults})`}, ${trial.epochs} epoch(s)`),
    onTrialEnd: (record) => {
      done++;
      const outcome =
        record.status === 'completed' ? `${options.objective} ${record.value?.toFixed(4) ?? 'NaN'}` : `FAILED: ${record.error}`;
      console.log(`trial ${record.id} finished (${done} this run): ${outcome} (${record.seconds.toFixed(1)} s)`);
    },
  });
  const minutes = (performance.now() - started) / 60000;
  if (result.resumed > 0) console.log(`Resumed: ${result.resumed} trial(s) finished by an earlier run were not repeated.`);
  console.log(`\n${formatLeaderboard(result)}\n`);
  const failed = result.trials.filter((t) => t.status === 'failed');
  if (failed.length > 0) console.log(`${failed.length} trial(s) failed: ${failed.map((t) => `${t.id} (${t.error})`).join('; ')}`);
  if (!result.best)
    throw new ConfigError(`tune: no trial completed, so there is no best model. See ${join(options.out, 'trials.jsonl')}.`);
  const best = result.best;
  await atomicWriteBytes(
    join(options.out, 'best.json'),
    `${JSON.stringify({ trial: best.id, objective: result.objective, value: best.value, params: best.params, epochs: best.epochs, seed: best.seed }, null, 2)}\n`,
  );
  const baseline = result.trials.find((t) => t.id === 'baseline');
  if (baseline?.status === 'completed')
    console.log(
      `Baseline (${defaults}${formatParams(baseline.params) ? ` ${formatParams(baseline.params)}` : ''}): ${result.objective} ${baseline.value?.toFixed(4)}`,
    );
  console.log(
    `Best: ${best.id} ${result.objective} ${best.value?.toFixed(4)} with ${formatParams(best.params) || `the ${defaults.replace(/^the /, '')}`}`,
  );
  console.log(
    `Search time this run: ${minutes.toFixed(1)} min. Files: ${options.out}/trials.jsonl, trials.csv, best.json${result.bestModelPath ? ', best.keras' : ''}`,
  );
}
