// Keras 3 `compile_config` <-> model.compile(): optimizer ({module, class_name, config}), loss (name or
// {class_name, config}) and metrics (names, or Keras metric objects with their options). Not here: loss_weights, weighted_metrics, custom objects.

import { describe, FormatError } from '../errors.js';
import type { Model } from '../models/model.js';
import { getLoss, type Loss, Loss as LossClass } from '../training/losses.js';
import { getMetric, metricFromKeras, metricToKeras } from '../training/metrics.js';
import { Adam, AdamW, type Optimizer, RMSprop, SGD } from '../training/optimizers/index.js';
import { CosineDecay, ExponentialDecay, type LearningRateSchedule, PiecewiseConstantDecay } from '../training/schedules.js';

type Json = Record<string, unknown>;

/** Keras's compile_config for a compiled model, or null when it is not compiled. */
export function compileConfigOf(model: Model): Json | null {
  const compiled = model.compiled;
  if (!compiled) return null;
  const loss = compiled.loss.toKerasConfig();
  return {
    optimizer: { module: 'keras.optimizers', ...compiled.optimizer.toKerasConfig(), registered_name: null },
    loss: { module: 'keras.losses', ...loss, registered_name: null },
    loss_weights: null,
    metrics: compiled.metricArgs.map((m) => (typeof m === 'string' ? m : metricToKeras(m))),
    weighted_metrics: null,
    run_eagerly: false,
    steps_per_execution: 1,
    jit_compile: false,
  };
}

const camel = (key: string): string => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const OPTIMIZER_CLASSES: Record<string, (config: Json) => Optimizer> = {
  adam: (c) => new Adam(c),
  adamw: (c) => new AdamW(c),
  sgd: (c) => new SGD(c),
  rmsprop: (c) => new RMSprop(c),
};
const OPTIMIZER_KEYS = new Set([
  'name',
  'learningRate',
  'weightDecay',
  'clipnorm',
  'globalClipnorm',
  'clipvalue',
  'beta1',
  'beta2',
  'epsilon',
  'amsgrad',
  'momentum',
  'nesterov',
  'rho',
  'centered',
]);

const SCHEDULES: Record<string, (config: Json) => LearningRateSchedule> = {
  ExponentialDecay: (c) => new ExponentialDecay(c as never),
  CosineDecay: (c) => new CosineDecay(c as never),
  PiecewiseConstantDecay: (c) => new PiecewiseConstantDecay(c as never),
};

function camelConfig(config: Json, keep?: Set<string>): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(config)) {
    const name = camel(key).replace(/^beta(\d)$/, 'beta$1');
    if (value === null && name !== 'weightDecay') continue;
    if (!keep || keep.has(name)) out[name] = value;
  }
  return out;
}

/** An Optimizer from Keras's serialised optimizer ({class_name, config}) or a name ('adam'). */
export function optimizerFromKeras(json: unknown, source: string): Optimizer {
  const spec = typeof json === 'string' ? { class_name: json, config: {} } : (json as Json | null);
  const className = typeof spec?.class_name === 'string' ? spec.class_name : '';
  const make = OPTIMIZER_CLASSES[className.toLowerCase()];
  if (!make) {
    throw new FormatError(
      `'${source}': unsupported optimizer in compile_config. Expected one of Adam, AdamW, SGD, RMSprop, received ${describe(className || json)}. Hint: load with { compile: false } and compile the model yourself.`,
    );
  }
  const config = camelConfig((spec?.config as Json) ?? {}, OPTIMIZER_KEYS);
  if (config.weightDecay === null) delete config.weightDecay;
  const lr = config.learningRate as Json | number | undefined;
  if (lr && typeof lr === 'object') {
    const schedule = SCHEDULES[String(lr.class_name)];
    if (!schedule)
      throw new FormatError(
        `'${source}': unsupported learning-rate schedule ${describe(lr.class_name)}. Hint: load with { compile: false }.`,
      );
    config.learningRate = schedule(camelConfig((lr.config as Json) ?? {}));
  }
  return make(config);
}

/** A Loss from Keras's loss entry: a name or {class_name, config}. */
export function lossFromKeras(json: unknown, source: string): Loss {
  try {
    if (typeof json === 'string') return getLoss(json);
    const spec = json as Json;
    const base = getLoss(String(spec.class_name));
    const config = (spec.config as Json) ?? {};
    return new LossClass(base.kind, {
      ...(typeof config.from_logits === 'boolean' ? { fromLogits: config.from_logits } : {}),
      ...(typeof config.label_smoothing === 'number' ? { labelSmoothing: config.label_smoothing } : {}),
    });
  } catch (error) {
    throw new FormatError(
      `'${source}': unsupported loss in compile_config. Expected a Keras loss name or {class_name, config}, received ${describe(json)} (${error instanceof Error ? error.message : String(error)}). Hint: load with { compile: false } and compile the model yourself.`,
    );
  }
}

/** Compiles `model` from a Keras compile_config. */
export function compileFromKeras(model: Model, compileConfig: Json, source: string): void {
  const metrics = Array.isArray(compileConfig.metrics) ? compileConfig.metrics : [];
  const metricArgs = metrics.flat().map((m) => {
    try {
      if (typeof m === 'string') {
        getMetric(m);
        return m;
      }
      // A Keras metric object keeps its options (Precision's thresholds, top-k's k) instead of falling back to defaults.
      return metricFromKeras((m ?? {}) as Json);
    } catch (error) {
      throw new FormatError(
        `'${source}': unsupported metric ${describe(m)} in compile_config (${error instanceof Error ? error.message : String(error)}). Hint: load with { compile: false }.`,
      );
    }
  });
  model.compile({
    optimizer: optimizerFromKeras(compileConfig.optimizer, source),
    loss: lossFromKeras(compileConfig.loss, source),
    metrics: metricArgs,
  });
}
