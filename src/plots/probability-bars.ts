// The class probabilities of one image as bars (the companion of seed 003's plot_image, as TensorFlow's tutorial
// draws it): the predicted class stands out, green when it is the true class and red when not, and the true class
// is outlined in green. Returns a Vega-Lite spec.

import type { TopLevelSpec } from 'vega-lite';
import { ConfigError, invalid } from '../errors.js';
import { checkOptions } from '../options.js';
import { MUTED, RIGHT, WRONG } from './image-grid.js';
import { PLOT_CONFIG } from './render.js';

export interface ProbabilityBarsOptions {
  classNames?: string[];
  /** The image's true class, when known. */
  trueClass?: number;
  title?: string;
}

const KEYS = ['classNames', 'trueClass', 'title'];

/**
 * Vega-Lite spec of one image's class probabilities (a row of model.predict's output; one sigmoid unit p is read
 * as the two classes [1 - p, p]).
 * @example await savePlot(probabilityBarsSpec(probs.data.subarray(0, 10), { classNames, trueClass: 9 }), 'probs.svg');
 */
export function probabilityBarsSpec(probabilities: ArrayLike<number>, rawOptions?: ProbabilityBarsOptions): TopLevelSpec {
  const options = checkOptions<ProbabilityBarsOptions>('probabilityBarsSpec', rawOptions, KEYS);
  if (probabilities?.length === undefined || probabilities.length === 0) {
    throw new ConfigError(invalid('probabilityBarsSpec', 'probabilities', 'one row of class probabilities', probabilities));
  }
  const p = probabilities.length === 1 ? [1 - probabilities[0]!, probabilities[0]!] : Array.from(probabilities);
  const names = options.classNames ?? p.map((_, i) => String(i));
  if (names.length !== p.length) {
    throw new ConfigError(invalid('probabilityBarsSpec', 'classNames', `${p.length} names (one per probability)`, names.length));
  }
  const t = options.trueClass;
  if (t !== undefined && !(Number.isInteger(t) && t >= 0 && t < p.length)) {
    throw new ConfigError(invalid('probabilityBarsSpec', 'trueClass', `a class index in 0..${p.length - 1}`, t));
  }
  let predicted = 0;
  p.forEach((v, i) => {
    if (v > p[predicted]! || Number.isNaN(v)) predicted = i;
  });
  const bars = p.map((v, i) => ({
    name: names[i]!,
    probability: v,
    label: Number.isNaN(v) ? 'NaN' : `${(100 * v).toFixed(v >= 0.995 || v < 0.005 ? 0 : 1)}%`,
    fill: i === predicted ? (t === undefined || t === predicted ? RIGHT : WRONG) : '#afb8c1',
    stroke: i === t ? RIGHT : 'transparent',
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title:
      options.title ??
      (t === undefined ? `Predicted: ${names[predicted]}` : `Predicted: ${names[predicted]} (true: ${names[t]})`),
    config: PLOT_CONFIG,
    width: Math.max(200, 40 * p.length),
    height: 180,
    data: { values: bars },
    encoding: {
      x: {
        field: 'name',
        type: 'nominal',
        sort: names,
        title: null,
        axis: { labelAngle: names.some((n) => n.length > 3) ? -45 : 0 },
      },
      y: { field: 'probability', type: 'quantitative', scale: { domain: [0, 1] }, axis: { format: '%' }, title: 'probability' },
    },
    layer: [
      {
        mark: { type: 'bar', strokeWidth: 2 },
        encoding: {
          color: { field: 'fill', type: 'nominal', scale: null },
          stroke: { field: 'stroke', type: 'nominal', scale: null },
        },
      },
      { mark: { type: 'text', dy: -6, fontSize: 10, color: MUTED }, encoding: { text: { field: 'label' } } },
    ],
  };
}
