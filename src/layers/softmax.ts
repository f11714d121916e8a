// Keras Softmax layer over the last axis (other axes are rejected). A FusableOutputLayer: the trainer may take
// its input as logits and fuse softmax into the cross-entropy loss.

import type { ActivationAttrs, ActivationKind } from '../backend/backend.js';
import { ConfigError, invalid } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { ActivationLayerBase } from './activation-layer-base.js';
import { checkKeys, type Given, layerArgs } from './common.js';
import type { BaseLayerConfig, CallContext, FusableOutputLayer } from './layer.js';

export interface SoftmaxConfig extends BaseLayerConfig {
  /** Only -1 (the last axis) is supported. */
  axis?: number;
}

/** Softmax over the last axis; input and output the same shape. Example: `new Softmax()`. */
export class Softmax extends ActivationLayerBase implements FusableOutputLayer {
  readonly className: string = 'Softmax';
  readonly axis = -1;

  constructor(axis: Given<SoftmaxConfig, 'axis'>, options?: Omit<SoftmaxConfig, 'axis'>);
  constructor(config?: SoftmaxConfig);
  constructor(...args: unknown[]) {
    const config = layerArgs<SoftmaxConfig>('Softmax', args, ['axis']);
    super(config, 'softmax');
    checkKeys('Softmax', config, ['axis']);
    const axis = config.axis ?? -1;
    if (axis !== -1) throw new ConfigError(invalid('Softmax', 'axis', '-1 (softmax over the last axis)', axis));
  }

  protected attrs(): ActivationAttrs {
    return { kind: 'softmax' };
  }

  outputActivation(): ActivationKind {
    return 'softmax';
  }

  backwardPreActivation(dz: Tensor, ctx: CallContext): (Tensor | null)[] {
    return [ctx.needsInputGrad ? dz : null];
  }

  protected layerConfig(): Record<string, unknown> {
    return { axis: this.axis };
  }
}
