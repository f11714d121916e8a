// Keras InputLayer: declares a model's input shape; forward and backward pass values through unchanged.

import { ConfigError, ShapeError } from '../errors.js';
import { formatShape, type Shape, type Tensor } from '../tensor.js';
import { checkKeys } from './common.js';
import { type BaseLayerConfig, type CallContext, Layer, singleInput, singleShape } from './layer.js';

export interface InputLayerConfig extends BaseLayerConfig {
  /** Keras 3 spelling of inputShape (one sample's shape). */
  shape?: number[];
}

/**
 * The entry of a model. Input and output (N, ...inputShape).
 * Example: `new InputLayer({ inputShape: [28, 28, 1] })` or `{ batchInputShape: [null, 224, 224, 3] }`.
 */
export class InputLayer extends Layer {
  readonly className: string = 'InputLayer';
  private readonly batchShape: Shape;

  constructor(config: InputLayerConfig) {
    const { shape, ...rest } = config;
    const base: BaseLayerConfig = shape !== undefined && rest.inputShape === undefined ? { ...rest, inputShape: shape } : rest;
    super(base, 'input_layer');
    checkKeys('InputLayer', config, ['shape']);
    const declared = this.declaredBatchInputShape();
    if (
      !declared ||
      declared.length < 2 ||
      !declared.slice(1).every((d) => typeof d === 'number' && Number.isInteger(d) && d > 0)
    ) {
      throw new ConfigError(
        `InputLayer: invalid 'inputShape'. Expected one sample's shape as positive integers (e.g. [28, 28, 1]) or a batchInputShape, received ${declared ? formatShape(declared) : 'none'}.`,
      );
    }
    this.batchShape = declared;
    this.trainable = false;
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(this.name, inputShape);
    const ok =
      shape.length === this.batchShape.length &&
      this.batchShape.every((d, i) => d === null || shape[i] === null || d === shape[i]);
    if (!ok) {
      throw new ShapeError(
        `${this.name}: invalid 'inputShape'. Expected ${formatShape(this.batchShape)}, received ${formatShape(shape)}.`,
      );
    }
    return [...shape];
  }

  forward(inputs: Tensor[], _ctx: CallContext): Tensor {
    const x = singleInput(this.name, inputs);
    this.computeOutputShape(x.shape);
    return x;
  }

  backward(dy: Tensor, ctx: CallContext): (Tensor | null)[] {
    return [ctx.needsInputGrad ? dy : null];
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, dtype: this.baseConfig.dtype ?? 'float32', batchInputShape: [...this.batchShape] };
  }

  protected layerConfig(): Record<string, unknown> {
    return {};
  }
}
