// Reshaping a trained model for transfer learning, Keras-style: flatten nested models into one functional graph
// (so `model.layers` lists every layer, as in a Keras application), cut it at a feature layer, and put a new
// classifier on top. The layers (and so their weights) are shared with the source model, as Keras shares them when
// a new Model is built from another's tensors: train one of them at a time. Browser-safe.

import { ConfigError, invalid, NotFoundError, ShapeError } from '../errors.js';
import { Dense } from '../layers/dense.js';
import { GlobalAveragePooling2D } from '../layers/global-pooling2d.js';
import type { Layer } from '../layers/layer.js';
import { callLayer, releaseLayer, type SymbolicTensor } from '../models/input.js';
import { Model } from '../models/model.js';
import { checkOptions } from '../options.js';

/** Calls `model`'s layers on `inputs` (one per model input), inlining nested models; returns the output tensor. */
export function inlineModel(model: Model, inputs: SymbolicTensor[]): SymbolicTensor {
  if (!model.built) {
    throw new ConfigError(
      `${model.name}: the model is not built. Expected a model with known input shape, received one without layers wired yet. Hint: give it an Input or an inputShape first.`,
    );
  }
  model.syncTrainable();
  const mapped = new Map<SymbolicTensor, SymbolicTensor>(model.inputs.map((t, i) => [t, inputs[i]!]));
  for (const node of model.graphNodes) {
    const ins = node.tensor.inbound.map((t) => mapped.get(t)!);
    let out: SymbolicTensor;
    if (node.layer instanceof Model) {
      out = inlineModel(node.layer, ins);
    } else if (ins.every((t, i) => t === node.tensor.inbound[i])) {
      out = node.tensor;
    } else {
      releaseLayer(node.layer);
      out = callLayer(node.layer, ins.length === 1 ? ins[0]! : ins);
    }
    mapped.set(node.tensor, out);
  }
  return mapped.get(model.outputs[0]!)!;
}

/**
 * One functional model with every nested model (Sequential inside Sequential, a Functional base) inlined, so
 * `layers` lists the layers themselves, as Keras lists a Keras application's. Trainable flags are kept (a frozen
 * nested model gives frozen layers).
 * @example const flat = flattenModel(await loadModel('keras_model.h5')); flat.layers.length // 157 for Teachable Machine
 */
export function flattenModel(model: Model, options?: { name?: string }): Model {
  const { name } = checkOptions<{ name?: string }>('flattenModel', options, ['name']);
  if (!(model instanceof Model)) throw new ConfigError(invalid('flattenModel', 'model', 'a Model', model));
  return new Model(model.inputs, inlineModel(model, model.inputs), { name: name ?? model.name });
}

/** Layers a classifier head is made of: featureExtractor cuts off a trailing run of them. */
const HEAD_CLASSES = new Set(['Dense', 'Dropout', 'Activation', 'Softmax']);

export interface FeatureExtractorOptions {
  /** The last layer to keep (its output is the features). Default: the layer before the trailing Dense/Dropout/Activation layers. */
  upTo?: string;
  name?: string;
}

/**
 * The model up to its feature layer, nested models flattened: by default everything before the classifier head
 * (the trailing Dense / Dropout / Activation / Softmax layers). For a Teachable Machine export that is its
 * MobileNetV2 plus global pooling, 1280 features.
 * @example const base = featureExtractor(await loadModel('keras_model.h5')); base.outputs[0].shape // [null, 1280]
 */
export function featureExtractor(model: Model, rawOptions?: FeatureExtractorOptions): Model {
  const options = checkOptions<FeatureExtractorOptions>('featureExtractor', rawOptions, ['upTo', 'name']);
  const flat = flattenModel(model);
  let cut: Layer;
  if (options.upTo !== undefined) {
    if (typeof options.upTo !== 'string')
      throw new ConfigError(invalid('featureExtractor', 'upTo', 'a layer name', options.upTo));
    const layer = flat.layers.find((l) => l.name === options.upTo);
    if (!layer) {
      throw new NotFoundError(
        invalid(
          'featureExtractor',
          'upTo',
          `the name of a layer of ${model.name}`,
          options.upTo,
          `Its layers: ${flat.layers.map((l) => l.name).join(', ')}.`,
        ),
      );
    }
    cut = layer;
  } else {
    let tensor = flat.outputs[0]!;
    while (HEAD_CLASSES.has(tensor.layer.className) && tensor.inbound.length === 1) tensor = tensor.inbound[0]!;
    if (tensor.inbound.length === 0) {
      throw new ShapeError(
        `featureExtractor: ${model.name} has no layer before its Dense head. Expected a model with a feature part (convolutions, pooling) under the classifier, received only ${flat.layers.map((l) => l.className).join(', ')}.`,
      );
    }
    cut = tensor.layer;
  }
  return new Model(flat.inputs, cut.output, { name: options.name ?? `${model.name}_features` });
}

export interface ClassifierOptions {
  /** Output activation (default 'softmax'). */
  activation?: string;
  /** Name of the new Dense layer (default 'predictions', as in Keras applications). */
  name?: string;
  /** The new model's name. */
  modelName?: string;
}

/**
 * A new classifier on top of a feature model: global average pooling when the features are still (N, H, W, C),
 * then Dense(classes, softmax). Keras's transfer-learning head; the base's layers are shared.
 * @example const model = addClassifier(featureExtractor(tm), 2);
 */
export function addClassifier(features: Model, classes: number, rawOptions?: ClassifierOptions): Model {
  const options = checkOptions<ClassifierOptions>('addClassifier', rawOptions, ['activation', 'name', 'modelName']);
  if (!Number.isInteger(classes) || classes < 1)
    throw new ConfigError(invalid('addClassifier', 'classes', 'a positive integer', classes));
  let x = features.outputs[0]!;
  if (x.shape.length === 4) x = new GlobalAveragePooling2D().apply(x);
  if (x.shape.length !== 2) {
    throw new ShapeError(
      invalid('addClassifier', 'features', 'a model whose output is (N, C) or (N, H, W, C)', `(${x.shape.join(', ')})`),
    );
  }
  const head = new Dense(classes, { activation: options.activation ?? 'softmax', name: options.name ?? 'predictions' });
  return new Model(features.inputs, head.apply(x), { name: options.modelName ?? `${features.name}_classifier` });
}
