// The Layer contract every Keras-style layer follows: config in the constructor (all argument errors there),
// build(inputShape) creates named weights, forward keeps what backward needs, backward returns input gradients
// and writes weight gradients. A layer instance serves one call site in a model (shared layers are not supported
// for training). Weight gradients are overwritten by each backward; the trainer reads them once per step.

import type { ActivationKind, Backend } from '../backend/backend.js';
import { ConfigError, describe, ShapeError, ValueError } from '../errors.js';
import type { Initializer } from '../initializers.js';
import type { SymbolicTensor } from '../models/input.js';
import type { Regularizer } from '../regularizers.js';
import { formatShape, type Shape, sizeOf, type Tensor } from '../tensor.js';

/** Set by models/input.ts when it loads: keeps layer.ts free of a runtime import cycle with the model code. */
let applyHook: ((layer: Layer, inputs: SymbolicTensor | SymbolicTensor[]) => SymbolicTensor) | null = null;

export function setApplyHook(hook: (layer: Layer, inputs: SymbolicTensor | SymbolicTensor[]) => SymbolicTensor): void {
  applyHook = hook;
}

/** A weight tensor owned by a layer. `path` is Keras's name within the layer: 'kernel', 'bias', 'gamma', ... */
export interface LayerWeight {
  name: string;
  shape: number[];
  value: Float32Array;
  /** Same length as value; written by backward when the weight is trainable and the layer is trainable. */
  grad: Float32Array;
  /** False for BatchNormalization's moving statistics: never touched by optimizers. */
  trainable: boolean;
  regularizer: Regularizer | null;
}

export interface CallContext {
  backend: Backend;
  /** Training mode: Dropout drops, BatchNormalization uses batch statistics (unless its layer is frozen). */
  training: boolean;
  /** False for the first layer of a model: backward may skip computing dx and return null. */
  needsInputGrad: boolean;
  /** Seed stream for Dropout and friends; the model advances `offset` after each use. */
  rng: { seed: number; offset: number };
}

/** Options every layer accepts (Keras: name, trainable, dtype, input_shape / batch_input_shape). */
export interface BaseLayerConfig {
  name?: string;
  trainable?: boolean;
  dtype?: string;
  /** Shape of one sample, without the batch: [28, 28, 1]. Only meaningful on a model's first layer. */
  inputShape?: number[];
  /** Shape with the batch dimension first (null when free). */
  batchInputShape?: Shape;
  batchSize?: number;
}

const nameCounters = new Map<string, number>();

/** Keras-style unique names: conv2d, conv2d_1, conv2d_2 ... */
export function uniqueLayerName(base: string): string {
  const count = nameCounters.get(base) ?? 0;
  nameCounters.set(base, count + 1);
  return count === 0 ? base : `${base}_${count}`;
}

/** Resets the automatic name counters (Keras's clear_session). */
export function clearSession(): void {
  nameCounters.clear();
}

/** 'Conv2D' -> 'conv2d', 'MaxPooling2D' -> 'max_pooling2d', 'BatchNormalization' -> 'batch_normalization'. */
export function snakeCaseClassName(className: string): string {
  return className
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/_?2_d/gi, '2d')
    .toLowerCase();
}

export abstract class Layer {
  /** Keras class name, used in configs and summaries. */
  abstract readonly className: string;
  name: string;
  trainable: boolean;
  built = false;
  readonly weights: LayerWeight[] = [];
  /** Set by build(): the input shape(s) this layer was built for, batch first. */
  inputShape: Shape | Shape[] | null = null;
  readonly baseConfig: BaseLayerConfig;
  /** The symbolic tensor of this layer's latest call in a functional graph (see `output`). */
  private symbolicOutput: SymbolicTensor | null = null;

