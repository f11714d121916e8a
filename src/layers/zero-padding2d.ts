// Keras ZeroPadding2D: adds zero rows/columns around (N, H, W, C) images (MobileNet pads before strided convs).

import type { Shape, Tensor } from '../tensor.js';
import { checkKeys, expectRank, type Given, layerArgs, reuse } from './common.js';
import { type BaseLayerConfig, type CallContext, Layer, singleInput, singleShape } from './layer.js';
import { copyWindow, normalizeAmounts } from './spatial-crop.js';

export interface ZeroPadding2DConfig extends BaseLayerConfig {
  /** 1 (default), [padH, padW], or [[top, bottom], [left, right]]. */
  padding?: number | [number, number] | [[number, number], [number, number]];
}

/** Input (N, H, W, C), output (N, top + H + bottom, left + W + right, C). Example: `new ZeroPadding2D({ padding: [[0, 1], [0, 1]] })`. */
export class ZeroPadding2D extends Layer {
  readonly className: string = 'ZeroPadding2D';
  readonly padding: [[number, number], [number, number]];
  private inShape: number[] | null = null;
  private y: Float32Array | null = null;
  private dx: Float32Array | null = null;

  constructor(padding: Given<ZeroPadding2DConfig, 'padding'>, options?: Omit<ZeroPadding2DConfig, 'padding'>);
  constructor(config?: ZeroPadding2DConfig);
  constructor(...args: unknown[]) {
    const config = layerArgs<ZeroPadding2DConfig>('ZeroPadding2D', args, ['padding']);
    super(config, 'zero_padding2d');
    checkKeys('ZeroPadding2D', config, ['padding']);
    this.padding = normalizeAmounts('ZeroPadding2D', 'padding', config.padding ?? 1);
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(this.name, inputShape);
    const [h, w, c] = expectRank(this.name, shape, 4, '(batch, height, width, channels)') as [number, number, number];
    const [[t, b], [l, r]] = this.padding;
    return [shape[0] ?? null, h + t + b, w + l + r, c];
  }

  private dims(shape: number[]) {
    const [n, h, w, c] = shape as [number, number, number, number];
    const [[t, b], [l, r]] = this.padding;
    return { n, h, w, c, bigH: h + t + b, bigW: w + l + r, top: t, left: l };
  }

  forward(inputs: Tensor[], _ctx: CallContext): Tensor {
    const x = singleInput(this.name, inputs);
    this.computeOutputShape(x.shape);
    const d = this.dims(x.shape);
    this.inShape = x.shape;
    this.y = reuse(this.y, d.n * d.bigH * d.bigW * d.c);
    copyWindow(this.y, x.data, d, true);
    return { data: this.y, shape: [d.n, d.bigH, d.bigW, d.c] };
  }

  backward(dy: Tensor, ctx: CallContext): (Tensor | null)[] {
    if (!ctx.needsInputGrad || !this.inShape) return [null];
    const d = this.dims(this.inShape);
    this.dx = reuse(this.dx, d.n * d.h * d.w * d.c);
    copyWindow(dy.data, this.dx, d, false);
    return [{ data: this.dx, shape: this.inShape }];
  }

  protected layerConfig(): Record<string, unknown> {
    return { padding: this.padding.map((p) => [...p]) };
  }
}
