// Seed 004's confusion-matrix heatmap (seaborn's heatmap with annotations): true classes down, predicted classes
// across, each cell coloured by its count (or by its share of the row, column or total when normalised) and labelled
// with it. Returns a Vega-Lite spec; savePlot renders it.

import type { TopLevelSpec } from 'vega-lite';
import { ConfigError, invalid } from '../errors.js';
import { checkOptions } from '../options.js';
import { PLOT_CONFIG } from './render.js';

export interface ConfusionMatrixPlotOptions {
  /** Class names in index order (default '0', '1', ...). */
  classNames?: string[];
  /**
   * sklearn's normalize: 'true' divides each row by its total (recall on the diagonal), 'pred' each column
   * (precision on the diagonal), 'all' by the grand total. Default: counts.
   */
  normalize?: 'true' | 'pred' | 'all';
  title?: string;
  /** Side of one cell in pixels (default: 44, smaller for many classes). */
  cellSize?: number;
}

const KEYS = ['classNames', 'normalize', 'title', 'cellSize'];

/** Checks a square matrix of non-negative counts (rows = true class). */
export function checkConfusionMatrix(matrix: unknown, where: string): number[][] {
  const ok =
    Array.isArray(matrix) &&
    matrix.length > 0 &&
    matrix.every(
      (row) =>
        Array.isArray(row) &&
        row.length === matrix.length &&
        row.every((v) => typeof v === 'number' && v >= 0 && Number.isFinite(v)),
    );
  if (!ok)
    throw new ConfigError(invalid(where, 'matrix', 'a square K x K array of non-negative counts (rows = true class)', matrix));
  return matrix as number[][];
}

/** The cell values shown: counts, or shares as sklearn's confusion_matrix(normalize=...) computes them (0 for an empty row/column). */
export function normalizeMatrix(matrix: number[][], normalize: ConfusionMatrixPlotOptions['normalize']): number[][] {
  if (!normalize) return matrix.map((row) => [...row]);
  const total = matrix.flat().reduce((a, b) => a + b, 0);
  return matrix.map((row) =>
    row.map((v, j) => {
      const denominator =
        normalize === 'true'
          ? row.reduce((a, b) => a + b, 0)
          : normalize === 'pred'
            ? matrix.reduce((a, r) => a + r[j]!, 0)
            : total;
      return denominator > 0 ? v / denominator : 0;
    }),
  );
}

/**
 * Vega-Lite spec of a confusion-matrix heatmap.
 * @example await savePlot(confusionMatrixSpec(evaluation.confusionMatrix, { classNames }), 'confusion.svg');
 */
export function confusionMatrixSpec(rawMatrix: number[][], rawOptions?: ConfusionMatrixPlotOptions): TopLevelSpec {
  const options = checkOptions<ConfusionMatrixPlotOptions>('confusionMatrixSpec', rawOptions, KEYS);
  const matrix = checkConfusionMatrix(rawMatrix, 'confusionMatrixSpec');
  const k = matrix.length;
  const names = options.classNames ?? matrix.map((_, i) => String(i));
  if (!Array.isArray(names) || names.length !== k || new Set(names).size !== k) {
    throw new ConfigError(invalid('confusionMatrixSpec', 'classNames', `${k} distinct names (one per row of the matrix)`, names));
  }
  if (options.normalize !== undefined && !['true', 'pred', 'all'].includes(options.normalize)) {
    throw new ConfigError(invalid('confusionMatrixSpec', 'normalize', "'true', 'pred' or 'all'", options.normalize));
  }
  const values = normalizeMatrix(matrix, options.normalize);
  const max = Math.max(...values.flat());
  const cells = values.flatMap((row, i) =>
    row.map((v, j) => ({
      true: names[i]!,
      predicted: names[j]!,
      value: v,
      count: matrix[i]![j]!,
      // An exact zero shows as 0 so the few real confusions stand out among the cells.
      label: options.normalize && v !== 0 ? v.toFixed(2) : String(v),
      // White text on the darker half of the colour scale.
      dark: max > 0 && v / max > 0.55,
    })),
  );
  const cell = options.cellSize ?? (k <= 10 ? 44 : Math.max(16, Math.floor(440 / k)));
  const fontSize = Math.max(7, Math.min(13, Math.floor(cell / 3.4)));
  const title =
    options.title ??
    (options.normalize
      ? `Confusion matrix (normalised over ${options.normalize === 'all' ? 'all samples' : options.normalize === 'true' ? 'true classes' : 'predicted classes'})`
      : 'Confusion matrix');
  // Short names (digits) stay upright; longer ones are slanted so they do not collide.
  const longNames = names.some((n) => n.length > 3);
  const axis = (field: 'true' | 'predicted', titleText: string) => ({
    field,
    type: 'nominal' as const,
    sort: names,
    title: titleText,
    axis: { labelAngle: field === 'predicted' && longNames ? -45 : 0, labelLimit: 140 },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    config: { ...PLOT_CONFIG, axis: { ...PLOT_CONFIG.axis, grid: false, ticks: false, domain: false } },
    width: cell * k,
    height: cell * k,
    data: { values: cells },
    encoding: { x: axis('predicted', 'predicted class'), y: axis('true', 'true class') },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: {
            field: 'value',
            type: 'quantitative',
            title: options.normalize ? 'share' : 'count',
            scale: { scheme: 'blues', domain: [0, Math.max(max, options.normalize ? 1e-9 : 1)] },
          },
          tooltip: [
            { field: 'true', title: 'true' },
            { field: 'predicted', title: 'predicted' },
            { field: 'count', title: 'count' },
          ],
        },
      },
      {
        mark: { type: 'text', fontSize },
        encoding: {
          text: { field: 'label' },
          color: { condition: { test: 'datum.dark', value: 'white' }, value: '#24292f' },
        },
      },
    ],
  };
}
