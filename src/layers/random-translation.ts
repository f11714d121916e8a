// Keras RandomTranslation: while training, each image is shifted by a random fraction of its height and width
// (positive = down / right); identity at inference.

import type { AffineAttrs } from '../backend/backend.js';
import { checkKeys, type Given, layerArgs } from './common.js';
import {
  between,
  type Factor,
  FILL_KEYS,
  type FillConfig,
  factorRange,
  factorValue,
  fillOptions,
  RandomImageLayer,
  seedOption,
} from './random-image-layer.js';

export interface RandomTranslationConfig extends FillConfig {
  /** Vertical shift as a fraction of the height, within [-1, 1]: f for [-f, f] or [lower, upper]. */
  heightFactor: Factor;
  /** Horizontal shift as a fraction of the width, within [-1, 1]. */
  widthFactor: Factor;
}

/** Input and output (N, H, W, C). Example: `new RandomTranslation(0.1, 0.1)`. */
export class RandomTranslation extends RandomImageLayer {
  readonly className: string = 'RandomTranslation';
  readonly heightFactor: Factor;
  readonly widthFactor: Factor;
  private readonly heightRange: [number, number];
  private readonly widthRange: [number, number];
  private readonly fill: Pick<AffineAttrs, 'fillMode' | 'interpolation' | 'fillValue'>;

  constructor(
    heightFactor: Given<RandomTranslationConfig, 'heightFactor'>,
    widthFactor: Given<RandomTranslationConfig, 'widthFactor'>,
    options?: Omit<RandomTranslationConfig, 'heightFactor' | 'widthFactor'>,
  );
  constructor(config: RandomTranslationConfig);
  constructor(...args: unknown[]) {
    const where = 'RandomTranslation';
    const config = layerArgs<RandomTranslationConfig>(where, args, ['heightFactor', 'widthFactor']);
    checkKeys(where, config, ['heightFactor', 'widthFactor', ...FILL_KEYS]);
    super(config, 'random_translation', seedOption(where, config.seed));
    this.heightRange = factorRange(where, 'heightFactor', config.heightFactor, -1, 1);
    this.widthRange = factorRange(where, 'widthFactor', config.widthFactor, -1, 1);
    this.heightFactor = factorValue(config.heightFactor);
    this.widthFactor = factorValue(config.widthFactor);
    this.fill = fillOptions(where, config);
  }

  protected drawsPerImage(): number {
    return 2;
  }

  protected transform(u: Float64Array, height: number, width: number, out: Float32Array, at: number): void {
    const dy = between(this.heightRange, u[0]!) * height;
    const dx = between(this.widthRange, u[1]!) * width;
    out.set([1, 0, -dx, 0, 1, -dy, 0, 0], at);
  }

  protected sampling(): Pick<AffineAttrs, 'fillMode' | 'interpolation' | 'fillValue'> {
    return this.fill;
  }

  protected layerConfig(): Record<string, unknown> {
    return {
      heightFactor: factorValue(this.heightFactor),
      widthFactor: factorValue(this.widthFactor),
      ...this.fill,
      seed: this.seed,
    };
  }
}
