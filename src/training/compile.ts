// model.compile(): resolves optimizer, loss and metrics into the state the trainer uses. Not here: lossWeights,
// several losses, weighted metrics, jit/steps_per_execution.

import { ConfigError, invalid } from '../errors.js';
import type { Model } from '../models/model.js';
import { checkOptions } from '../options.js';
import { getLoss, type Loss } from './losses.js';
import { getMetric, type Metric } from './metrics.js';
import { getOptimizer, type Optimizer, type OptimizerSpec } from './optimizers/index.js';

export interface CompileArgs {
  /** 'adam' | 'sgd' | 'rmsprop' | 'adamw' (Keras defaults) or an Optimizer instance. Default 'rmsprop' as Keras. */
  optimizer?: string | Optimizer | OptimizerSpec;
  /** A loss name (camelCase or snake_case) or a Loss instance. */
  loss: string | Loss;
  /** Metric names ('accuracy', 'precision', 'recall', 'auc', 'top_k_categorical_accuracy' ...) or instances. */
  metrics?: (string | Metric)[];
}

export interface CompiledState {
  optimizer: Optimizer;
  loss: Loss;
  metrics: Metric[];
  /** The original metric arguments, to make fresh copies for validation. */
  metricArgs: (string | Metric)[];
}

/** Validates and resolves compile arguments. Called by Model.compile. */
export function compileModel(model: Model, args: CompileArgs): CompiledState {
  if (!args || typeof args !== 'object')
    throw new ConfigError(invalid(`${model.name}.compile`, 'args', '{ optimizer, loss, metrics }', args));
  checkOptions(`${model.name}.compile`, args, ['optimizer', 'loss', 'metrics'], 'args');
  if (args.loss === undefined) throw new ConfigError(invalid(`${model.name}.compile`, 'loss', 'a loss name or Loss', undefined));
  const optimizer = getOptimizer(args.optimizer ?? 'rmsprop');
  const loss = getLoss(args.loss);
  const metricArgs = args.metrics ?? [];
  if (!Array.isArray(metricArgs)) throw new ConfigError(invalid(`${model.name}.compile`, 'metrics', 'an array', metricArgs));
  const metrics = metricArgs.map(getMetric);
  return { optimizer, loss, metrics, metricArgs };
}
