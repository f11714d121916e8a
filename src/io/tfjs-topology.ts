// A convkit model as the Keras JSON TensorFlow.js's layers API reads (Keras 2 style: 'Model' with list-form
// inbound_nodes, batch_input_shape on a Sequential's first layer, plain dtype strings, {class_name, config}
// initializers), with its weights named `<layer>/<weight>` as TF.js names them. Layers that do nothing at inference
// and that TF.js lacks (random augmentation, SpatialDropout2D) are left out; layers TF.js would compute differently
// or not at all fail with a message naming them. Not here: writing files (tfjs-export.ts).

import { ConfigError } from '../errors.js';
import { IDENTITY_AT_INFERENCE } from '../layers/common.js';
import type { Layer } from '../layers/layer.js';
import { layerToKeras } from '../layers/serialization.js';
import type { SymbolicTensor } from '../models/input.js';
import { Model } from '../models/model.js';
import { Sequential } from '../models/sequential.js';
import type { Shape } from '../tensor.js';

type Json = Record<string, unknown>;

/** Identity at inference and absent from TF.js: left out of the export (TF.js has Dropout, so it stays). */
const INFERENCE_NO_OPS = new Set([...IDENTITY_AT_INFERENCE].filter((name) => name !== 'Dropout'));

/** Layers TF.js would compute differently (its Resizing aligns corners) or cannot read. */
const NOT_IN_TFJS: Record<string, string> = {
  Resizing: "TF.js's Resizing layer resizes with aligned corners, so its output would differ",
  CenterCrop: "TF.js's CenterCrop resizes with aligned corners when cropping is not enough, so its output could differ",
  RandomCrop: 'TF.js has no RandomCrop layer (its inference-time resize is not available there)',
};

/** Keras 3 initializer names TF.js spells differently. */
const INITIALIZER_NAMES: Record<string, string> = { LecunNormal: 'LeCunNormal', LecunUniform: 'LeCunUniform' };

/** Activation names TF.js reads with the same meaning (TF.js has no leaky_relu activation, and another hard_sigmoid). */
const ACTIVATIONS: Record<string, string> = {
  linear: 'linear',
  relu: 'relu',
  relu6: 'relu6',
  elu: 'elu',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  softmax: 'softmax',
  swish: 'swish',
  silu: 'swish',
  gelu: 'gelu',
  softplus: 'softplus',
};

function unsupported(layer: Layer, why: string): never {
  throw new ConfigError(
    `exportTfjs: layer '${layer.name}' (${layer.className}) cannot be exported to TensorFlow.js: ${why}. Hint: remove or replace the layer before exporting.`,
  );
}

function plainObject(spec: unknown): unknown {
  if (!spec || typeof spec !== 'object') return spec ?? null;
  const { class_name: name, config } = spec as { class_name: string; config: Json };
  if (name === 'L1' || name === 'L2' || name === 'L1L2') {
    return { class_name: 'L1L2', config: { l1: Number(config.l1 ?? 0), l2: Number(config.l2 ?? 0) } };
  }
  return { class_name: INITIALIZER_NAMES[name] ?? name, config: { ...config } };
}

/** One leaf layer's TF.js config (snake_case keys, as TF.js's deserializer expects). */
function leafConfig(layer: Layer): { class_name: string; config: Json } {
  const why = NOT_IN_TFJS[layer.className];
  if (why) unsupported(layer, why);
  const { class_name: className, config: keras } = layerToKeras(layer);
  const config: Json = {};
  for (const [key, value] of Object.entries(keras)) {
    if (key === 'dtype') config.dtype = typeof value === 'string' ? value : 'float32';
    else if (key === 'batch_shape') config.batch_input_shape = value;
    else if (key.endsWith('_initializer') || key.endsWith('_regularizer')) config[key] = plainObject(value);
    else config[key] = value;
  }
  if ('activation' in config) {
    const name = ACTIVATIONS[String(config.activation)];
    if (!name) unsupported(layer, `TF.js has no activation '${String(config.activation)}' with Keras's meaning`);
    config.activation = name;
  }
  if (className === 'Conv2D' && config.groups !== 1) unsupported(layer, 'TF.js Conv2D has no groups');
  if (className === 'ReLU' && (config.negative_slope !== 0 || config.threshold !== 0)) {
    unsupported(layer, 'TF.js ReLU has only max_value (negative_slope and threshold must be 0)');
  }
  if (className === 'LeakyReLU') config.alpha = config.negative_slope;
  if (className.startsWith('Global') && config.keepdims === true) unsupported(layer, 'TF.js global pooling has no keepdims');
  if (className === 'BatchNormalization' && Array.isArray(config.axis) && config.axis.length === 1) config.axis = config.axis[0];
  return { class_name: className, config };
}

