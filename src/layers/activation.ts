// Keras Activation layer: applies a named activation ('relu', 'softmax', ...). With softmax or sigmoid it is a
// FusableOutputLayer: the trainer may take its input as logits and fuse the activation into the loss.

import { type ActivationSpec, resolveActivation } from '../activations.js';
import type { ActivationAttrs, ActivationKind } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { ActivationLayerBase } from './activation-layer-base.js';
import { checkKeys, type Given, layerArgs } from './common.js';
import type { BaseLayerConfig, CallContext, FusableOutputLayer } from './layer.js';

export interface ActivationConfig extends BaseLayerConfig {
  activation: string;
}

/** Element-wise activation; input and output the same shape. Example: `new Activation({ activation: 'softmax' })`. */
export class Activation extends ActivationLayerBase implements FusableOutputLayer {
  readonly className: string = 'Activation';
  readonly spec: ActivationSpec;

  constructor(activation: Given<ActivationConfig, 'activation'>, options?: Omit<ActivationConfig, 'activation'>);
  constructor(config: ActivationConfig);
  constructor(...args: unknown[]) {
    const config = layerArgs<ActivationConfig>('Activation', args, ['activation']);
    super(config, 'activation');
    checkKeys('Activation', config, ['activation']);
    this.spec = resolveActivation(config.activation, 'Activation');
  }

  protected attrs(): ActivationAttrs {
    return this.spec.attrs;
  }

  outputActivation(): ActivationKind {
    return this.spec.attrs.kind;
  }

  backwardPreActivation(dz: Tensor, ctx: CallContext): (Tensor | null)[] {
    return [ctx.needsInputGrad ? dz : null];
  }

  protected layerConfig(): Record<string, unknown> {
    return { activation: this.spec.name };
  }
}
