// Base of the random augmentation layers (RandomFlip, RandomRotation, RandomTranslation, RandomZoom): identity
// outside training (like Dropout); while training every image gets its own projective transform, drawn from the
// layer's seed (or the model's seed stream) with the counter-based generator, and is resampled by the backend's
// affineTransform kernel (TensorFlow's ImageProjectiveTransformV3 semantics, as Keras 3 uses).

import type { AffineAttrs } from '../backend/backend.js';
import { streamKey, uniformAt } from '../backend/random.js';
import { ConfigError, invalid, ShapeError } from '../errors.js';
import type { Shape, Tensor } from '../tensor.js';
import { expectRank, finiteNumber, reuse } from './common.js';
import { type BaseLayerConfig, type CallContext, Layer, singleInput, singleShape } from './layer.js';

export type FillMode = AffineAttrs['fillMode'];
export type Interpolation = AffineAttrs['interpolation'];
/** A Keras factor: one number f for [-f, f], or an explicit [lower, upper]. */
export type Factor = number | [number, number];

export interface RandomImageConfig extends BaseLayerConfig {
  /** Own seed; when absent (null) the model's seed stream (ctx.rng) is used. */
  seed?: number | null;
}

/** Options of the layers that resample with a fill (rotation, translation, zoom). */
export interface FillConfig extends RandomImageConfig {
  /** How points outside the image are filled: 'reflect' (default), 'wrap', 'nearest' or 'constant'. */
  fillMode?: FillMode;
  /** 'bilinear' (default) or 'nearest'. */
  interpolation?: Interpolation;
  /** The value outside the image when fillMode is 'constant'. */
  fillValue?: number;
}

export const FILL_KEYS = ['fillMode', 'interpolation', 'fillValue', 'seed'] as const;

/** A factor as [lower, upper] (Keras: one number f means [-f, f]); both within [min, max], lower <= upper. */
export function factorRange(where: string, arg: string, value: unknown, min: number, max: number): [number, number] {
  const pair = typeof value === 'number' ? [-value, value] : value;
  const ok =
    Array.isArray(pair) &&
    pair.length === 2 &&
    pair.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max) &&
    pair[0] <= pair[1];
  if (!ok) {
    const bounds = Number.isFinite(min) ? ` within [${min}, ${max}]` : '';
    throw new ConfigError(
      invalid(where, arg, `a number f >= 0 (for [-f, f]) or a pair [lower, upper] with lower <= upper${bounds}`, value),
    );
  }
  return [pair[0] as number, pair[1] as number];
}

/** The stored form of a factor (a copy, so the config cannot alias the caller's array). */
export function factorValue(value: Factor): Factor {
  return typeof value === 'number' ? value : [value[0], value[1]];
}

export function seedOption(where: string, value: unknown): number | null {
  if (value != null && !Number.isInteger(value)) throw new ConfigError(invalid(where, 'seed', 'an integer or null', value));
  return (value as number | null | undefined) ?? null;
}

export function fillOptions(where: string, config: FillConfig): Pick<AffineAttrs, 'fillMode' | 'interpolation' | 'fillValue'> {
  const fillMode = config.fillMode ?? 'reflect';
  if (!['constant', 'nearest', 'reflect', 'wrap'].includes(fillMode)) {
    throw new ConfigError(invalid(where, 'fillMode', "'reflect', 'wrap', 'nearest' or 'constant'", fillMode));
  }
  const interpolation = config.interpolation ?? 'bilinear';
  if (interpolation !== 'bilinear' && interpolation !== 'nearest') {
    throw new ConfigError(invalid(where, 'interpolation', "'bilinear' or 'nearest'", interpolation));
  }
  return { fillMode, interpolation, fillValue: finiteNumber(where, 'fillValue', config.fillValue ?? 0) };
}

/** lower + u * (upper - lower), Keras's uniform(minval, maxval). */
export function between(range: readonly [number, number], u: number): number {
  return range[0] + u * (range[1] - range[0]);
}

/**
 * The uniforms of one training batch, `draws` per image: from the layer's own seed (advancing `own.offset`) or,
 * without one, from the model's stream (advancing ctx.rng.offset), as Dropout does.
 */
export function drawUniforms(
  seed: number | null,
  own: { offset: number },
  ctx: CallContext,
  images: number,
  draws: number,
): Float64Array {
  const stream = seed !== null ? own : ctx.rng;
  const key = streamKey(seed ?? ctx.rng.seed);
  const offset = stream.offset;
  stream.offset += images * draws;
  const u = new Float64Array(images * draws);
  for (let i = 0; i < u.length; i++) u[i] = uniformAt(key, offset + i);
  return u;
}

export abstract class RandomImageLayer extends Layer {
  readonly seed: number | null;
  /** Offset into the layer's own seed stream (when `seed` is set), advanced by every training forward. */
  private readonly own = { offset: 0 };
  private active = false;
  private y: Float32Array | null = null;
  private dx: Float32Array | null = null;
  /** The latest training forward's transforms and sizes (RandomFlip's backward reuses them). */
  protected latest: AffineAttrs | null = null;

  constructor(config: RandomImageConfig, nameBase: string, seed: number | null) {
    super(config, nameBase);
    this.seed = seed;
  }

  /** How many uniforms each image draws. */
  protected abstract drawsPerImage(): number;
  /** Writes the 8 transform numbers of one image (output -> input coordinates) from its uniforms u. */
  protected abstract transform(u: Float64Array, height: number, width: number, out: Float32Array, at: number): void;
  protected abstract sampling(): Pick<AffineAttrs, 'fillMode' | 'interpolation' | 'fillValue'>;

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
    const [n, height, width, channels] = x.shape as [number, number, number, number];
    const draws = this.drawsPerImage();
    const u = drawUniforms(this.seed, this.own, ctx, n, draws);
    const transforms = new Float32Array(n * 8);
    for (let i = 0; i < n; i++) this.transform(u.subarray(i * draws, (i + 1) * draws), height, width, transforms, i * 8);
    this.latest = { batch: n, height, width, channels, transforms, ...this.sampling() };
    this.y = reuse(this.y, x.data.length);
    ctx.backend.affineTransform(this.y, x.data, this.latest);
    return { data: this.y, shape: x.shape };
  }

  backward(dy: Tensor, ctx: CallContext): (Tensor | null)[] {
    if (!ctx.needsInputGrad) return [null];
    if (!this.active) return [dy];
    const latest = this.latest;
    if (!latest || !this.selfInverse())
      throw new ConfigError(
        `${this.name}.backward: no input gradient through a random resampling while training. Hint: put ${this.className} right after the model's input (or Rescaling), before any layer with weights, as Keras models do.`,
      );
    this.dx = reuse(this.dx, dy.data.length);
    ctx.backend.affineTransform(this.dx, dy.data, latest);
    return [{ data: this.dx, shape: dy.shape }];
  }

  /** True when applying the latest transforms again inverts them exactly (flips), so backward can reuse them. */
  protected selfInverse(): boolean {
    return false;
  }
}

/** Keras's value_range: the [low, high] pixel range outputs are clipped to (default [0, 255]). */
export function valueRangeOption(where: string, value: unknown): [number, number] {
  const range = value ?? [0, 255];
  if (
    !Array.isArray(range) ||
    range.length !== 2 ||
    !range.every((v) => typeof v === 'number' && Number.isFinite(v)) ||
    !(range[0] < range[1])
  ) {
    throw new ConfigError(invalid(where, 'valueRange', 'a pair [low, high] of finite numbers with low < high', value));
  }
  return [range[0], range[1]];
}
