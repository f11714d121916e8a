// Keras Reshape: changes the shape after the batch axis without copying; one -1 entry is inferred.

import { ConfigError, invalid, ShapeError } from '../errors.js';
import { formatShape, type Shape, type Tensor } from '../tensor.js';
import { checkKeys, type Given, layerArgs } from './common.js';
import { type BaseLayerConfig, type CallContext, Layer, singleInput, singleShape } from './layer.js';

export interface ReshapeConfig extends BaseLayerConfig {
  /** Shape after the batch, e.g. [7, 7, 64]; at most one -1. */
  targetShape: number[];
}

/** Input (N, ...), output (N, ...targetShape) with the same number of values. */
export class Reshape extends Layer {
  readonly className: string = 'Reshape';
  readonly targetShape: number[];
  private inShape: number[] | null = null;

  constructor(targetShape: Given<ReshapeConfig, 'targetShape'>, options?: Omit<ReshapeConfig, 'targetShape'>);
  constructor(config: ReshapeConfig);
  constructor(...args: unknown[]) {
    const config = layerArgs<ReshapeConfig>('Reshape', args, ['targetShape']);
    super(config, 'reshape');
    checkKeys('Reshape', config, ['targetShape']);
    const t = config.targetShape;
    const ok =
      Array.isArray(t) &&
      t.length > 0 &&
      t.every((d) => Number.isInteger(d) && (d > 0 || d === -1)) &&
      t.filter((d) => d === -1).length <= 1;
    if (!ok) throw new ConfigError(invalid('Reshape', 'targetShape', 'positive integers with at most one -1', t));
    this.targetShape = [...t];
  }

  private resolve(size: number, received: Shape): number[] {
    const known = this.targetShape.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
    const out = this.targetShape.map((d) => (d === -1 ? size / known : d));
    if (out.reduce((p, d) => p * d, 1) !== size || !out.every(Number.isInteger)) {
      throw new ShapeError(
        `${this.name}: invalid 'inputShape'. Expected ${size === 0 ? 'values' : `a size divisible into ${formatShape(this.targetShape)}`}, received ${formatShape(received)} (${size} values per sample).`,
      );
    }
    return out;
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(this.name, inputShape);
    const rest = shape.slice(1);
    if (rest.some((d) => d === null)) return [shape[0] ?? null, ...this.targetShape.map((d) => (d === -1 ? null : d))];
    return [
      shape[0] ?? null,
      ...this.resolve(
        (rest as number[]).reduce((p, d) => p * d, 1),
        shape,
      ),
    ];
  }

  forward(inputs: Tensor[], _ctx: CallContext): Tensor {
    const x = singleInput(this.name, inputs);
    const n = x.shape[0]!;
    this.inShape = x.shape;
    return { data: x.data, shape: [n, ...this.resolve(n === 0 ? 0 : x.data.length / n, x.shape)] };
  }

  backward(dy: Tensor, ctx: CallContext): (Tensor | null)[] {
    if (!ctx.needsInputGrad) return [null];
    return [{ data: dy.data, shape: this.inShape ?? dy.shape }];
  }

  protected layerConfig(): Record<string, unknown> {
    return { targetShape: [...this.targetShape] };
  }
}
