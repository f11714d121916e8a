// Seed 004's scatter of true against predicted classes, made readable: every sample is a dot at (true, predicted),
// jittered inside its cell (a deterministic jitter, so the picture is the same every run) and coloured right or
// wrong, so the diagonal shows the hits and the off-diagonal cells the confusions with their density. Large sets
// are thinned evenly to `maxPoints` (the subtitle says so). Returns a Vega-Lite spec.

import type { TopLevelSpec } from 'vega-lite';
import { ConfigError, invalid, ShapeError } from '../errors.js';
import { checkOptions } from '../options.js';
import { RIGHT, WRONG } from './image-grid.js';
import { PLOT_CONFIG } from './render.js';

export interface TrueVsPredictedOptions {
  /** Class names in index order (default '0', '1', ...: up to the largest label seen). */
  classNames?: string[];
  title?: string;
  /** At most this many dots (default 3000); more samples are thinned evenly. */
  maxPoints?: number;
}

const KEYS = ['classNames', 'title', 'maxPoints'];

/** A fixed pseudo-random offset in [-0.35, 0.35] for sample i and axis a (a hash, not a generator: no state). */
function jitter(i: number, a: number): number {
  let h = Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(a + 1, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h ^= h >>> 13;
  return ((h >>> 0) / 4294967296 - 0.5) * 0.7;
}

/**
 * Vega-Lite spec of true vs predicted classes, one jittered dot per sample.
 * @example await savePlot(trueVsPredictedSpec(evaluation.predictions.yTrue, evaluation.predictions.yPred, { classNames }), 'scatter.svg');
 */
export function trueVsPredictedSpec(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  rawOptions?: TrueVsPredictedOptions,
): TopLevelSpec {
  const options = checkOptions<TrueVsPredictedOptions>('trueVsPredictedSpec', rawOptions, KEYS);
  if (yTrue?.length === undefined || yPred?.length === undefined || yTrue.length !== yPred.length || yTrue.length === 0) {
    throw new ShapeError(
      invalid(
        'trueVsPredictedSpec',
        'yPred',
        `as many classes as yTrue (${yTrue?.length})`,
        yPred?.length,
        'Pass one true and one predicted class per sample.',
      ),
    );
  }
  let largest = 0;
  for (let i = 0; i < yTrue.length; i++) {
    for (const v of [yTrue[i]!, yPred[i]!]) {
      if (!Number.isInteger(v) || v < 0)
        throw new ConfigError(invalid('trueVsPredictedSpec', 'yTrue/yPred', 'class indices (integers >= 0)', v));
      largest = Math.max(largest, v);
    }
  }
  const names = options.classNames ?? Array.from({ length: largest + 1 }, (_, i) => String(i));
  if (names.length <= largest) {
    throw new ConfigError(
      invalid(
        'trueVsPredictedSpec',
        'classNames',
        `at least ${largest + 1} names (the largest class index is ${largest})`,
        names.length,
      ),
    );
  }
  const maxPoints = options.maxPoints ?? 3000;
  if (!Number.isInteger(maxPoints) || maxPoints < 1) {
    throw new ConfigError(invalid('trueVsPredictedSpec', 'maxPoints', 'a positive integer', maxPoints));
  }
  const n = yTrue.length;
  const step = Math.max(1, n / maxPoints);
  const points: { t: number; p: number; outcome: string }[] = [];
  for (let f = 0; Math.floor(f) < n; f += step) {
    const i = Math.floor(f);
    const t = yTrue[i]!;
    const p = yPred[i]!;
    points.push({ t: t + jitter(i, 0), p: p + jitter(i, 1), outcome: t === p ? 'right' : 'wrong' });
  }
  const axis = (title: string) => ({
    title,
    values: names.map((_, i) => i),
    labelExpr: `${JSON.stringify(names)}[datum.value]`,
    grid: false,
  });
  const scale = { domain: [-0.5, names.length - 0.5], nice: false, zero: false };
  const side = Math.min(480, Math.max(160, names.length * 48));
  const thinned =
    points.length < n
      ? `${points.length.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} samples shown`
      : `${n.toLocaleString('en-US')} samples`;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: options.title ?? 'True vs predicted class', subtitle: thinned, anchor: 'start' },
    config: PLOT_CONFIG,
    width: side,
    height: side,
    data: { values: points },
    mark: { type: 'circle', size: 14, opacity: 0.55 },
    encoding: {
      x: {
        field: 't',
        type: 'quantitative',
        scale,
        axis: { ...axis('true class'), labelAngle: names.some((n) => n.length > 3) ? -45 : 0 },
      },
      y: { field: 'p', type: 'quantitative', scale, axis: axis('predicted class') },
      color: { field: 'outcome', type: 'nominal', title: null, scale: { domain: ['right', 'wrong'], range: [RIGHT, WRONG] } },
    },
  };
}
