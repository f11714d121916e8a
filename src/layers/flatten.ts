// Keras Flatten: (N, ...) -> (N, product). No copy: the output shares the input's buffer (channels-last order,
// the same order Keras flattens in).

import { ShapeError } from '../errors.js';
import { formatShape, type Shape, type Tensor } from '../tensor.js';
import { checkKeys } from './common.js';
import { type BaseLayerConfig, type CallContext, Layer, singleInput, singleShape } from './layer.js';

/** Flattens all axes after the batch. Example: (N, 5, 5, 64) -> (N, 1600). */
export class Flatten extends Layer {
  readonly className: string = 'Flatten';
  private inShape: number[] | null = null;

  constructor(config: BaseLayerConfig = {}) {
    super(config, 'flatten');
    checkKeys('Flatten', config, []);
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(this.name, inputShape);
    if (shape.length < 2)
      throw new ShapeError(`${this.name}: invalid 'inputShape'. Expected rank >= 2, received ${formatShape(shape)}.`);
    const rest = shape.slice(1);
    const size = rest.every((d) => d !== null) ? (rest as number[]).reduce((p, d) => p * d, 1) : null;
    return [shape[0] ?? null, size];
  }

  forward(inputs: Tensor[], _ctx: CallContext): Tensor {
    const x = singleInput(this.name, inputs);
    if (x.shape.length < 2)
      throw new ShapeError(`${this.name}: invalid 'inputs'. Expected rank >= 2, received ${formatShape(x.shape)}.`);
    this.inShape = x.shape;
    const n = x.shape[0]!;
    return { data: x.data, shape: [n, n === 0 ? 0 : x.data.length / n] };
  }

  backward(dy: Tensor, ctx: CallContext): (Tensor | null)[] {
    if (!ctx.needsInputGrad) return [null];
    return [{ data: dy.data, shape: this.inShape ?? dy.shape }];
  }

  protected layerConfig(): Record<string, unknown> {
    return {};
  }
}
