// Grad-CAM (Selvaraju et al. 2017) for one image: the class score's gradient w.r.t. a convolution layer's output,
// averaged over space, weights that layer's channels; ReLU of the weighted sum is the map of where the evidence
// for the class is. Computed with the layers' own backward passes. Browser-safe; overlays as PNG are in overlay.ts.

import { ConfigError, invalid, ShapeError } from '../errors.js';
import type { Model } from '../models/model.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import { classScoreGradients, defaultCamLayer, findLayer } from './class-gradients.js';
import { resizeMap, scaleToUnit } from './heatmap.js';

export interface GradCamOptions {
  /** Class to explain (default: the predicted class). For a one-unit sigmoid model, 0 or 1. */
  classIndex?: number;
  /** Layer whose (H, W, C) output is used (default: the last convolution, after its BN/activation). */
  layerName?: string;
}

export interface GradCamResult {
  classIndex: number;
  layerName: string;
  /** The differentiated score (the class logit when the output softmax/sigmoid can be split off). */
  score: number;
  scoreKind: 'logit' | 'output';
  /** The model's output for the image, shape (1, units). */
  output: Tensor;
  /** One weight per channel of the layer: the spatial mean of d score / d activation. */
  weights: Float32Array;
  /** ReLU(sum_k weights[k] * activation[..., k]) at the layer's resolution (h, w), unscaled. */
  raw: Tensor;
  /** `raw` divided by its maximum: values in [0, 1], shape (h, w). All zeros when no location supports the class. */
  heatmap: Tensor;
  /** `heatmap` resized bilinearly to the image, shape (H, W). */
  upsampled: Tensor;
}

/**
 * Grad-CAM heatmap of one image (H, W, C) or (1, H, W, C), given exactly as the model takes it (scaled).
 * @example
 * const cam = gradCam(model, image, { classIndex: 3 });
 * cam.upsampled // Float32 (H, W) in [0, 1]; cam.layerName // 'conv2d_1'
 */
export function gradCam(model: Model, image: Tensor, rawOptions?: GradCamOptions): GradCamResult {
  const options = checkOptions<GradCamOptions>('gradCam', rawOptions, ['classIndex', 'layerName']);
  if (options.layerName !== undefined && typeof options.layerName !== 'string') {
    throw new ConfigError(invalid('gradCam', 'layerName', 'a layer name (string)', options.layerName));
  }
  const layer = options.layerName === undefined ? defaultCamLayer(model) : findLayer(model, options.layerName, 'gradCam');
  const g = classScoreGradients(model, image, options.classIndex, layer);
  const activation = g.activation!;
  const gradient = g.activationGradient!;
  if (activation.shape.length !== 4) {
    throw new ShapeError(
      invalid(
        'gradCam',
        'layerName',
        "a layer with an (N, H, W, C) output (a convolution's)",
        `'${layer.name}' with output shape [${activation.shape.join(', ')}]`,
      ),
    );
  }
  const [, h, w, k] = activation.shape as [number, number, number, number];
  const weights = new Float32Array(k);
  for (let i = 0; i < h * w; i++) for (let c = 0; c < k; c++) weights[c]! += gradient.data[i * k + c]!;
  for (let c = 0; c < k; c++) weights[c]! /= h * w;
  const raw = new Float32Array(h * w);
  for (let i = 0; i < h * w; i++) {
    let sum = 0;
    for (let c = 0; c < k; c++) sum += weights[c]! * activation.data[i * k + c]!;
    raw[i] = Number.isNaN(sum) ? sum : Math.max(sum, 0);
  }
  const heatmap = { data: scaleToUnit(raw), shape: [h, w] };
  const [, height, width] = g.inputGradient.shape as [number, number, number];
  return {
    classIndex: g.classIndex,
    layerName: layer.name,
    score: g.score,
    scoreKind: g.scoreKind,
    output: g.output,
    weights,
    raw: { data: raw, shape: [h, w] },
    heatmap,
    upsampled: resizeMap(heatmap, height, width),
  };
}
