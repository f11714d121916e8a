// Keras RandomRotation: while training, each image is rotated about its centre by a random angle of
// factor * 2*pi (positive = counter-clockwise); identity at inference.

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

export interface RandomRotationConfig extends FillConfig {
  /** Fraction of a full turn: f for [-f, f] or [lower, upper] (0.25 = 90 degrees). */
  factor: Factor;
}

/** Input and output (N, H, W, C). Example: `new RandomRotation(0.1)` or `new RandomRotation({ factor: [-0.2, 0.3], fillMode: 'constant' })`. */
export class RandomRotation extends RandomImageLayer {
  readonly className: string = 'RandomRotation';
  readonly factor: Factor;
  private readonly range: [number, number];
  private readonly fill: Pick<AffineAttrs, 'fillMode' | 'interpolation' | 'fillValue'>;

  constructor(factor: Given<RandomRotationConfig, 'factor'>, options?: Omit<RandomRotationConfig, 'factor'>);
  constructor(config: RandomRotationConfig);
  constructor(...args: unknown[]) {
    const config = layerArgs<RandomRotationConfig>('RandomRotation', args, ['factor']);
    checkKeys('RandomRotation', config, ['factor', ...FILL_KEYS]);
    super(config, 'random_rotation', seedOption('RandomRotation', config.seed));
    this.range = factorRange('RandomRotation', 'factor', config.factor, -Infinity, Infinity);
    this.factor = factorValue(config.factor);
    this.fill = fillOptions('RandomRotation', config);
  }

  protected drawsPerImage(): number {
    return 1;
  }

  protected transform(u: Float64Array, height: number, width: number, out: Float32Array, at: number): void {
    const angle = between(this.range, u[0]!) * 2 * Math.PI;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    // Keras 3's rotation matrix: rotate about the centre ((W-1)/2, (H-1)/2).
    const xOffset = (width - 1 - (cos * (width - 1) - sin * (height - 1))) / 2;
    const yOffset = (height - 1 - (sin * (width - 1) + cos * (height - 1))) / 2;
    out.set([cos, -sin, xOffset, sin, cos, yOffset, 0, 0], at);
  }

  protected sampling(): Pick<AffineAttrs, 'fillMode' | 'interpolation' | 'fillValue'> {
    return this.fill;
  }

  protected layerConfig(): Record<string, unknown> {
    return { factor: factorValue(this.factor), ...this.fill, seed: this.seed };
  }
}
