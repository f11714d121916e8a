// Keras RandomCrop: while training, each image gives a random (height, width) window (offsets uniform over the
// positions that fit); at inference, or for images smaller than the window, it resizes to (height, width) keeping
// the aspect ratio (Resizing with cropToAspectRatio), as Keras does.

import type { Shape, Tensor } from '../tensor.js';
import { checkKeys, expectRank, layerArgs, positiveInt, reuse } from './common.js';
import { type BaseLayerConfig, type CallContext, Layer, singleInput, singleShape } from './layer.js';
import { drawUniforms, seedOption } from './random-image-layer.js';
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
    if (!ctx.training || x.shape.length !== 4 || h < this.height || w < this.width) return this.resize.forward([x], ctx);
    const u = drawUniforms(this.seed, this.own, ctx, n, 2);
    const y = (this.y = reuse(this.y, n * this.height * this.width * c));
    for (let i = 0; i < n; i++) {
      // Offsets uniform over 0 .. H - height (and 0 .. W - width), inclusive.
      const top = Math.min(Math.floor(u[2 * i]! * (h - this.height + 1)), h - this.height);
      const left = Math.min(Math.floor(u[2 * i + 1]! * (w - this.width + 1)), w - this.width);
      for (let r = 0; r < this.height; r++) {
        const from = ((i * h + top + r) * w + left) * c;
        y.set(x.data.subarray(from, from + this.width * c), (i * this.height + r) * this.width * c);
      }
    }
    return { data: y, shape: [n, this.height, this.width, c] };
  }

  backward(dy: Tensor, ctx: CallContext): (Tensor | null)[] {
    return this.resize.backward(dy, ctx);
  }

  protected layerConfig(): Record<string, unknown> {
    return { height: this.height, width: this.width, seed: this.seed };
  }
}
