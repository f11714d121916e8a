// Seed 003's challenge 1 ("Análise de Parâmetros"): the parameter counts of two models side by side, their ratio,
// and where the parameters are, layer by layer, with the arithmetic that shows weight sharing: a Dense layer pays
// one weight per input value and unit, a convolution pays for one small filter reused at every position.
// Also the seed's own pair (Flatten + Dense(100) against Conv2D(100, 3x3)) for any input shape. Text and numbers
// only; loading saved models is the caller's (the CLI uses loadModel).

import { ConfigError, invalid } from '../errors.js';
import { Conv2D } from '../layers/conv2d.js';
import { Dense } from '../layers/dense.js';
import { Flatten } from '../layers/flatten.js';
import type { Layer } from '../layers/layer.js';
import { formatShape } from '../tensor.js';
import type { Model } from './model.js';
import { Sequential } from './sequential.js';

/** One model's side of the comparison. */
export interface ModelParams {
  name: string;
  totalParams: number;
  trainableParams: number;
  /** One line per layer with parameters: the count and the arithmetic behind it. */
  layers: { name: string; className: string; params: number; arithmetic: string }[];
}

export interface ParameterComparison {
  models: [ModelParams, ModelParams];
  /** Larger count / smaller count (Infinity when the smaller has none). */
  ratio: number;
  /** Index (0 or 1) of the model with more parameters. */
  larger: 0 | 1;
  /** A few lines on why the counts differ (weight sharing). */
  explanation: string[];
}

const n = (x: number) => x.toLocaleString('en-US');

/** The arithmetic of a layer's count, from its weight shapes (kernel first, as Keras stores them). */
function arithmetic(layer: Layer, outputShape: readonly (number | null)[]): string {
  const params = layer.countParams();
  const kernel = layer.weights[0]?.shape ?? [];
  const bias = layer.weights.length > 1 ? (layer.weights[1]?.value.length ?? 0) : 0;
  const plusBias = bias ? ` + ${n(bias)} biases` : '';
  if (layer instanceof Dense && kernel.length === 2) {
    return `${n(kernel[0]!)} inputs x ${n(kernel[1]!)} units${plusBias} = ${n(params)}: one weight per input value and unit`;
  }
  if (layer instanceof Conv2D && kernel.length === 4) {
    const [kh, kw, cin, filters] = kernel as [number, number, number, number];
    const positions = outputShape.slice(1, 3).every((d) => typeof d === 'number')
      ? `, the same for all ${n((outputShape[1] as number) * (outputShape[2] as number))} output positions`
      : '';
    return `${filters} filters x (${kh}x${kw}x${cin} weights)${plusBias} = ${n(params)}: each filter is shared across the image${positions}`;
  }
  return `${n(params)} (${layer.weights.map((w) => `${w.name} ${formatShape(w.shape)}`).join(', ')})`;
}

/** Counts of one model, layer by layer (nested models count as one layer). */
export function modelParams(model: Model, name = model.name): ModelParams {
  const layers = model.graphNodes
    .filter((node) => node.layer.countParams() > 0)
    .map((node) => ({
      name: node.layer.name,
      className: node.layer.className,
      params: node.layer.countParams(),
      arithmetic: arithmetic(node.layer, node.tensor.shape),
    }));
  const trainableParams = model.trainableWeights.reduce((t, w) => t + w.value.length, 0);
  return { name, totalParams: model.countParams(), trainableParams, layers };
}

/**
 * Compares two built models' parameter counts and explains the difference (`names` label them; default model.name).
 * @example compareParams(...seed003Models([400, 600, 3])).ratio // 72,000,100 / 2,800
 */
export function compareParams(a: Model, b: Model, names: [string, string] = [a.name, b.name]): ParameterComparison {
  for (const [arg, m] of [
    ['a', a],
    ['b', b],
  ] as const) {
    if (!m.built) throw new ConfigError(invalid('compareParams', arg, 'a built model (with an input shape)', m.name));
  }
  const models: [ModelParams, ModelParams] = [modelParams(a, names[0]), modelParams(b, names[1])];
  const larger = models[0].totalParams >= models[1].totalParams ? 0 : 1;
  const big = models[larger]!;
  const small = models[1 - larger]!;
  const ratio = small.totalParams === 0 ? Number.POSITIVE_INFINITY : big.totalParams / small.totalParams;
  const times = Number.isFinite(ratio) ? `${ratio.toLocaleString('en-US', { maximumFractionDigits: 1 })}x` : 'infinitely';
  const explanation = [
    big.totalParams === small.totalParams
      ? `${models[0].name} and ${models[1].name} both have ${n(big.totalParams)} parameters.`
      : `${big.name} has ${n(big.totalParams)} parameters, ${small.name} ${n(small.totalParams)}: ${times} more.`,
  ];
  for (const m of models) for (const l of m.layers) explanation.push(`${m.name} / ${l.name} (${l.className}): ${l.arithmetic}.`);
  const hasDense = models.some((m) => m.layers.some((l) => l.className === 'Dense'));
  const hasConv = models.some((m) => m.layers.some((l) => l.className === 'Conv2D'));
  if (hasDense && hasConv) {
    explanation.push(
      'Weight sharing: a convolution learns a few small filters and slides the same weights over every position, so its count depends on the filter size and channels, not on the image size. A Dense layer on a flattened image needs a separate weight for every pixel value and unit: double the height and width and it grows four times, while the convolution stays the same.',
    );
  }
  return { models, ratio, larger, explanation };
}

/**
 * Seed 003's pair for an input shape [height, width, channels]: an MLP (Flatten + Dense(100)) and a CNN
 * (Conv2D(100, 3x3, relu)). Weights start at zero: they are only counted, and zeros cost no random draws.
 */
export function seed003Models(inputShape: [number, number, number]): [Sequential, Sequential] {
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || !inputShape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new ConfigError(invalid('seed003Models', 'inputShape', '[height, width, channels] of positive integers', inputShape));
  }
  const zeros = { kernelInitializer: 'zeros' } as const;
  const mlp = new Sequential([new Flatten({ inputShape }), new Dense(100, zeros)], { name: 'mlp' });
  const cnn = new Sequential([new Conv2D(100, [3, 3], { activation: 'relu', inputShape, ...zeros })], { name: 'cnn' });
  return [mlp, cnn];
}
