// Keras GlobalAveragePooling2D and GlobalMaxPooling2D over globalPool2dForward/Backward, with `keepdims`.

import type { GlobalPool2dAttrs } from '../backend/backend.js';
import { ShapeError } from '../errors.js';
import type { Shape, Tensor } from '../tensor.js';
import { bool, checkBuiltShape, checkKeys, expectRank, reuse } from './common.js';
import { type BaseLayerConfig, type CallContext, Layer, singleInput, singleShape } from './layer.js';

export interface GlobalPooling2DConfig extends BaseLayerConfig {
  /** Keep the spatial axes as size 1: output (N, 1, 1, C) instead of (N, C). Default false. */
  keepdims?: boolean;
}

/** Pools each channel over all of H and W. Input (N, H, W, C), output (N, C) or (N, 1, 1, C). */
export abstract class GlobalPooling2D extends Layer {
  readonly keepdims: boolean;
  protected abstract readonly mode: 'max' | 'avg';
  private attrs: GlobalPool2dAttrs | null = null;
  private x: Tensor | null = null;
  private y: Float32Array | null = null;
  private dx: Float32Array | null = null;

  constructor(config: GlobalPooling2DConfig, where: string, nameBase: string) {
    super(config, nameBase);
    checkKeys(where, config, ['keepdims']);
    this.keepdims = bool(where, 'keepdims', config.keepdims, false);
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(this.name, inputShape);
    const [, , c] = expectRank(this.name, shape, 4, '(batch, height, width, channels)') as [number, number, number];
    return this.keepdims ? [shape[0] ?? null, 1, 1, c] : [shape[0] ?? null, c];
  }

  forward(inputs: Tensor[], ctx: CallContext): Tensor {
    const x = singleInput(this.name, inputs);
    if (!this.built) this.build([null, ...x.shape.slice(1)]);
    checkBuiltShape(this.name, x.shape, this.inputShape);
    const [n, h, w, c] = x.shape as [number, number, number, number];
    let attrs = this.attrs;
    if (!attrs || attrs.batch !== n || attrs.inHeight !== h || attrs.inWidth !== w) {
      attrs = this.attrs = { batch: n, inHeight: h, inWidth: w, channels: c, mode: this.mode };
    }
    this.y = reuse(this.y, n * c);
    ctx.backend.globalPool2dForward(this.y, x.data, attrs);
    this.x = x;
    return { data: this.y, shape: this.keepdims ? [n, 1, 1, c] : [n, c] };
  }

  backward(dy: Tensor, ctx: CallContext): (Tensor | null)[] {
    if (!this.x || !this.attrs)
      throw new ShapeError(`${this.name}.backward: no forward pass to differentiate; call forward first.`);
    if (!ctx.needsInputGrad) return [null];
    this.dx = reuse(this.dx, this.x.data.length);
    ctx.backend.globalPool2dBackward(this.dx, dy.data, this.x.data, this.attrs);
    return [{ data: this.dx, shape: this.x.shape }];
  }

  protected layerConfig(): Record<string, unknown> {
    return { keepdims: this.keepdims };
  }
}

/** Mean of each channel over H and W. Example: `new GlobalAveragePooling2D()`: (N, 7, 7, 1280) -> (N, 1280). */
export class GlobalAveragePooling2D extends GlobalPooling2D {
  readonly className: string = 'GlobalAveragePooling2D';
  protected readonly mode = 'avg' as const;
  constructor(config: GlobalPooling2DConfig = {}) {
    super(config, 'GlobalAveragePooling2D', 'global_average_pooling2d');
  }
}

/** Max of each channel over H and W (gradient to the first maximum). */
export class GlobalMaxPooling2D extends GlobalPooling2D {
  readonly className: string = 'GlobalMaxPooling2D';
  protected readonly mode = 'max' as const;
  constructor(config: GlobalPooling2DConfig = {}) {
    super(config, 'GlobalMaxPooling2D', 'global_max_pooling2d');
  }
}
