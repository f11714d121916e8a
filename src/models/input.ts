// Symbolic tensors for the functional API: `Input({shape})` and `callLayer(layer, x)` record which layer made
// which tensor, so `new Model({inputs, outputs})` can recover the graph. Holds no data and computes nothing
// beyond output shapes; a layer instance may be called once (shared layers are not supported).

import { ConfigError, invalid, ShapeError } from '../errors.js';
import { InputLayer } from '../layers/input-layer.js';
import { type Layer, setApplyHook } from '../layers/layer.js';
import { withPositional } from '../options.js';
import type { Shape } from '../tensor.js';

let symbolicCounter = 0;

/** A placeholder for a batch flowing through a model: its shape (batch first) and the layer that made it. */
export class SymbolicTensor {
  readonly id = symbolicCounter++;
  constructor(
    readonly shape: Shape,
    /** The producing layer (an InputLayer for model inputs). */
    readonly layer: Layer,
    /** The symbolic inputs of that call ([] for an InputLayer). */
    readonly inbound: SymbolicTensor[],
    readonly name: string,
  ) {}
}

export interface InputConfig {
  /** Shape of one sample: [28, 28, 1]. */
  shape?: number[];
  /** Full shape with the batch first (null when free). */
  batchShape?: Shape;
  batchSize?: number;
  name?: string;
}

/** Whether a layer is an InputLayer (by class name, so any InputLayer implementation counts). */
export function isInputLayer(layer: Layer): boolean {
  return layer.className === 'InputLayer';
}

/**
 * A model input. `shape` excludes the batch; Keras's `Input((28, 28, 1))` is `Input([28, 28, 1])`.
 * @example const x = Input([28, 28, 1]); const y = new Dense(10).apply(x);
 */
export function Input(shape: number[], options?: Omit<InputConfig, 'shape'>): SymbolicTensor;
export function Input(config: InputConfig): SymbolicTensor;
export function Input(...args: unknown[]): SymbolicTensor {
  const config = withPositional<InputConfig>('Input', args, ['shape', 'batchSize'], ['shape', 'batchShape', 'batchSize', 'name']);
  if (!config || (!config.shape && !config.batchShape)) {
    throw new ConfigError(invalid('Input', 'shape', 'an array of sample dimensions such as [28, 28, 1]', config?.shape));
  }
  const layer = new InputLayer({
    ...(config.batchShape ? { batchInputShape: config.batchShape } : { inputShape: config.shape! }),
    ...(config.batchSize !== undefined ? { batchSize: config.batchSize } : {}),
    ...(config.name !== undefined ? { name: config.name } : {}),
  });
  return inputTensorOf(layer);
}

/** The SymbolicTensor an InputLayer stands for (Sequential uses it when its first layer is an InputLayer). */
export function inputTensorOf(layer: Layer): SymbolicTensor {
  const tensor = new SymbolicTensor(layer.declaredBatchInputShape() ?? [null], layer, [], layer.name);
  layer.setSymbolicOutput(tensor);
  return tensor;
}

/** Checks that a concrete shape fits a declared one (null dimensions match anything). */
export function shapeCompatible(declared: Shape, actual: Shape): boolean {
  return declared.length === actual.length && declared.every((d, i) => d === null || actual[i] === null || d === actual[i]);
}

/**
 * Calls a layer on symbolic tensors: builds it for their shapes and returns its symbolic output. Keras's
 * `layer(x)`; merge layers (Add, Concatenate) take an array.
 * @example const h = callLayer(new Conv2D({ filters: 8, kernelSize: 3 }), Input({ shape: [28, 28, 1] }));
 */
export function callLayer(layer: Layer, inputs: SymbolicTensor | SymbolicTensor[]): SymbolicTensor {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  if (list.length === 0) throw new ShapeError(invalid(`${layer.name}.apply`, 'inputs', 'at least one symbolic tensor', []));
  if (usedLayers.has(layer)) {
    throw new ConfigError(
      `${layer.name}.apply: the layer was already called once. Expected a fresh layer instance per call, received a reused one. Shared layers are not supported; create a new layer.`,
    );
  }
  const shapes: Shape | Shape[] = Array.isArray(inputs) ? list.map((t) => t.shape) : list[0]!.shape;
  const outShape = layer.computeOutputShape(shapes);
  if (!layer.built) layer.build(shapes);
  usedLayers.add(layer);
  const output = new SymbolicTensor(outShape, layer, list, layer.name);
  layer.setSymbolicOutput(output);
  return output;
}

const usedLayers = new WeakSet<Layer>();
setApplyHook(callLayer);

/** Lets a layer be called again (used when a Sequential rebuilds its graph for a new input shape). */
export function releaseLayer(layer: Layer): void {
  usedLayers.delete(layer);
}
