// Keras AveragePooling2D (alias AvgPool2D) over avgPool2dForward/Backward ('same' averages real cells only).

import type { Tensor } from '../tensor.js';
import { type Given, layerArgs, reuse } from './common.js';
import type { CallContext } from './layer.js';
import { Pooling2D, type Pooling2DConfig } from './pooling2d.js';

/**
 * Mean over (poolSize) windows. Input (N, H, W, C), output (N, OH, OW, C).
 * Example: `new AveragePooling2D({ poolSize: 2 })`.
 */
export class AveragePooling2D extends Pooling2D {
  readonly className: string = 'AveragePooling2D';

  constructor(poolSize: Given<Pooling2DConfig, 'poolSize'>, options?: Omit<Pooling2DConfig, 'poolSize'>);
  constructor(
    poolSize: Given<Pooling2DConfig, 'poolSize'>,
    strides: Given<Pooling2DConfig, 'strides'>,
    options?: Omit<Pooling2DConfig, 'poolSize' | 'strides'>,
  );
  constructor(config?: Pooling2DConfig);
  constructor(...args: unknown[]) {
    super(
      layerArgs<Pooling2DConfig>('AveragePooling2D', args, ['poolSize', 'strides', 'padding']),
      'AveragePooling2D',
      'average_pooling2d',
    );
  }

  forward(inputs: Tensor[], ctx: CallContext): Tensor {
    const { x, attrs, shape } = this.prepare(inputs);
    this.y = reuse(this.y, shape[0]! * shape[1]! * shape[2]! * shape[3]!);
    ctx.backend.avgPool2dForward(this.y, x.data, attrs);
    return { data: this.y, shape };
  }

  backward(dy: Tensor, ctx: CallContext): (Tensor | null)[] {
    const { x, attrs } = this.saved();
    if (!ctx.needsInputGrad) return [null];
    this.dx = reuse(this.dx, x.data.length);
    ctx.backend.avgPool2dBackward(this.dx, dy.data, attrs);
    return [{ data: this.dx, shape: x.shape }];
  }
}
