// The gradient of one class score with respect to the model input and to one intermediate layer's output, by the
// layers' own backward passes (convkit has no general autograd). Shared by Grad-CAM and saliency maps. The score
// is the class logit when the output layer's softmax/sigmoid can be split off (as Grad-CAM's paper and Keras's
// example use), else the model's output (e.g. a probability from a nested model's last layer). Browser-safe: no Node imports. Not a training step: it runs in
// inference mode, and while it runs the model must not be used by anything else (layers reuse their buffers).

import { invalid, NotFoundError, ShapeError, ValueError } from '../errors.js';
import type { CallContext, Layer } from '../layers/layer.js';
import { Model } from '../models/model.js';
import { formatShape, type Tensor } from '../tensor.js';

/** Layers whose output is taken as a convolution's output when they directly follow it (Keras's Grad-CAM picks
 * the activation after the last convolution). They keep the shape and act per element or per channel. */
const FOLLOWERS = new Set(['BatchNormalization', 'Activation', 'ReLU', 'LeakyReLU']);
/** Layer classes that count as convolutions: the default Grad-CAM layer is the last of them. */
export const CONVOLUTIONS: ReadonlySet<string> = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D']);

export interface ClassGradients {
  classIndex: number;
  /** The differentiated score: the class logit, or the model's output (a probability) when no logit is reachable. */
  score: number;
  scoreKind: 'logit' | 'output';
  /** The model's output for the image (probabilities for a softmax model), shape (1, classes). */
  output: Tensor;
  /** d score / d input, shape of the input (1, H, W, C). */
  inputGradient: Tensor;
  /** The tapped layer's output and d score / d that output (same shape), when a layer was asked for. */
  activation: Tensor | null;
  activationGradient: Tensor | null;
}

/** Every layer in execution order, nested models opened (their own layers listed in place of them). */
export function flattenLayers(model: Model): Layer[] {
  const out: Layer[] = [];
  for (const node of model.graphNodes) {
    if (node.layer instanceof Model) out.push(...flattenLayers(node.layer));
    else out.push(node.layer);
  }
  return out;
}

/** Output shape of a built layer from its symbolic tensor (nested models included). */
function outputRank(model: Model, layer: Layer): number | null {
  for (const node of model.graphNodes) {
    if (node.layer === layer) return node.tensor.shape.length;
    if (node.layer instanceof Model) {
      const inner = outputRank(node.layer, layer);
      if (inner !== null) return inner;
    }
  }
  return null;
}

/** Layers with a 4D (N, H, W, C) output, the ones Grad-CAM can use. */
export function spatialLayers(model: Model): Layer[] {
  return flattenLayers(model).filter((l) => outputRank(model, l) === 4);
}

/**
 * The layer Grad-CAM uses by default: the last convolution, moved past the BatchNormalization and activation
 * layers right after it (so the map is taken after the non-linearity, as in Keras's Grad-CAM example).
 */
export function defaultCamLayer(model: Model): Layer {
  const layers = flattenLayers(model);
  let at = -1;
  layers.forEach((l, i) => {
    if (CONVOLUTIONS.has(l.className)) at = i;
  });
  if (at < 0) {
    throw new NotFoundError(
      invalid(
        'gradCam',
        'layerName',
        'a convolution layer in the model',
        `a model without one (${layers.map((l) => l.className).join(', ')})`,
        'Grad-CAM needs a spatial feature map; use saliencyMap() for dense-only models.',
      ),
    );
  }
  while (at + 1 < layers.length && FOLLOWERS.has(layers[at + 1]!.className)) at++;
  return layers[at]!;
}

/** A layer by name anywhere in the model (nested models included); the error lists the spatial layers. */
export function findLayer(model: Model, name: string, where: string): Layer {
  const layer = flattenLayers(model).find((l) => l.name === name);
  if (!layer) {
    const names = spatialLayers(model).map((l) => l.name);
    throw new NotFoundError(
      invalid(where, 'layerName', `one of the model's layers with a (H, W, C) output: ${names.join(', ')}`, name),
    );
  }
  return layer;
}

