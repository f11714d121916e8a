// Keras RandomBrightness: while training, each image gets one random offset, factor * (high - low) of its
// valueRange, added to every pixel, then is clipped to valueRange; identity at inference.

import { ShapeError } from '../errors.js';
import type { Shape, Tensor } from '../tensor.js';
import { checkKeys, type Given, layerArgs, reuse } from './common.js';
import { type BaseLayerConfig, type CallContext, Layer, singleInput, singleShape } from './layer.js';
import {
  between,
  drawUniforms,
  type Factor,
  factorRange,
  factorValue,
  seedOption,
  valueRangeOption,
} from './random-image-layer.js';

export interface RandomBrightnessConfig extends BaseLayerConfig {
  /** Offset as a fraction of the value range, within [-1, 1]: f for [-f, f] or [lower, upper]. */
  factor: Factor;
  /** The pixel range [low, high] (default [0, 255]); outputs are clipped to it. */
  valueRange?: [number, number];
  seed?: number | null;
}

/** Input and output (N, ...). Example: `new RandomBrightness(0.2)` or `new RandomBrightness(0.1, { valueRange: [0, 1] })`. */
export class RandomBrightness extends Layer {
  readonly className: string = 'RandomBrightness';
  readonly factor: Factor;
  readonly valueRange: [number, number];
  readonly seed: number | null;
  private readonly range: [number, number];
  private readonly own = { offset: 0 };
  private active = false;
  private y: Float32Array | null = null;
  private dx: Float32Array | null = null;

  constructor(factor: Given<RandomBrightnessConfig, 'factor'>, options?: Omit<RandomBrightnessConfig, 'factor'>);
  constructor(config: RandomBrightnessConfig);
  constructor(...args: unknown[]) {
    const where = 'RandomBrightness';
    const config = layerArgs<RandomBrightnessConfig>(where, args, ['factor']);
    checkKeys(where, config, ['factor', 'valueRange', 'seed']);
    super(config, 'random_brightness');
    this.range = factorRange(where, 'factor', config.factor, -1, 1);
    this.factor = factorValue(config.factor);
    this.valueRange = valueRangeOption(where, config.valueRange);
    this.seed = seedOption(where, config.seed);
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...singleShape(this.name, inputShape)];
  }

  forward(inputs: Tensor[], ctx: CallContext): Tensor {
    const x = singleInput(this.name, inputs);
    this.active = ctx.training;
    if (!this.active) return x;
    const n = x.shape[0]!;
    const size = x.data.length / n;
    const [low, high] = this.valueRange;
    const u = drawUniforms(this.seed, this.own, ctx, n, 1);
    const y = (this.y = reuse(this.y, x.data.length));
    for (let i = 0; i < n; i++) {
      const delta = between(this.range, u[i]!) * (high - low);
      // Math.min/max keep NaN as NaN.
      for (let k = i * size; k < (i + 1) * size; k++) y[k] = Math.min(Math.max(x.data[k]! + delta, low), high);
    }
    return { data: y, shape: x.shape };
  }

  backward(dy: Tensor, ctx: CallContext): (Tensor | null)[] {
    if (!ctx.needsInputGrad) return [null];
    if (!this.active) return [dy];
    const y = this.y;
    if (!y || y.length !== dy.data.length) throw new ShapeError(`${this.name}.backward: dy does not match the latest forward.`);
    // The offset passes gradients unchanged except where the output was clipped to the range.
    const dx = (this.dx = reuse(this.dx, dy.data.length));
    const [low, high] = this.valueRange;
    for (let k = 0; k < dx.length; k++) dx[k] = y[k]! > low && y[k]! < high ? dy.data[k]! : 0;
    return [{ data: dx, shape: dy.shape }];
  }

  protected layerConfig(): Record<string, unknown> {
    return { factor: factorValue(this.factor), valueRange: [...this.valueRange], seed: this.seed };
  }
}
