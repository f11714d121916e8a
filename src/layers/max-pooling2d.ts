// Keras MaxPooling2D (alias MaxPool2D) over maxPool2dForward/Backward; the argmax buffer routes gradients.

import type { Tensor } from '../tensor.js';
import { type Given, layerArgs, reuse } from './common.js';
import type { CallContext } from './layer.js';
import { Pooling2D, type Pooling2DConfig } from './pooling2d.js';

/**
 * Max over (poolSize) windows. Input (N, H, W, C), output (N, OH, OW, C).
 * Example: `new MaxPooling2D({ poolSize: 2 })` halves height and width.
 */
export class MaxPooling2D extends Pooling2D {
  readonly className: string = 'MaxPooling2D';
  private argmax: Int32Array | null = null;

  constructor(poolSize: Given<Pooling2DConfig, 'poolSize'>, options?: Omit<Pooling2DConfig, 'poolSize'>);
  constructor(
    poolSize: Given<Pooling2DConfig, 'poolSize'>,
    strides: Given<Pooling2DConfig, 'strides'>,
    options?: Omit<Pooling2DConfig, 'poolSize' | 'strides'>,
  );
  constructor(config?: Pooling2DConfig);
  constructor(...args: unknown[]) {
    super(layerArgs<Pooling2DConfig>('MaxPooling2D', args, ['poolSize', 'strides', 'padding']), 'MaxPooling2D', 'max_pooling2d');
  }

  forward(inputs: Tensor[], ctx: CallContext): Tensor {
    const { x, attrs, shape } = this.prepare(inputs);
    const length = shape[0]! * shape[1]! * shape[2]! * shape[3]!;
    this.y = reuse(this.y, length);
    if (!this.argmax || this.argmax.length !== length) this.argmax = new Int32Array(length);
    ctx.backend.maxPool2dForward(this.y, this.argmax, x.data, attrs);
    return { data: this.y, shape };
  }

  backward(dy: Tensor, ctx: CallContext): (Tensor | null)[] {
    const { x, attrs } = this.saved();
    if (!ctx.needsInputGrad) return [null];
    this.dx = reuse(this.dx, x.data.length);
    ctx.backend.maxPool2dBackward(this.dx, dy.data, this.argmax!, attrs);
    return [{ data: this.dx, shape: x.shape }];
  }
}
