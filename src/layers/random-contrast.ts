// Keras RandomContrast: while training, each image gets one random contrast c in [1 - lower, 1 + upper]; every
// channel becomes (x - mean) * c + mean (its mean over height and width kept), clipped to valueRange.
// Identity at inference.

import { ConfigError, invalid, ShapeError } from '../errors.js';
import type { Shape, Tensor } from '../tensor.js';
import { checkKeys, expectRank, type Given, layerArgs, reuse } from './common.js';
import { type BaseLayerConfig, type CallContext, Layer, singleInput, singleShape } from './layer.js';
import { drawUniforms, type Factor, factorValue, seedOption, valueRangeOption } from './random-image-layer.js';

export interface RandomContrastConfig extends BaseLayerConfig {
  /** f in [0, 1] for contrast in [1 - f, 1 + f], or [lower, upper] for [1 - lower, 1 + upper]. */
  factor: Factor;
  /** The pixel range [low, high] (default [0, 255]); outputs are clipped to it. */
  valueRange?: [number, number];
  seed?: number | null;
}

/** Input and output (N, H, W, C). Example: `new RandomContrast(0.2)`. */
export class RandomContrast extends Layer {
  readonly className: string = 'RandomContrast';
  readonly factor: Factor;
  readonly valueRange: [number, number];
  readonly seed: number | null;
  private readonly lower: number;
  private readonly upper: number;
  private readonly own = { offset: 0 };
  private active = false;
  private contrasts: Float64Array | null = null;
  private y: Float32Array | null = null;
  private dx: Float32Array | null = null;

  constructor(factor: Given<RandomContrastConfig, 'factor'>, options?: Omit<RandomContrastConfig, 'factor'>);
  constructor(config: RandomContrastConfig);
  constructor(...args: unknown[]) {
    const where = 'RandomContrast';
    const config = layerArgs<RandomContrastConfig>(where, args, ['factor']);
    checkKeys(where, config, ['factor', 'valueRange', 'seed']);
    super(config, 'random_contrast');
    // Keras: one number f means lower = upper = f; both within [0, 1].
    const f = config.factor;
    const pair = typeof f === 'number' ? [f, f] : f;
    if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((v) => typeof v === 'number' && v >= 0 && v <= 1)) {
      throw new ConfigError(invalid(where, 'factor', 'a number in [0, 1] or a pair [lower, upper] within [0, 1]', f));
    }
    [this.lower, this.upper] = pair as [number, number];
    this.factor = factorValue(f);
    this.valueRange = valueRangeOption(where, config.valueRange);
    this.seed = seedOption(where, config.seed);
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(this.name, inputShape);
    expectRank(this.name, shape, 4, '(batch, height, width, channels)');
    return [...shape];
  }

  forward(inputs: Tensor[], ctx: CallContext): Tensor {
    const x = singleInput(this.name, inputs);
    this.active = ctx.training;
    if (!this.active) return x;
    if (x.shape.length !== 4)
      throw new ShapeError(`${this.name}: invalid 'inputs'. Expected rank 4 (N, H, W, C), received rank ${x.shape.length}.`);
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const [low, high] = this.valueRange;
    const u = drawUniforms(this.seed, this.own, ctx, n, 1);
    const contrasts = (this.contrasts = new Float64Array(n));
    const y = (this.y = reuse(this.y, x.data.length));
    const mean = new Float64Array(c);
    for (let i = 0; i < n; i++) {
      const contrast = 1 - this.lower + u[i]! * (this.lower + this.upper);
      contrasts[i] = contrast;
      const start = i * h * w * c;
      mean.fill(0);
      for (let p = 0; p < h * w; p++) for (let ch = 0; ch < c; ch++) mean[ch]! += x.data[start + p * c + ch]!;
      for (let ch = 0; ch < c; ch++) mean[ch] = mean[ch]! / (h * w);
      for (let p = 0; p < h * w; p++) {
        for (let ch = 0; ch < c; ch++) {
          const k = start + p * c + ch;
          y[k] = Math.min(Math.max((x.data[k]! - mean[ch]!) * contrast + mean[ch]!, low), high);
        }
      }
    }
    return { data: y, shape: x.shape };
  }

  backward(dy: Tensor, ctx: CallContext): (Tensor | null)[] {
    if (!ctx.needsInputGrad) return [null];
    if (!this.active) return [dy];
    const { y, contrasts } = this;
    if (!y || !contrasts || y.length !== dy.data.length)
      throw new ShapeError(`${this.name}.backward: dy does not match the latest forward.`);
    const [n, h, w, c] = dy.shape as [number, number, number, number];
    const [low, high] = this.valueRange;
    const dx = (this.dx = reuse(this.dx, dy.data.length));
    const passed = new Float64Array(c);
    for (let i = 0; i < n; i++) {
      // y = (x - mean) c + mean on unclipped pixels: dx_k = c g_k + (1 - c) / HW * sum of g over the channel,
      // with g = dy where the output was not clipped, 0 where it was.
      const start = i * h * w * c;
      const gate = (k: number) => (y[k]! > low && y[k]! < high ? dy.data[k]! : 0);
      passed.fill(0);
      for (let p = 0; p < h * w; p++) for (let ch = 0; ch < c; ch++) passed[ch]! += gate(start + p * c + ch);
      const contrast = contrasts[i]!;
      for (let p = 0; p < h * w; p++) {
        for (let ch = 0; ch < c; ch++) {
          const k = start + p * c + ch;
          dx[k] = contrast * gate(k) + ((1 - contrast) / (h * w)) * passed[ch]!;
        }
      }
    }
    return [{ data: dx, shape: dy.shape }];
  }

  protected layerConfig(): Record<string, unknown> {
    return { factor: factorValue(this.factor), valueRange: [...this.valueRange], seed: this.seed };
  }
}
