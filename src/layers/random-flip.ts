// Keras RandomFlip: while training, each image is flipped left-right and/or upside down with probability 1/2
// (one draw per direction); identity at inference. Flips are exact (nearest sampling at whole pixels).

import type { AffineAttrs } from '../backend/backend.js';
import { ConfigError, invalid } from '../errors.js';
import { checkKeys, type Given, layerArgs } from './common.js';
import { type RandomImageConfig, RandomImageLayer, seedOption } from './random-image-layer.js';

export type FlipMode = 'horizontal' | 'vertical' | 'horizontal_and_vertical';

export interface RandomFlipConfig extends RandomImageConfig {
  /** Which flips may happen; default 'horizontal_and_vertical'. */
  mode?: FlipMode;
}

const MODES: readonly FlipMode[] = ['horizontal', 'vertical', 'horizontal_and_vertical'];

/** Input and output (N, H, W, C). Example: `new RandomFlip('horizontal')` or `new RandomFlip({ mode: 'vertical', seed: 1 })`. */
export class RandomFlip extends RandomImageLayer {
  readonly className: string = 'RandomFlip';
  readonly mode: FlipMode;

  constructor(mode?: Given<RandomFlipConfig, 'mode'>, options?: Omit<RandomFlipConfig, 'mode'>);
  constructor(config?: RandomFlipConfig);
  constructor(...args: unknown[]) {
    const config = layerArgs<RandomFlipConfig>('RandomFlip', args, ['mode']);
    checkKeys('RandomFlip', config, ['mode', 'seed']);
    super(config, 'random_flip', seedOption('RandomFlip', config.seed));
    const mode = config.mode ?? 'horizontal_and_vertical';
    if (!MODES.includes(mode)) {
      throw new ConfigError(invalid('RandomFlip', 'mode', MODES.map((m) => `'${m}'`).join(', '), mode));
    }
    this.mode = mode;
  }

  protected drawsPerImage(): number {
    return this.mode === 'horizontal_and_vertical' ? 2 : 1;
  }

  protected transform(u: Float64Array, height: number, width: number, out: Float32Array, at: number): void {
    const horizontal = this.mode !== 'vertical' && u[0]! < 0.5;
    const vertical = this.mode !== 'horizontal' && u[this.mode === 'vertical' ? 0 : 1]! < 0.5;
    // x' = W-1-x flips left-right; y' = H-1-y flips upside down.
    out.set([horizontal ? -1 : 1, 0, horizontal ? width - 1 : 0, 0, vertical ? -1 : 1, vertical ? height - 1 : 0, 0, 0], at);
  }

  protected sampling(): Pick<AffineAttrs, 'fillMode' | 'interpolation' | 'fillValue'> {
    return { fillMode: 'constant', interpolation: 'nearest', fillValue: 0 };
  }

  protected override selfInverse(): boolean {
    return true;
  }

  protected layerConfig(): Record<string, unknown> {
    return { mode: this.mode, seed: this.seed };
  }
}
