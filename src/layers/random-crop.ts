// Keras RandomCrop: while training, one random (height, width) window per batch (Keras crops every image of a
// batch at the same place; offsets uniform over the positions that fit), when the images are larger than the
// window in both directions; otherwise (inference, or images not larger) it resizes to (height, width) keeping
// the aspect ratio (Resizing with cropToAspectRatio), as Keras documents. Input gradients both ways.

import type { Shape, Tensor } from '../tensor.js';
import { checkKeys, expectRank, layerArgs, positiveInt, reuse } from './common.js';
import { type BaseLayerConfig, type CallContext, Layer, singleInput, singleShape } from './layer.js';
import { drawUniforms, seedOption } from './random-image-layer.js';
import { cropBackward } from './resize-gradient.js';
import { Resizing } from './resizing.js';

export interface RandomCropConfig extends BaseLayerConfig {
  height: number;
  width: number;
  seed?: number | null;
}

/** (N, H, W, C) -> (N, height, width, C). Example: `new RandomCrop(24, 24, { seed: 1 })`. */
export class RandomCrop extends Layer {
  readonly className: string = 'RandomCrop';
  readonly height: number;
  readonly width: number;
  readonly seed: number | null;
  private readonly own = { offset: 0 };
  private readonly resize: Resizing;
  private y: Float32Array | null = null;
  /** The latest training crop (null when the latest forward resized), for backward. */
  private latestCrop: { shape: [number, number, number, number]; top: number; left: number } | null = null;

  constructor(height: number, width: number, options?: Omit<RandomCropConfig, 'height' | 'width'>);
  constructor(config: RandomCropConfig);
  constructor(...args: unknown[]) {
    const config = layerArgs<RandomCropConfig>('RandomCrop', args, ['height', 'width']);
    checkKeys('RandomCrop', config, ['height', 'width', 'seed']);
    super(config, 'random_crop');
    this.height = positiveInt('RandomCrop', 'height', config.height);
    this.width = positiveInt('RandomCrop', 'width', config.width);
    this.seed = seedOption('RandomCrop', config.seed);
    this.resize = new Resizing(this.height, this.width, { cropToAspectRatio: true, name: `${this.name}_resize` });
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(this.name, inputShape);
    const [, , c] = expectRank(this.name, shape, 4, '(batch, height, width, channels)');
    return [shape[0] ?? null, this.height, this.width, c!];
  }

  forward(inputs: Tensor[], ctx: CallContext): Tensor {
    const x = singleInput(this.name, inputs);
    const [n, h, w, c] = x.shape as [number, number, number, number];
    this.latestCrop = null;
    // Keras crops only while training and only images larger than the window both ways (strictly).
    if (!ctx.training || x.shape.length !== 4 || h <= this.height || w <= this.width) return this.resize.forward([x], ctx);
    // One window for the whole batch: two uniforms per batch, offsets 0 .. H - height (and 0 .. W - width).
    const u = drawUniforms(this.seed, this.own, ctx, 1, 2);
    const top = Math.min(Math.floor(u[0]! * (h - this.height + 1)), h - this.height);
    const left = Math.min(Math.floor(u[1]! * (w - this.width + 1)), w - this.width);
    const y = (this.y = reuse(this.y, n * this.height * this.width * c));
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < this.height; r++) {
        const from = ((i * h + top + r) * w + left) * c;
        y.set(x.data.subarray(from, from + this.width * c), (i * this.height + r) * this.width * c);
      }
    }
    this.latestCrop = { shape: [n, h, w, c], top, left };
    return { data: y, shape: [n, this.height, this.width, c] };
  }

  backward(dy: Tensor, ctx: CallContext): (Tensor | null)[] {
    if (!this.latestCrop) return this.resize.backward(dy, ctx);
    if (!ctx.needsInputGrad) return [null];
    const [n, h, w, c] = this.latestCrop.shape;
    const dx = new Float32Array(n * h * w * c);
    const window = { top: this.latestCrop.top, left: this.latestCrop.left, h: this.height, w: this.width };
    cropBackward(dx, dy.data as Float32Array, { n, height: h, width: w, channels: c, ...window });
    return [{ data: dx, shape: [n, h, w, c] }];
  }

  protected layerConfig(): Record<string, unknown> {
    return { height: this.height, width: this.width, seed: this.seed };
  }
}
