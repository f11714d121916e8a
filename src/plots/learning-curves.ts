// Learning curves (seeds 003 and 004): one panel per metric (loss first), training against validation per epoch,
// with what the history shows marked on every panel: the best epoch of the monitored quantity, the epochs after
// which the learning rate was lowered (ReduceLROnPlateau, schedules), and an early stop (fewer epochs than planned).
// Returns a Vega-Lite spec; savePlot renders it. Epochs are numbered from 1, as fit's progress bar prints them.

import type { TopLevelSpec } from 'vega-lite';
import { ConfigError, invalid } from '../errors.js';
import { checkOptions } from '../options.js';
import { PLOT_CONFIG } from './render.js';

/** A Keras History, its `history` record, or the columns of a CSVLogger file. */
export type HistoryInput =
  | { history: Record<string, number[]>; params?: { epochs?: number } | null; trainParams?: { epochs?: number } | null }
  | Record<string, number[]>;

export interface LearningCurvesOptions {
  /** Quantity whose best epoch is marked (default 'val_loss' when present, else 'loss'). */
  monitor?: string;
  /** 'min' or 'max' (default: 'max' for accuracy-like names, else 'min', as Keras's 'auto'). */
  mode?: 'min' | 'max';
  /** Epochs fit() was asked for; fewer in the history marks an early stop (default: from the History's params). */
  epochs?: number;
  title?: string;
  /** Width of one panel in pixels (default 320). */
  width?: number;
}

const KEYS = ['monitor', 'mode', 'epochs', 'title', 'width'];
const SKIP = new Set(['epoch', 'learning_rate', 'lr']);
const MAX_MODE = /acc|auc|precision|recall|f1|iou/i;

export interface CurveFacts {
  metrics: string[];
  epochs: number;
  /** 1-based best epoch of the monitored quantity, or null when it never had a finite value. */
  bestEpoch: number | null;
  monitor: string;
  /** 1-based epochs after which the learning rate was lowered (the next epoch trained with `to`). */
  lrDrops: { epoch: number; from: number; to: number }[];
  /** 1-based last epoch when training stopped before the planned number, else null. */
  earlyStop: number | null;
}

function series(input: HistoryInput): Record<string, number[]> {
  const record = 'history' in input && !Array.isArray(input.history) ? input.history : input;
  if (typeof record !== 'object' || record === null) {
    throw new ConfigError(invalid('learningCurves', 'history', 'a History or { loss: [...], val_loss: [...] }', record));
  }
  const out: Record<string, number[]> = {};
  for (const [key, values] of Object.entries(record)) {
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'number')) {
      throw new ConfigError(invalid('learningCurves', `history.${key}`, 'an array of numbers, one per epoch', values));
    }
    out[key] = values;
  }
  return out;
}

function plannedEpochs(input: HistoryInput): number | undefined {
  if (!('history' in input) || Array.isArray(input.history)) return undefined;
  const params =
    (input as { trainParams?: { epochs?: number } | null }).trainParams ??
    (input as { params?: { epochs?: number } | null }).params;
  return params?.epochs;
}

/** What the curves will mark, computed from the history alone (exported for the report's text and for tests). */
export function curveFacts(input: HistoryInput, rawOptions?: LearningCurvesOptions): CurveFacts {
  const options = checkOptions<LearningCurvesOptions>('learningCurves', rawOptions, KEYS);
  const h = series(input);
  const metrics = Object.keys(h).filter((k) => !SKIP.has(k) && !k.startsWith('val_'));
  for (const k of Object.keys(h)) if (k.startsWith('val_') && !(k.slice(4) in h)) metrics.push(k);
  if (metrics.length === 0) {
    throw new ConfigError(
      invalid(
        'learningCurves',
        'history',
        'at least one metric such as loss',
        Object.keys(h),
        'Pass the History fit() returned.',
      ),
    );
  }
  metrics.sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : 0));
  const epochs = Math.max(...Object.values(h).map((v) => v.length));
  const monitor = options.monitor ?? ('val_loss' in h ? 'val_loss' : 'loss');
  const watched = h[monitor];
  if (!watched) {
    throw new ConfigError(invalid('learningCurves', 'monitor', `one of ${Object.keys(h).join(', ')}`, monitor));
  }
  const mode = options.mode ?? (MAX_MODE.test(monitor) ? 'max' : 'min');
  let best: number | null = null;
  watched.forEach((v, i) => {
    if (!Number.isFinite(v)) return;
    if (best === null || (mode === 'min' ? v < watched[best]! : v > watched[best]!)) best = i;
  });
  const rates = h.learning_rate ?? h.lr ?? [];
  const lrDrops: CurveFacts['lrDrops'] = [];
  // Each epoch logs the rate it trained with (Keras's ReduceLROnPlateau records it before lowering it), so a lower
  // value at 0-based index i means the rate was lowered after (1-based) epoch i.
  for (let i = 1; i < rates.length; i++) {
    if (rates[i]! < rates[i - 1]!) lrDrops.push({ epoch: i, from: rates[i - 1]!, to: rates[i]! });
  }
  const planned = options.epochs ?? plannedEpochs(input);
  if (planned !== undefined && !(Number.isInteger(planned) && planned >= 1)) {
    throw new ConfigError(invalid('learningCurves', 'epochs', 'a positive integer', planned));
  }
  return {
    metrics,
    epochs,
    bestEpoch: best === null ? null : best + 1,
    monitor,
    lrDrops,
    earlyStop: planned !== undefined && epochs < planned ? epochs : null,
  };
}

