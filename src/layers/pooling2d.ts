// The base of MaxPooling2D and AveragePooling2D: options (poolSize, strides defaulting to poolSize, padding),
// shape arithmetic and Pool2dAttrs caching. Each subclass calls its own pair of backend kernels.

import type { Pool2dAttrs } from '../backend/backend.js';
import { pool2dGeometry } from '../backend/shapes.js';
import { ShapeError } from '../errors.js';
import type { Shape, Tensor } from '../tensor.js';
import { checkBuiltShape, checkKeys, expectRank, intPair, paddingMode } from './common.js';
import { type BaseLayerConfig, type CallContext, Layer, singleInput, singleShape } from './layer.js';

export interface Pooling2DConfig extends BaseLayerConfig {
  /** Window size (default 2). */
  poolSize?: number | [number, number];
  /** Step (default: poolSize). */
  strides?: number | [number, number] | null;
  padding?: 'valid' | 'same';
}

/** Pooling over (N, H, W, C) windows; output (N, OH, OW, C). No weights. */
export abstract class Pooling2D extends Layer {
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: 'valid' | 'same';
  protected attrs: Pool2dAttrs | null = null;
  protected x: Tensor | null = null;
  protected y: Float32Array | null = null;
  protected dx: Float32Array | null = null;

  constructor(config: Pooling2DConfig, where: string, nameBase: string) {
    super(config, nameBase);
    checkKeys(where, config, ['poolSize', 'strides', 'padding']);
    this.poolSize = intPair(where, 'poolSize', config.poolSize ?? 2);
    this.strides = config.strides == null ? [...this.poolSize] : intPair(where, 'strides', config.strides);
    this.padding = paddingMode(where, config.padding);
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(this.name, inputShape);
    const [h, w, c] = expectRank(this.name, shape, 4, '(batch, height, width, channels)') as [number, number, number];
    const g = pool2dGeometry(this.attrsFor(1, h, w, c));
    if (g.outHeight <= 0 || g.outWidth <= 0) {
      throw new ShapeError(
        `${this.name}: invalid 'inputShape'. Expected height x width of at least the pool size ${this.poolSize.join('x')}, received ${h}x${w}.`,
      );
    }
    return [shape[0] ?? null, g.outHeight, g.outWidth, c];
  }

  protected attrsFor(batch: number, h: number, w: number, c: number): Pool2dAttrs {
    const a = this.attrs;
    if (a && a.batch === batch && a.inHeight === h && a.inWidth === w && a.channels === c) return a;
    return { batch, inHeight: h, inWidth: w, channels: c, poolSize: this.poolSize, strides: this.strides, padding: this.padding };
  }

  /** Validates the input, caches attrs and returns the output shape. */
  protected prepare(inputs: Tensor[]): { x: Tensor; attrs: Pool2dAttrs; shape: number[] } {
    const x = singleInput(this.name, inputs);
    if (!this.built) this.build([null, ...x.shape.slice(1)]);
    checkBuiltShape(this.name, x.shape, this.inputShape);
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const attrs = (this.attrs = this.attrsFor(n, h, w, c));
    const g = pool2dGeometry(attrs);
    this.x = x;
    return { x, attrs, shape: [n, g.outHeight, g.outWidth, c] };
  }

  protected saved(): { x: Tensor; attrs: Pool2dAttrs } {
    if (!this.x || !this.attrs)
      throw new ShapeError(`${this.name}.backward: no forward pass to differentiate; call forward first.`);
    return { x: this.x, attrs: this.attrs };
  }

  abstract override forward(inputs: Tensor[], ctx: CallContext): Tensor;

  protected layerConfig(): Record<string, unknown> {
    return { poolSize: [...this.poolSize], padding: this.padding, strides: [...this.strides] };
  }
}
