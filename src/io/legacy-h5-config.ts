// Keras 2 JSON for legacy `.h5` files: our Keras 3 model config rewritten the way Keras 2 wrote it (no
// module / registered_name, dtype as a plain name, InputLayer `batch_input_shape`, functional `inbound_nodes` as
// [[["layer", 0, 0, {}]]]), and `training_config` ({optimizer_config, loss, metrics}). Keras 3 reads both forms.

import type { Model } from '../models/model.js';
import { modelToKeras } from '../models/model-config.js';
import { compileConfigOf } from './compile-config.js';

type Json = Record<string, unknown>;

const KERAS3_ONLY_KEYS = new Set(['module', 'registered_name', 'build_config', 'compile_config']);

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A Keras 3 inbound node ({args: [tensor | [tensors]], kwargs}) as Keras 2's list of [name, 0, 0, {}]. */
function legacyInboundNode(node: unknown): unknown {
  if (!isObject(node) || !Array.isArray(node.args)) return node;
  const first = node.args[0];
  const tensors = Array.isArray(first) ? first : [first];
  return tensors.map((t) => {
    const history = isObject(t) && isObject(t.config) ? t.config.keras_history : undefined;
    return Array.isArray(history) ? [history[0], history[1] ?? 0, history[2] ?? 0, {}] : t;
  });
}

/** Recursively rewrites Keras 3 JSON into Keras 2 JSON. */
function toKeras2(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    if (key === 'inbound_nodes') return value.map(legacyInboundNode);
    return value.map((v) => toKeras2(v));
  }
  if (!isObject(value)) return value;
  if (key === 'dtype' && value.class_name === 'DTypePolicy' && isObject(value.config)) return value.config.name;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    if (KERAS3_ONLY_KEYS.has(k)) continue;
    out[k === 'batch_shape' ? 'batch_input_shape' : k] = toKeras2(v, k);
  }
  return out;
}

/** The `model_config` attribute of a legacy `.h5` file. */
export function legacyModelConfig(model: Model): Json {
  return toKeras2(modelToKeras(model)) as Json;
}

/** Optimizer options Keras 2 knows; Keras 3 additions (use_ema, loss_scale_factor ...) would fail its constructor. */
const KERAS2_OPTIMIZER_KEYS = new Set([
  'name',
  'learning_rate',
  'beta_1',
  'beta_2',
  'epsilon',
  'amsgrad',
  'momentum',
  'nesterov',
  'rho',
  'centered',
]);
const KERAS2_OPTIONAL_KEYS = new Set(['clipnorm', 'clipvalue', 'global_clipnorm', 'weight_decay']);

function legacyOptimizer(optimizer: unknown): Json {
  const spec = toKeras2(optimizer) as Json;
  const config: Json = {};
  for (const [key, value] of Object.entries((spec.config as Json | undefined) ?? {})) {
    if (KERAS2_OPTIMIZER_KEYS.has(key) || (KERAS2_OPTIONAL_KEYS.has(key) && value !== null)) config[key] = value;
  }
  return { class_name: spec.class_name, config };
}

/** The `training_config` attribute (Keras 2 form), or null when the model is not compiled. */
export function legacyTrainingConfig(model: Model): Json | null {
  const compile = compileConfigOf(model);
  if (!compile) return null;
  return {
    loss: toKeras2(compile.loss),
    metrics: toKeras2(compile.metrics),
    weighted_metrics: null,
    loss_weights: null,
    optimizer_config: legacyOptimizer(compile.optimizer),
  };
}
