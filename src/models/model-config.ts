// Keras model JSON: `modelToKeras(model)` writes Keras 3's form (Sequential with its layer list, Functional
// with `inbound_nodes` as {args, kwargs} and __keras_tensor__ history); `modelFromKeras(json)` reads that and
// Keras 2's list form ([[["name", 0, 0, {}]]]), with nested models as layers. Layer configs themselves are
// src/layers/serialization.ts's job. Not here: shared layers (a layer with several inbound nodes).

import { ConfigError, describe, FormatError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import { type CustomObjects, layerFromKeras, layerToKeras } from '../layers/serialization.js';
import type { Shape } from '../tensor.js';
import { callLayer, Input, isInputLayer, type SymbolicTensor } from './input.js';
import { Model } from './model.js';
import { Sequential } from './sequential.js';

type Json = Record<string, unknown>;

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

function inputLayerJson(name: string, shape: Shape): Json {
  return {
    module: 'keras.layers',
    class_name: 'InputLayer',
    config: { batch_shape: shape, dtype: 'float32', sparse: false, name },
    registered_name: null,
  };
}

/** One layer entry: a nested model or a plain layer. */
function layerEntry(layer: Layer): Json {
  if (layer instanceof Model) return { module: 'keras', ...modelToKeras(layer), registered_name: null };
  return { ...(layerToKeras(layer) as unknown as Json) };
}

function kerasTensor(t: SymbolicTensor): Json {
  return { class_name: '__keras_tensor__', config: { shape: t.shape, dtype: 'float32', keras_history: [t.name, 0, 0] } };
}

/**
 * Keras 3 JSON of a model ({class_name, config}), as stored in a .keras file's config.json.
 * @example JSON.stringify(modelToKeras(model))
 */
export function modelToKeras(model: Model): { class_name: string; config: Json } {
  if (model instanceof Sequential) {
    const layers: Json[] = [];
    const first = model.built ? model.inputs[0] : undefined;
    if (first) layers.push(inputLayerJson(first.name, first.shape));
    for (const layer of model.layers) layers.push(layerEntry(layer));
    const config: Json = { name: model.name, trainable: model.trainable, dtype: 'float32', layers };
    if (first) config.build_input_shape = first.shape;
    return { class_name: 'Sequential', config };
  }
  const layers: Json[] = model.inputs.map((t) => ({ ...inputLayerJson(t.name, t.shape), name: t.name, inbound_nodes: [] }));
  for (const node of model.graphNodes) {
    const inbound = node.tensor.inbound;
    const args = inbound.length === 1 ? [kerasTensor(inbound[0]!)] : [inbound.map(kerasTensor)];
    layers.push({ ...layerEntry(node.layer), name: node.layer.name, inbound_nodes: [{ args, kwargs: {} }] });
  }
  return {
    class_name: 'Functional',
    config: {
      name: model.name,
      trainable: model.trainable,
      layers,
      input_layers: model.inputs.map((t) => [t.name, 0, 0]),
      output_layers: model.outputs.map((t) => [t.name, 0, 0]),
    },
  };
}

function fail(message: string): never {
  throw new FormatError(`modelFromKeras: ${message}`);
}

function asObject(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(`invalid ${what}. Expected an object, received ${describe(value)}.`);
  return value as Json;
}

function batchShapeOf(config: Json): Shape {
  const shape = config.batch_shape ?? config.batch_input_shape;
  if (!Array.isArray(shape))
    fail(`InputLayer '${String(config.name)}' has no batch_shape. Expected an array, received ${describe(shape)}.`);
  return shape as Shape;
}

/** A layer or nested model from its JSON entry. */
function buildLayer(entry: Json, customObjects: CustomObjects | undefined): Layer {
  if (MODEL_CLASSES.has(String(entry.class_name))) return modelFromKeras(entry, customObjects);
  return layerFromKeras(entry, customObjects);
}

/** Names of the tensors a Keras 3 ({args}) or Keras 2 ([[name, 0, 0, {}]]) inbound node refers to. */
function inboundNames(node: unknown): { names: string[]; list: boolean } {
  if (Array.isArray(node)) {
    const names = node.map((item) =>
      Array.isArray(item) ? String(item[0]) : fail(`invalid Keras 2 inbound node ${describe(item)}.`),
    );
    return { names, list: names.length > 1 };
  }
  const args = asObject(node, 'inbound node').args;
  if (!Array.isArray(args) || args.length === 0)
    fail(`invalid inbound node args ${describe(args)}. Expected [tensor] or [[tensors]].`);
  const first = args[0];
  const history = (t: unknown): string => {
    const h = asObject(asObject(t, 'keras tensor').config, 'keras tensor config').keras_history;
    return Array.isArray(h) ? String(h[0]) : fail(`keras tensor without keras_history: ${describe(t)}.`);
  };
  return Array.isArray(first) ? { names: first.map(history), list: true } : { names: [history(first)], list: false };
}

/**
 * A model from Keras JSON ({class_name: 'Sequential' | 'Functional' | 'Model', config}), Keras 2 or 3.
 * `customObjects` maps class names of user layers to their classes (Keras's custom_objects).
 * @example const model = modelFromKeras(JSON.parse(configJson));
 */
export function modelFromKeras(json: unknown, customObjects?: CustomObjects): Model {
  const spec = asObject(json, 'model JSON');
  const className = String(spec.class_name);
  if (!MODEL_CLASSES.has(className))
    fail(`unsupported model class. Expected Sequential, Functional or Model, received ${describe(spec.class_name)}.`);
  const config = asObject(spec.config, 'model config');
  const layers = config.layers;
  if (!Array.isArray(layers)) fail(`invalid 'layers'. Expected an array, received ${describe(layers)}.`);
  const name = typeof config.name === 'string' ? config.name : undefined;
  let model: Model;
  if (className === 'Sequential') {
    const seq = new Sequential([], name !== undefined ? { name } : {});
    for (const entry of layers) {
      const e = asObject(entry, 'layer entry');
      if (e.class_name === 'InputLayer') seq.add(Input({ batchShape: batchShapeOf(asObject(e.config, 'InputLayer config')) }));
      else seq.add(buildLayer(e, customObjects));
    }
    if (!seq.built && Array.isArray(config.build_input_shape)) seq.buildFor(config.build_input_shape as Shape);
    model = seq;
  } else {
    const tensors = new Map<string, SymbolicTensor>();
    for (const entry of layers) {
      const e = asObject(entry, 'layer entry');
      const layerConfig = asObject(e.config, 'layer config');
      const layerName = String(e.name ?? layerConfig.name);
      if (e.class_name === 'InputLayer') {
        tensors.set(layerName, Input({ batchShape: batchShapeOf(layerConfig), name: layerName }));
        continue;
      }
      const nodes = e.inbound_nodes;
      if (!Array.isArray(nodes) || nodes.length !== 1) {
        fail(
          `layer '${layerName}' has ${Array.isArray(nodes) ? nodes.length : 'no'} inbound nodes. Expected exactly 1 (shared layers are not supported).`,
        );
      }
      const { names, list } = inboundNames(nodes[0]);
      const inputs = names.map((n) => tensors.get(n) ?? fail(`layer '${layerName}' refers to unknown layer '${n}'.`));
      const layer = buildLayer(e, customObjects);
      if (isInputLayer(layer)) fail(`unexpected InputLayer '${layerName}' with inbound nodes.`);
      tensors.set(layerName, callLayer(layer, list ? inputs : inputs[0]!));
    }
    const pick = (refs: unknown, what: string): SymbolicTensor[] => {
      if (!Array.isArray(refs)) fail(`invalid '${what}'. Expected [[name, 0, 0], ...], received ${describe(refs)}.`);
      const list = refs.length > 0 && !Array.isArray(refs[0]) ? [refs] : refs;
      return list.map(
        (r) => tensors.get(String((r as unknown[])[0])) ?? fail(`'${what}' refers to unknown layer ${describe(r)}.`),
      );
    };
    const inputs = pick(config.input_layers, 'input_layers');
    const outputs = pick(config.output_layers, 'output_layers');
    model = new Model({
      inputs: inputs.length === 1 ? inputs[0]! : inputs,
      outputs: outputs[0]!,
      ...(name !== undefined ? { name } : {}),
    });
  }
  if (config.trainable === false) model.trainable = false;
  return model;
}

/** Rebuilds a model from its own JSON (a deep copy with fresh weights). */
export function cloneModelArchitecture(model: Model): Model {
  const copy = modelFromKeras(JSON.parse(JSON.stringify(modelToKeras(model))));
  if (!copy) throw new ConfigError(`cloneModelArchitecture: could not rebuild '${model.name}'.`);
  return copy;
}
