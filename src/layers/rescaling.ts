// Keras Rescaling: y = x * scale + offset (e.g. 1/255 to bring pixels into [0, 1]). Scalar scale/offset only.

import type { Shape, Tensor } from '../tensor.js';
import { checkKeys, finiteNumber, type Given, layerArgs, reuse } from './common.js';
import { type BaseLayerConfig, type CallContext, Layer, singleInput, singleShape } from './layer.js';

export interface RescalingConfig extends BaseLayerConfig {
  scale: number;
  offset?: number;
}

/** Input and output the same shape. Example: `new Rescaling({ scale: 1 / 127.5, offset: -1 })`. */
export class Rescaling extends Layer {
  readonly className: string = 'Rescaling';
  readonly scale: number;
  readonly offset: number;
  private y: Float32Array | null = null;
  private dx: Float32Array | null = null;

  constructor(scale: Given<RescalingConfig, 'scale'>, options?: Omit<RescalingConfig, 'scale'>);
  constructor(
    scale: Given<RescalingConfig, 'scale'>,
    offset: Given<RescalingConfig, 'offset'>,
    options?: Omit<RescalingConfig, 'scale' | 'offset'>,
  );
  constructor(config: RescalingConfig);
  constructor(...args: unknown[]) {
    const config = layerArgs<RescalingConfig>('Rescaling', args, ['scale', 'offset']);
    super(config, 'rescaling');
    checkKeys('Rescaling', config, ['scale', 'offset']);
    this.scale = finiteNumber('Rescaling', 'scale', config.scale);
    this.offset = finiteNumber('Rescaling', 'offset', config.offset ?? 0);
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...singleShape(this.name, inputShape)];
  }

  forward(inputs: Tensor[], ctx: CallContext): Tensor {
    const x = singleInput(this.name, inputs);
    const y = (this.y = reuse(this.y, x.data.length));
    ctx.backend.scale(y, x.data, this.scale);
    if (this.offset !== 0) for (let i = 0; i < y.length; i++) y[i] = y[i]! + this.offset;
    return { data: y, shape: x.shape };
  }

  backward(dy: Tensor, ctx: CallContext): (Tensor | null)[] {
    if (!ctx.needsInputGrad) return [null];
    this.dx = reuse(this.dx, dy.data.length);
    ctx.backend.scale(this.dx, dy.data, this.scale);
    return [{ data: this.dx, shape: dy.shape }];
  }

  protected layerConfig(): Record<string, unknown> {
    return { scale: this.scale, offset: this.offset };
  }
}
