// Keras ReLU layer with maxValue, negativeSlope and threshold (MobileNet's ReLU6 is ReLU({ maxValue: 6 })).

import type { ActivationAttrs } from '../backend/backend.js';
import { ConfigError, invalid } from '../errors.js';
import { ActivationLayerBase } from './activation-layer-base.js';
import { checkKeys, finiteNumber, type Given, layerArgs } from './common.js';
import type { BaseLayerConfig } from './layer.js';

export interface ReLUConfig extends BaseLayerConfig {
  /** Upper bound (null: none). */
  maxValue?: number | null;
  /** Slope below the threshold (default 0). */
  negativeSlope?: number;
  /** Values at or below it count as negative (default 0, must be >= 0). */
  threshold?: number;
}

/**
 * Keras 3: f(x) = min(x, maxValue) for x > threshold, negativeSlope * (x - threshold) below it, 0 at it.
 * Input and output the same shape. Example: `new ReLU({ maxValue: 6 })`.
 */
export class ReLU extends ActivationLayerBase {
  readonly className: string = 'ReLU';
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;

  constructor(maxValue: Given<ReLUConfig, 'maxValue'>, options?: Omit<ReLUConfig, 'maxValue'>);
  constructor(
    maxValue: Given<ReLUConfig, 'maxValue'>,
    negativeSlope: Given<ReLUConfig, 'negativeSlope'>,
    options?: Omit<ReLUConfig, 'maxValue' | 'negativeSlope'>,
  );
  constructor(
    maxValue: Given<ReLUConfig, 'maxValue'>,
    negativeSlope: Given<ReLUConfig, 'negativeSlope'>,
    threshold: Given<ReLUConfig, 'threshold'>,
    options?: Omit<ReLUConfig, 'maxValue' | 'negativeSlope' | 'threshold'>,
  );
  constructor(config?: ReLUConfig);
  constructor(...args: unknown[]) {
    const config = layerArgs<ReLUConfig>('ReLU', args, ['maxValue', 'negativeSlope', 'threshold']);
    const where = 'ReLU';
    super(config, 're_lu');
    checkKeys(where, config, ['maxValue', 'negativeSlope', 'threshold']);
    this.maxValue = config.maxValue == null ? null : finiteNumber(where, 'maxValue', config.maxValue);
    if (this.maxValue !== null && this.maxValue < 0)
      throw new ConfigError(invalid(where, 'maxValue', 'a number >= 0 or null', this.maxValue));
    this.negativeSlope = finiteNumber(where, 'negativeSlope', config.negativeSlope ?? 0);
    if (this.negativeSlope < 0) throw new ConfigError(invalid(where, 'negativeSlope', 'a number >= 0', this.negativeSlope));
    this.threshold = finiteNumber(where, 'threshold', config.threshold ?? 0);
    // Keras refuses it too; a negative threshold with a maxValue would also clip (threshold, 0) to 0.
    if (this.threshold < 0) throw new ConfigError(invalid(where, 'threshold', 'a number >= 0', this.threshold));
  }

  protected attrs(): ActivationAttrs {
    const attrs: ActivationAttrs = { kind: 'relu', alpha: this.negativeSlope, threshold: this.threshold };
    if (this.maxValue !== null) attrs.maxValue = this.maxValue;
    return attrs;
  }

  protected layerConfig(): Record<string, unknown> {
    return { maxValue: this.maxValue, negativeSlope: this.negativeSlope, threshold: this.threshold };
  }
}