const pretty = (name: string) => name.replace(/_/g, ' ');
const rate = (v: number) => v.toExponential(1).replace(/\.0e/, 'e').replace('e-', 'e-');

/** Colours of the markers: best epoch green, learning-rate drops purple, early stop red. */
const MARKS = { best: '#1a7f37', lr: '#8250df', stop: '#cf222e' } as const;

/** Sentences saying what the markers show: the chart's subtitle lines, and text for the report. */
export function describeCurves(facts: CurveFacts): string[] {
  const parts: string[] = [];
  if (facts.bestEpoch !== null) parts.push(`best ${pretty(facts.monitor)} at epoch ${facts.bestEpoch}`);
  if (facts.lrDrops.length > 0) {
    parts.push(
      `learning rate lowered after epoch${facts.lrDrops.length > 1 ? 's' : ''} ${facts.lrDrops.map((d) => `${d.epoch} (${rate(d.from)} → ${rate(d.to)})`).join(', ')}`,
    );
  }
  if (facts.earlyStop !== null) parts.push(`stopped early after epoch ${facts.earlyStop}`);
  return parts.map((p) => `${p[0]!.toUpperCase()}${p.slice(1)}.`);
}

/**
 * Vega-Lite spec of the learning curves.
 * @example await savePlot(learningCurvesSpec(await model.fit(x, y, { epochs: 10, validationSplit: 0.2 })), 'curves.svg');
 */
export function learningCurvesSpec(input: HistoryInput, rawOptions?: LearningCurvesOptions): TopLevelSpec {
  const options = checkOptions<LearningCurvesOptions>('learningCurves', rawOptions, KEYS);
  const facts = curveFacts(input, options);
  const h = series(input);
  const width = options.width ?? 320;
  // Short labels stacked by kind; the last epoch's labels sit left of their line so they stay inside the panel.
  const marks: { epoch: number; label: string; kind: keyof typeof MARKS; row: number; last: boolean }[] = [];
  const add = (epoch: number, label: string, kind: keyof typeof MARKS, row: number) =>
    marks.push({ epoch, label, kind, row, last: epoch === facts.epochs && facts.epochs > 1 });
  if (facts.bestEpoch !== null) add(facts.bestEpoch, 'best', 'best', 0);
  // Drawn between the last epoch at the old rate and the first at the new one.
  for (const d of facts.lrDrops) add(d.epoch + 0.5, 'lr ↓', 'lr', 1);
  if (facts.earlyStop !== null) add(facts.earlyStop, 'stop', 'stop', 2);
  const colour = {
    field: 'kind',
    type: 'nominal' as const,
    legend: null,
    scale: { domain: Object.keys(MARKS), range: Object.values(MARKS) },
  };
  const labels = (last: boolean) => ({
    data: { values: marks.filter((m) => m.last === last) },
    mark: {
      type: 'text' as const,
      align: last ? ('right' as const) : ('left' as const),
      dx: last ? -3 : 3,
      fontSize: 10,
      baseline: 'top' as const,
    },
    encoding: {
      x: { field: 'epoch', type: 'quantitative' as const },
      y: { value: { expr: 'datum.row * 12 + 2' } },
      text: { field: 'label' },
      color: colour,
    },
  });
  const panels = facts.metrics.map((metric, panel) => {
    const base = metric.startsWith('val_') ? metric.slice(4) : metric;
    const rows: { epoch: number; value: number | null; split: string }[] = [];
    for (const [key, split] of [
      [base, 'training'],
      [`val_${base}`, 'validation'],
    ] as const) {
      // NaN and Infinity become gaps (vega draws no point) rather than breaking the scale.
      h[key]?.forEach((v, i) => {
        rows.push({ epoch: i + 1, value: Number.isFinite(v) ? v : null, split });
      });
    }
    return {
      width,
      height: 200,
      title: pretty(base),
      // The markers' colours are their own scale, not the training/validation legend.
      resolve: { scale: { color: 'independent' as const } },
      layer: [
        {
          data: { values: rows },
          mark: { type: 'line' as const, point: true },
          encoding: {
            x: {
              field: 'epoch',
              type: 'quantitative' as const,
              title: 'epoch',
              axis: { tickMinStep: 1, format: 'd' },
              scale: { domain: [1, Math.max(facts.epochs, 2)] },
            },
            // Flush end labels keep every panel's bounds (and so its title) at the same height.
            y: {
              field: 'value',
              type: 'quantitative' as const,
              title: pretty(base),
              scale: { zero: false },
              axis: { labelFlush: true },
            },
            color: {
              field: 'split',
              type: 'nominal' as const,
              title: null,
              scale: { domain: ['training', 'validation'], range: ['#1f77b4', '#ff7f0e'] },
              // One legend, under the first panel, keeps the panels close together.
              legend: panel === 0 ? { orient: 'bottom' as const, direction: 'horizontal' as const } : null,
            },
          },
        },
        {
          data: { values: marks },
          mark: { type: 'rule' as const, strokeDash: [4, 3] },
          encoding: { x: { field: 'epoch', type: 'quantitative' as const }, color: colour },
        },
        labels(false),
        labels(true),
      ],
    };
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: options.title ?? 'Learning curves', subtitle: describeCurves(facts), anchor: 'start' },
    config: PLOT_CONFIG,
    concat: panels,
    columns: 2,
    resolve: { scale: { y: 'independent' } },
    spacing: 40,
  };
}