/** A single image as (1, H, W, C), checked against the model input. */
export function singleImage(model: Model, image: Tensor, where: string): Tensor {
  const shape = image?.shape;
  if (!Array.isArray(shape) || !(shape.length === 3 || (shape.length === 4 && shape[0] === 1))) {
    throw new ShapeError(
      invalid(
        where,
        'image',
        'one image of shape (H, W, C) or (1, H, W, C)',
        shape ? formatShape(shape) : image,
        'Explain one image at a time.',
      ),
    );
  }
  const batched = shape.length === 3 ? { data: image.data, shape: [1, ...shape] } : image;
  if (!model.built && 'buildFor' in model && typeof model.buildFor === 'function') model.buildFor(batched.shape);
  model.checkInputs([batched]);
  return batched;
}

/** Replaces a layer's forward/backward on this instance to copy what passes through; returns the undo. */
function tap(layer: Layer, seen: { out: Tensor | null; dy: Tensor | null }): () => void {
  const forward = layer.forward;
  const backward = layer.backward;
  layer.forward = (inputs, ctx) => {
    const out = forward.call(layer, inputs, ctx);
    seen.out = { data: out.data.slice(), shape: [...out.shape] };
    return out;
  };
  layer.backward = (dy, ctx) => {
    seen.dy = { data: dy.data.slice(), shape: [...dy.shape] };
    return backward.call(layer, dy, ctx);
  };
  // Deleting the own properties brings the class's methods back.
  return () => {
    Reflect.deleteProperty(layer, 'forward');
    Reflect.deleteProperty(layer, 'backward');
  };
}

/**
 * Gradient of class `classIndex`'s score for one image, w.r.t. the input and (optionally) `layer`'s output.
 * `classIndex` defaults to the predicted class.
 */
export function classScoreGradients(
  model: Model,
  image: Tensor,
  classIndex: number | undefined,
  layer: Layer | null,
): ClassGradients {
  const x = singleImage(model, image, 'classScoreGradients');
  const seen: { out: Tensor | null; dy: Tensor | null } = { out: null, dy: null };
  const untap = layer ? tap(layer, seen) : () => {};
  try {
    const ctx: CallContext = { backend: model.backend, training: false, needsInputGrad: true, rng: { seed: 0, offset: 0 } };
    const out = model.forward([x], ctx);
    const output = { data: out.data.slice(), shape: [...out.shape] };
    // One sigmoid unit (a binary Keras model) stands for two classes: 1 scores z, 0 scores -z.
    const units = output.data.length;
    const binary = units === 1;
    const classes = binary ? 2 : units;
    let c = classIndex;
    if (c === undefined) {
      c = 0;
      if (binary) c = output.data[0]! >= 0.5 ? 1 : 0;
      else for (let k = 1; k < classes; k++) if (output.data[k]! > output.data[c]!) c = k;
    }
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new ValueError(invalid('classScoreGradients', 'classIndex', `an integer class index in 0..${classes - 1}`, c));
    }
    const last = model.fusableOutputLayer();
    const kind = last?.outputActivation();
    const fusable = last && (kind === 'softmax' || kind === 'sigmoid') ? last : null;
    if (layer && last === layer) {
      throw new ValueError(invalid('classScoreGradients', 'layerName', 'a layer before the output layer', layer.name));
    }
    const logits = fusable ? fusable.preActivation() : out;
    const sign = binary && c === 0 ? -1 : 1;
    const score = sign * logits.data[binary ? 0 : c]!;
    if (!Number.isFinite(score)) {
      throw new ValueError(
        `classScoreGradients: the model's score for class ${c} is ${score}. Expected a finite number. Hint: the weights come from a diverged run, or the image holds NaN.`,
      );
    }
    const dy = { data: new Float32Array(units), shape: [1, units] };
    dy.data[binary ? 0 : c] = sign;
    const [dx] = model.backwardFrom(dy, ctx, fusable !== null);
    if (!dx) throw new ValueError('classScoreGradients: the model returned no input gradient.');
    if (layer && (!seen.out || !seen.dy)) {
      throw new ValueError(
        invalid('classScoreGradients', 'layerName', 'a layer on the path from the input to the output', layer.name),
      );
    }
    return {
      classIndex: c,
      score,
      scoreKind: fusable || kind === 'linear' ? 'logit' : 'output',
      output,
      inputGradient: { data: dx.data.slice(), shape: [...dx.shape] },
      activation: seen.out,
      activationGradient: seen.dy,
    };
  } finally {
    untap();
  }
}
