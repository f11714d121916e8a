// Keras RandomZoom: while training, each image is zoomed about its centre by 1 + a random factor per axis
// (positive = zoom out, negative = zoom in; no widthFactor keeps the aspect ratio); identity at inference.

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

export interface RandomZoomConfig extends FillConfig {
  /** Vertical zoom, values >= -1: f for [-f, f] or [lower, upper]. */
  heightFactor: Factor;
  /** Horizontal zoom; null (default) zooms both axes by the vertical amount. */
  widthFactor?: Factor | null;
}

/** Input and output (N, H, W, C). Example: `new RandomZoom(0.2)` or `new RandomZoom([-0.3, -0.1], [-0.2, 0.2])`. */
export class RandomZoom extends RandomImageLayer {
  readonly className: string = 'RandomZoom';
  readonly heightFactor: Factor;
  readonly widthFactor: Factor | null;
  private readonly heightRange: [number, number];
  private readonly widthRange: [number, number] | null;
  private readonly fill: Pick<AffineAttrs, 'fillMode' | 'interpolation' | 'fillValue'>;

  constructor(heightFactor: Given<RandomZoomConfig, 'heightFactor'>, options?: Omit<RandomZoomConfig, 'heightFactor'>);
  constructor(
    heightFactor: Given<RandomZoomConfig, 'heightFactor'>,
    widthFactor: Factor | null,
    options?: Omit<RandomZoomConfig, 'heightFactor' | 'widthFactor'>,
  );
  constructor(config: RandomZoomConfig);
  constructor(...args: unknown[]) {
    const where = 'RandomZoom';
    const config = layerArgs<RandomZoomConfig>(where, args, ['heightFactor', 'widthFactor']);
    checkKeys(where, config, ['heightFactor', 'widthFactor', ...FILL_KEYS]);
    super(config, 'random_zoom', seedOption(where, config.seed));
    this.heightRange = factorRange(where, 'heightFactor', config.heightFactor, -1, Infinity);
    this.heightFactor = factorValue(config.heightFactor);
    const width = config.widthFactor ?? null;
    this.widthRange = width === null ? null : factorRange(where, 'widthFactor', width, -1, Infinity);
    this.widthFactor = width === null ? null : factorValue(width);
    this.fill = fillOptions(where, config);
  }

  protected drawsPerImage(): number {
    return this.widthRange ? 2 : 1;
  }

  protected transform(u: Float64Array, height: number, width: number, out: Float32Array, at: number): void {
    const zoomY = 1 + between(this.heightRange, u[0]!);
    const zoomX = this.widthRange ? 1 + between(this.widthRange, u[1]!) : zoomY;
    // Keras 3's zoom matrix: scale about the centre ((W-1)/2, (H-1)/2).
    out.set([zoomX, 0, ((width - 1) / 2) * (1 - zoomX), 0, zoomY, ((height - 1) / 2) * (1 - zoomY), 0, 0], at);
  }

  protected sampling(): Pick<AffineAttrs, 'fillMode' | 'interpolation' | 'fillValue'> {
    return this.fill;
  }

  protected layerConfig(): Record<string, unknown> {
    return {
      heightFactor: factorValue(this.heightFactor),
      widthFactor: this.widthFactor === null ? null : factorValue(this.widthFactor),
      ...this.fill,
      seed: this.seed,
    };
  }
}
