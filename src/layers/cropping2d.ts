// Keras Cropping2D: removes rows/columns from the borders of (N, H, W, C) images.

import { ShapeError } from '../errors.js';
import { formatShape, type Shape, type Tensor } from '../tensor.js';
import { checkKeys, expectRank, type Given, layerArgs, reuse } from './common.js';
import { type BaseLayerConfig, type CallContext, Layer, singleInput, singleShape } from './layer.js';
import { copyWindow, normalizeAmounts } from './spatial-crop.js';

export interface Cropping2DConfig extends BaseLayerConfig {
  /** 0 (default), [cropH, cropW], or [[top, bottom], [left, right]]. */
  cropping?: number | [number, number] | [[number, number], [number, number]];
}

/** Input (N, H, W, C), output (N, H - top - bottom, W - left - right, C). Example: `new Cropping2D({ cropping: 2 })`. */
export class Cropping2D extends Layer {
  readonly className: string = 'Cropping2D';
  readonly cropping: [[number, number], [number, number]];
  private inShape: number[] | null = null;
  private y: Float32Array | null = null;
  private dx: Float32Array | null = null;

  constructor(cropping: Given<Cropping2DConfig, 'cropping'>, options?: Omit<Cropping2DConfig, 'cropping'>);
  constructor(config?: Cropping2DConfig);
  constructor(...args: unknown[]) {
    const config = layerArgs<Cropping2DConfig>('Cropping2D', args, ['cropping']);
    super(config, 'cropping2d');
    checkKeys('Cropping2D', config, ['cropping']);
    this.cropping = normalizeAmounts('Cropping2D', 'cropping', config.cropping ?? 0);
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(this.name, inputShape);
    const [h, w, c] = expectRank(this.name, shape, 4, '(batch, height, width, channels)') as [number, number, number];
    const [[t, b], [l, r]] = this.cropping;
    if (h - t - b <= 0 || w - l - r <= 0) {
      throw new ShapeError(
        `${this.name}: invalid 'inputShape'. Expected more than ${t + b} rows and ${l + r} columns to crop, received ${formatShape(shape)}.`,
      );
    }
    return [shape[0] ?? null, h - t - b, w - l - r, c];
  }

  private dims(shape: number[]) {
    const [n, bigH, bigW, c] = shape as [number, number, number, number];
    const [[t, b], [l, r]] = this.cropping;
    return { n, bigH, bigW, c, h: bigH - t - b, w: bigW - l - r, top: t, left: l };
  }

  forward(inputs: Tensor[], _ctx: CallContext): Tensor {
    const x = singleInput(this.name, inputs);
    this.computeOutputShape(x.shape);
    const d = this.dims(x.shape);
    this.inShape = x.shape;
    this.y = reuse(this.y, d.n * d.h * d.w * d.c);
    copyWindow(x.data, this.y, d, false);
    return { data: this.y, shape: [d.n, d.h, d.w, d.c] };
  }

  backward(dy: Tensor, ctx: CallContext): (Tensor | null)[] {
    if (!ctx.needsInputGrad || !this.inShape) return [null];
    const d = this.dims(this.inShape);
    this.dx = reuse(this.dx, d.n * d.bigH * d.bigW * d.c);
    copyWindow(this.dx, dy.data, d, true);
    return [{ data: this.dx, shape: this.inShape }];
  }

  protected layerConfig(): Record<string, unknown> {
    return { cropping: this.cropping.map((p) => [...p]) };
  }
}
