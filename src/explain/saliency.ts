// Plain gradient saliency (Simonyan et al. 2013) for one image: d class score / d input, and as a map the largest
// absolute gradient over the colour channels at each pixel, scaled to [0, 1]. Browser-safe.

import type { Model } from '../models/model.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import { classScoreGradients } from './class-gradients.js';
import { scaleToUnit } from './heatmap.js';

export interface SaliencyOptions {
  /** Class to explain (default: the predicted class). For a one-unit sigmoid model, 0 or 1. */
  classIndex?: number;
}

export interface SaliencyResult {
  classIndex: number;
  score: number;
  scoreKind: 'logit' | 'output';
  output: Tensor;
  /** d score / d input, shape (1, H, W, C). */
  gradient: Tensor;
  /** max over channels of |gradient| divided by its maximum, shape (H, W), values in [0, 1]. */
  map: Tensor;
}

/**
 * Gradient saliency of one image (H, W, C) or (1, H, W, C), given exactly as the model takes it (scaled).
 * @example const { map } = saliencyMap(model, image); // Float32 (H, W) in [0, 1]
 */
export function saliencyMap(model: Model, image: Tensor, rawOptions?: SaliencyOptions): SaliencyResult {
  const options = checkOptions<SaliencyOptions>('saliencyMap', rawOptions, ['classIndex']);
  const g = classScoreGradients(model, image, options.classIndex, null);
  const [, height, width, channels] = g.inputGradient.shape as [number, number, number, number];
  const magnitude = new Float32Array(height * width);
  for (let i = 0; i < height * width; i++) {
    let best = 0;
    for (let c = 0; c < channels; c++) {
      const v = Math.abs(g.inputGradient.data[i * channels + c]!);
      best = Number.isNaN(v) || Number.isNaN(best) ? Number.NaN : Math.max(best, v);
    }
    magnitude[i] = best;
  }
  return {
    classIndex: g.classIndex,
    score: g.score,
    scoreKind: g.scoreKind,
    output: g.output,
    gradient: g.inputGradient,
    map: { data: scaleToUnit(magnitude), shape: [height, width] },
  };
}
