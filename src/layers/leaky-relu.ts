// Keras LeakyReLU layer: negativeSlope (Keras 3) or alpha (Keras 2), default 0.3.

import type { ActivationAttrs } from '../backend/backend.js';
import { ConfigError, invalid } from '../errors.js';
import { ActivationLayerBase } from './activation-layer-base.js';
import { checkKeys, finiteNumber, type Given, layerArgs } from './common.js';
import type { BaseLayerConfig } from './layer.js';

export interface LeakyReLUConfig extends BaseLayerConfig {
  negativeSlope?: number;
  /** Keras 2 name of negativeSlope. */
  alpha?: number;
}

/** f(x) = x for x >= 0, negativeSlope * x otherwise. Example: `new LeakyReLU({ negativeSlope: 0.1 })`. */
export class LeakyReLU extends ActivationLayerBase {
  readonly className: string = 'LeakyReLU';
  readonly negativeSlope: number;

  constructor(negativeSlope: Given<LeakyReLUConfig, 'negativeSlope'>, options?: Omit<LeakyReLUConfig, 'negativeSlope'>);
  constructor(config?: LeakyReLUConfig);
  constructor(...args: unknown[]) {
    const config = layerArgs<LeakyReLUConfig>('LeakyReLU', args, ['negativeSlope']);
    const where = 'LeakyReLU';
    super(config, 'leaky_re_lu');
    checkKeys(where, config, ['negativeSlope', 'alpha']);
    if (config.alpha !== undefined && config.negativeSlope !== undefined && config.alpha !== config.negativeSlope) {
      throw new ConfigError(
        `${where}: give either 'negativeSlope' or its Keras 2 name 'alpha', received both (${config.negativeSlope} and ${config.alpha}).`,
      );
    }
    this.negativeSlope = finiteNumber(where, 'negativeSlope', config.negativeSlope ?? config.alpha ?? 0.3);
    if (this.negativeSlope < 0) throw new ConfigError(invalid(where, 'negativeSlope', 'a number >= 0', this.negativeSlope));
  }

  protected attrs(): ActivationAttrs {
    return { kind: 'leakyRelu', alpha: this.negativeSlope };
  }

  protected layerConfig(): Record<string, unknown> {
    return { negativeSlope: this.negativeSlope };
  }
}
