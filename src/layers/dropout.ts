// Keras Dropout and SpatialDropout2D over the backend's dropoutForward (inverted dropout: kept values scaled
// by 1/(1-rate)). Identity outside training. noiseShape is not supported.

import { ConfigError, invalid, ShapeError } from '../errors.js';
import type { Shape, Tensor } from '../tensor.js';
import { checkKeys, expectRank, layerArgs, reuse } from './common.js';
import { type BaseLayerConfig, type CallContext, Layer, singleInput, singleShape } from './layer.js';

export interface DropoutConfig extends BaseLayerConfig {
  /** Fraction of values dropped, in [0, 1). */
  rate: number;
  /** Own seed; when absent (null) the model's seed stream (ctx.rng) is used. */
  seed?: number | null;
}

/**
 * Randomly zeroes values while training. Input and output any shape.
 * Example: `new Dropout(0.5)` or `new Dropout({ rate: 0.5, seed: 1 })`.
 */
export class Dropout extends Layer {
  readonly className: string = 'Dropout';
  readonly rate: number;
  readonly seed: number | null;
  /** Offset into the layer's own seed stream (when `seed` is set), advanced by every training forward. */
  private ownOffset = 0;
  private active = false;
  private y: Float32Array | null = null;
  private mask: Float32Array | null = null;
  private dx: Float32Array | null = null;

  /** Keras class name and automatic-name base; SpatialDropout2D overrides them. */
  protected static readonly kerasName: string = 'Dropout';
  protected static readonly nameBase: string = 'dropout';

  constructor(rate: number, options?: Omit<DropoutConfig, 'rate'>);
  constructor(config: DropoutConfig);
  constructor(...args: unknown[]) {
    const statics = new.target as unknown as { kerasName: string; nameBase: string };
    const where = statics.kerasName;
    const config = layerArgs<DropoutConfig>(where, args, ['rate']);
    super(config, statics.nameBase);
    checkKeys(where, config, ['rate', 'seed']);
    if (typeof config.rate !== 'number' || !(config.rate >= 0 && config.rate < 1)) {
      throw new ConfigError(invalid(where, 'rate', 'a number in [0, 1)', config.rate));
    }
    this.rate = config.rate;
    if (config.seed != null && !Number.isInteger(config.seed))
      throw new ConfigError(invalid(where, 'seed', 'an integer or null', config.seed));
    this.seed = config.seed ?? null;
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...singleShape(this.name, inputShape)];
  }

  /** SpatialDropout2D: one decision per (sample, channel). */
  protected spatial(_x: Tensor): { batch: number; spatialSize: number; channels: number } | undefined {
    return undefined;
  }

  forward(inputs: Tensor[], ctx: CallContext): Tensor {
    const x = singleInput(this.name, inputs);
    this.active = ctx.training && this.rate > 0;
    if (!this.active) return x;
    const spatial = this.spatial(x);
    const drawn = spatial ? spatial.batch * spatial.channels : x.data.length;
    let seed: number;
    let offset: number;
    if (this.seed !== null) {
      seed = this.seed;
      offset = this.ownOffset;
      this.ownOffset += drawn;
    } else {
      seed = ctx.rng.seed;
      offset = ctx.rng.offset;
      ctx.rng.offset += drawn;
    }
    this.y = reuse(this.y, x.data.length);
    this.mask = reuse(this.mask, x.data.length);
    ctx.backend.dropoutForward(
      this.y,
      this.mask,
      x.data,
      spatial ? { rate: this.rate, seed, offset, spatial } : { rate: this.rate, seed, offset },
    );
    return { data: this.y, shape: x.shape };
  }

  backward(dy: Tensor, ctx: CallContext): (Tensor | null)[] {
    if (!ctx.needsInputGrad) return [null];
    if (!this.active) return [dy];
    if (!this.mask || this.mask.length !== dy.data.length)
      throw new ShapeError(`${this.name}.backward: dy does not match the latest forward.`);
    this.dx = reuse(this.dx, dy.data.length);
    ctx.backend.multiply(this.dx, dy.data, this.mask);
    return [{ data: this.dx, shape: dy.shape }];
  }

  protected layerConfig(): Record<string, unknown> {
    return { rate: this.rate, seed: this.seed };
  }
}

/** Drops whole channels of (N, H, W, C) feature maps while training. Example: `new SpatialDropout2D({ rate: 0.2 })`. */
export class SpatialDropout2D extends Dropout {
  override readonly className: string = 'SpatialDropout2D';

  protected static override readonly kerasName: string = 'SpatialDropout2D';
  protected static override readonly nameBase: string = 'spatial_dropout2d';

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(this.name, inputShape);
    expectRank(this.name, shape, 4, '(batch, height, width, channels)');
    return [...shape];
  }

  protected override spatial(x: Tensor): { batch: number; spatialSize: number; channels: number } {
    if (x.shape.length !== 4)
      throw new ShapeError(`${this.name}: invalid 'inputs'. Expected rank 4 (N, H, W, C), received rank ${x.shape.length}.`);
    const [n, h, w, c] = x.shape as [number, number, number, number];
    return { batch: n, spatialSize: h * w, channels: c };
  }
}