  constructor(rawConfig: BaseLayerConfig, defaultNameBase: string) {
    // A non-object (null, a number) is reported by the subclass's checkKeys with the option list; not a TypeError here.
    const config: BaseLayerConfig = typeof rawConfig === 'object' && rawConfig !== null ? rawConfig : {};
    this.baseConfig = { ...config };
    this.name = config.name ?? uniqueLayerName(defaultNameBase);
    this.trainable = config.trainable ?? true;
    if (config.inputShape && config.batchInputShape) {
      throw new ConfigError(
        `${defaultNameBase}: give either 'inputShape' or 'batchInputShape', received both (${describe(config.inputShape)} and ${describe(config.batchInputShape)}).`,
      );
    }
  }

  /** Shape of one batch the layer expects when it is a model's first layer, if it declared one. */
  declaredBatchInputShape(): Shape | null {
    if (this.baseConfig.batchInputShape) return this.baseConfig.batchInputShape;
    if (this.baseConfig.inputShape) return [this.baseConfig.batchSize ?? null, ...this.baseConfig.inputShape];
    return null;
  }

  /** Output shape for an input shape (batch first), without building. Throws ShapeError on incompatible input. */
  abstract computeOutputShape(inputShape: Shape | Shape[]): Shape;

  /** Creates the weights for this input shape. Layers without weights only validate. Idempotent. */
  build(inputShape: Shape | Shape[]): void {
    this.computeOutputShape(inputShape);
    this.inputShape = inputShape;
    this.built = true;
  }

  /**
   * Calls the layer on symbolic tensors to build a functional model (Keras's `layer(x)`).
   * @example const y = new Dense({ units: 10 }).apply(Input({ shape: [784] }));
   */
  apply(inputs: SymbolicTensor | SymbolicTensor[]): SymbolicTensor {
    if (!applyHook) {
      throw new ConfigError(
        `${this.name}.apply: functional models need Input from convkit's models; import { Input } from 'convkit' first.`,
      );
    }
    return applyHook(this, inputs);
  }

  /**
   * Keras `layer.output`: the symbolic tensor this layer produced in its model's graph, for functional slicing.
   * @example const features = new Model(base.inputs, base.getLayer('out_relu').output);
   */
  get output(): SymbolicTensor {
    if (!this.symbolicOutput) {
      throw new ConfigError(
        `${this.name}.output: the layer has not been called on a symbolic tensor yet. Expected a layer of a built model or a layer after apply(), received an unconnected layer.`,
      );
    }
    return this.symbolicOutput;
  }

  /** Records the symbolic output of a call (models/input.ts calls it; a layer serves one call site). */
  setSymbolicOutput(tensor: SymbolicTensor): void {
    this.symbolicOutput = tensor;
  }

  /** Runs the layer on a batch. `inputs` has one tensor except for merge layers (Add, Concatenate). */
  abstract forward(inputs: Tensor[], ctx: CallContext): Tensor;

  /**
   * Gradient of the loss w.r.t. each input (null when ctx.needsInputGrad is false), given dy for the output
   * of the latest forward. Writes weight gradients when this.trainable.
   */
  abstract backward(dy: Tensor, ctx: CallContext): (Tensor | null)[];

  /** The layer's own options in camelCase, without the base options (those come from getConfig). */
  protected abstract layerConfig(): Record<string, unknown>;

  /** Full config in camelCase, the constructor's argument: `new Cls(layer.getConfig())` rebuilds it. */
  getConfig(): Record<string, unknown> {
    const base: Record<string, unknown> = {
      name: this.name,
      trainable: this.trainable,
      dtype: this.baseConfig.dtype ?? 'float32',
    };
    const declared = this.declaredBatchInputShape();
    if (declared) base.batchInputShape = declared;
    return { ...base, ...this.layerConfig() };
  }

  /** Creates a weight, initialised now. Names follow Keras ('kernel', 'bias', 'gamma', 'moving_mean'). */
  protected addWeight(
    name: string,
    shape: number[],
    initializer: Initializer,
    options: { trainable?: boolean; regularizer?: Regularizer | null } = {},
  ): LayerWeight {
    const value = allocateWeight(this.name, name, shape);
    initializer.fill(value, shape);
    const weight: LayerWeight = {
      name,
      shape,
      value,
      grad: new Float32Array(value.length),
      trainable: options.trainable ?? true,
      regularizer: options.regularizer ?? null,
    };
    this.weights.push(weight);
    return weight;
  }