function entryOf(layer: Layer, batchInputShape: Shape | null): { class_name: string; config: Json } {
  if (layer instanceof Model) return tfjsTopology(layer, batchInputShape);
  const entry = leafConfig(layer);
  if (batchInputShape) entry.config.batch_input_shape = batchInputShape;
  return entry;
}

function sequentialTopology(model: Sequential, batchInputShape: Shape | null): { class_name: string; config: Json } {
  const kept = model.layers.filter((l) => !INFERENCE_NO_OPS.has(l.className));
  if (kept.length === 0) {
    throw new ConfigError(
      `exportTfjs: model '${model.name}' has only inference no-op layers (${model.layers.map((l) => l.className).join(', ')}). Expected at least one layer that computes something, received none.`,
    );
  }
  const shape = batchInputShape ?? model.inputs[0]?.shape ?? null;
  const layers = kept.map((layer, i) => entryOf(layer, i === 0 ? shape : null));
  return { class_name: 'Sequential', config: { name: model.name, layers } };
}

function functionalTopology(model: Model): { class_name: string; config: Json } {
  const alias = new Map<SymbolicTensor, SymbolicTensor>();
  const resolve = (t: SymbolicTensor) => alias.get(t) ?? t;
  // A nested model is built when TF.js deserialises it (its own input is inbound node 0), so its call here is node 1.
  const ref = (t: SymbolicTensor) => [resolve(t).name, resolve(t).layer instanceof Model ? 1 : 0, 0];
  const layers: Json[] = model.inputs.map((t) => ({
    name: t.name,
    class_name: 'InputLayer',
    config: { batch_input_shape: t.shape, dtype: 'float32', sparse: false, name: t.name },
    inbound_nodes: [],
  }));
  for (const node of model.graphNodes) {
    const inbound = node.tensor.inbound;
    if (INFERENCE_NO_OPS.has(node.layer.className)) {
      alias.set(node.tensor, resolve(inbound[0]!));
      continue;
    }
    const entry = entryOf(node.layer, null);
    layers.push({ name: node.layer.name, ...entry, inbound_nodes: [inbound.map((t) => [...ref(t), {}])] });
  }
  const output = model.outputs[0]!;
  if (model.inputs.includes(resolve(output))) {
    throw new ConfigError(
      `exportTfjs: model '${model.name}' has only inference no-op layers between its input and output. Expected at least one layer that computes something, received none.`,
    );
  }
  return {
    class_name: 'Model',
    config: {
      name: model.name,
      layers,
      input_layers: model.inputs.map((t) => [t.name, 0, 0]),
      output_layers: [ref(output)],
    },
  };
}

/**
 * The Keras JSON (class_name, config) TF.js's `loadLayersModel` reads for this model.
 * @example JSON.stringify({ modelTopology: tfjsTopology(model) })
 */
export function tfjsTopology(model: Model, batchInputShape: Shape | null = null): { class_name: string; config: Json } {
  return model instanceof Sequential ? sequentialTopology(model, batchInputShape) : functionalTopology(model);
}

/** The model's weights with the names TF.js gives them; ConfigError when two layers share a name. */
export function tfjsNamedWeights(model: Model): { name: string; shape: number[]; data: Float32Array }[] {
  const out: { name: string; shape: number[]; data: Float32Array }[] = [];
  const owners = new Map<string, Layer>();
  const visit = (container: Model) => {
    for (const layer of container.layers) {
      if (layer instanceof Model) {
        visit(layer);
        continue;
      }
      if (layer.weights.length === 0) continue;
      const owner = owners.get(layer.name);
      if (owner && owner !== layer) {
        throw new ConfigError(
          `exportTfjs: two layers are named '${layer.name}'. Expected unique layer names across nested models (TF.js finds weights by '<layer>/<weight>'), received a ${owner.className} and a ${layer.className}. Hint: rename one of them.`,
        );
      }
      owners.set(layer.name, layer);
      for (const w of layer.weights) out.push({ name: `${layer.name}/${w.name}`, shape: w.shape, data: w.value });
    }
  };
  visit(model);
  return out;
}