  /** Weights an optimizer may update (Keras `trainable_weights`): none when the layer is frozen. */
  get trainableWeights(): LayerWeight[] {
    return this.trainable ? this.weights.filter((w) => w.trainable) : [];
  }

  /** Keras `non_trainable_weights`: moving statistics, and every weight of a frozen layer. */
  get nonTrainableWeights(): LayerWeight[] {
    return this.trainable ? this.weights.filter((w) => !w.trainable) : [...this.weights];
  }

  countParams(): number {
    return this.weights.reduce((total, w) => total + w.value.length, 0);
  }

  /** Weight values in Keras's order (kernel, bias / gamma, beta, moving_mean, moving_variance). */
  getWeights(): Float32Array[] {
    return this.weights.map((w) => w.value.slice());
  }

  setWeights(values: ArrayLike<number>[]): void {
    if (values.length !== this.weights.length) {
      throw new ShapeError(
        `${this.name}.setWeights: invalid 'values'. Expected ${this.weights.length} arrays (${this.weights.map((w) => w.name).join(', ')}), received ${values.length}.`,
      );
    }
    values.forEach((v, i) => {
      const w = this.weights[i]!;
      if (v.length !== w.value.length) {
        throw new ShapeError(
          `${this.name}.setWeights: invalid '${w.name}'. Expected ${w.value.length} values for shape ${formatShape(w.shape)}, received ${v.length}.`,
        );
      }
      for (let j = 0; j < v.length; j++) {
        // NaN or Infinity weights make every later output NaN; refuse them here, where the cause is known.
        if (!Number.isFinite(v[j]!)) {
          throw new ValueError(
            `${this.name}.setWeights: invalid '${w.name}'. Expected finite numbers, received ${v[j]} at index ${j}. Hint: the weights come from a diverged run or a damaged file.`,
          );
        }
      }
      w.value.set(v);
    });
  }

  /** Multiply-adds of one sample's forward pass (0 for layers that do no arithmetic worth counting). */
  flopsPerSample(): number {
    return 0;
  }
}

/** A zeroed weight buffer; a size beyond memory is a ConfigError naming the layer and shape, not a raw RangeError. */
function allocateWeight(layer: string, name: string, shape: number[]): Float32Array {
  const count = sizeOf(shape);
  try {
    return new Float32Array(count);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new ConfigError(
      `${layer}: weight '${name}' of shape ${formatShape(shape)} needs ${count.toLocaleString('en-US')} floats (${(count / 2 ** 28).toFixed(1)} GiB), more than can be allocated. Expected a layer whose weights fit in memory. Hint: reduce the layer's size arguments (units, filters, kernelSize) or the input size.`,
    );
  }
}

/**
 * Layers whose output activation the model may fuse into the loss (Dense/Conv2D with 'softmax' or 'sigmoid',
 * Activation('softmax'), Softmax): the trainer takes preActivation() as logits and calls backwardPreActivation.
 */
export interface FusableOutputLayer {
  outputActivation(): ActivationKind;
  preActivation(): Tensor;
  backwardPreActivation(dz: Tensor, ctx: CallContext): (Tensor | null)[];
}

export function isFusableOutputLayer(layer: Layer): layer is Layer & FusableOutputLayer {
  return typeof (layer as Partial<FusableOutputLayer>).backwardPreActivation === 'function';
}

/** Checks that a layer got exactly one input and returns it. */
export function singleInput(layerName: string, inputs: Tensor[]): Tensor {
  if (inputs.length !== 1) {
    throw new ShapeError(`${layerName}: invalid 'inputs'. Expected 1 tensor, received ${inputs.length}.`);
  }
  return inputs[0]!;
}

/** Checks that a layer got exactly one input shape (not a list) and returns it. */
export function singleShape(layerName: string, inputShape: Shape | Shape[]): Shape {
  if (inputShape.length > 0 && Array.isArray(inputShape[0])) {
    throw new ShapeError(`${layerName}: invalid 'inputShape'. Expected one shape, received ${inputShape.length} shapes.`);
  }
  return inputShape as Shape;
}
