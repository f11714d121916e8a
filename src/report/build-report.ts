// Builds the evaluation report from an evaluation (evaluateClassifier's result), the model, a way to fetch the
// evaluated images, and optionally the training history and its diagnosis: the charts (inline SVG), the picture
// grids and Grad-CAM examples (PNG files), the model summary; then writes one folder atomically (index.html and
// images/). Node only. The CLI (`convkit report`, `train --report`) gathers the inputs; this file only draws.

import { ConfigError, invalid } from '../errors.js';
import { diagnose } from '../evaluation/diagnose.js';
import { defaultCamLayer } from '../explain/class-gradients.js';
import { gradCam } from '../explain/grad-cam.js';
import { saliencyMap } from '../explain/saliency.js';
import type { Model } from '../models/model.js';
import { checkOptions } from '../options.js';
import { confusionMatrixSpec } from '../plots/confusion-matrix.js';
import { type ExplanationRow, explanationFigure } from '../plots/explanation-figure.js';
import { MUTED, RIGHT, WRONG } from '../plots/image-grid.js';
import { type HistoryInput, learningCurvesSpec } from '../plots/learning-curves.js';
import { predictionGrid, topLossesGrid } from '../plots/prediction-grid.js';
import { renderPng, renderSvg } from '../plots/render.js';
import { trueVsPredictedSpec } from '../plots/true-vs-predicted.js';
import type { Tensor } from '../tensor.js';
import { type ReportFile, writeReportDir } from './report-dir.js';
import {
  formatPercent,
  type ReportClassRow,
  type ReportDiagnosis,
  type ReportImage,
  type ReportParts,
  renderReportHtml,
} from './report-html.js';

type Scores = Omit<ReportClassRow, 'name'>;

/** The parts of evaluateClassifier's result the report reads (its ClassifierEvaluation fits this). */
export interface ReportEvaluation {
  classNames: string[];
  numSamples: number;
  lossName: string;
  loss: number;
  accuracy: number;
  topK: { k: number; accuracy: number } | null;
  confusionMatrix: number[][];
  classificationReport: { classes: ReportClassRow[]; accuracy: number; macroAvg: Scores; weightedAvg: Scores };
  mostConfused: { trueName: string; predictedName: string; count: number }[];
  topLosses: { index: number; trueClass: number; predictedClass: number; confidence: number; loss: number }[];
  predictions: {
    yTrue: Int32Array;
    yPred: Int32Array;
    probabilities: Float32Array;
    outputUnits: number;
    confidence: Float32Array;
  };
}

export interface ReportOptions {
  model: Model;
  evaluation: ReportEvaluation;
  /** The evaluated images at these positions (evaluation order), as the model takes them: (n, H, W, C). */
  loadImages: (indices: number[]) => Promise<Tensor>;
  history?: HistoryInput | null;
  /** The diagnosis shown first; default diagnose(history) when a history is given (null: leave it out). */
  diagnosis?: ReportDiagnosis | null;
  title?: string;
  /** Lines under the title (model file, data, ...). */
  meta?: string[];
  /** Images in the prediction grid (default 20) and in the top-loss grid (default 10). */
  gridImages?: number;
  topLosses?: number;
  /** Images explained with Grad-CAM and saliency (default 4: two right, two of the top losses). */
  explain?: number;
  /** The model that predicted the sample at this evaluation position (cross-validation: its fold's); default `model`. */
  modelFor?: (index: number) => Model;
}

const KEYS = [
  'model',
  'evaluation',
  'loadImages',
  'history',
  'diagnosis',
  'title',
  'meta',
  'gridImages',
  'topLosses',
  'explain',
  'modelFor',
];

/** The default Grad-CAM layer of a model, or null when it has no convolution (saliency still explains it). */
function camLayerOf(model: Model): string | null {
  try {
    return defaultCamLayer(model).name;
  } catch {
    return null;
  }
}

async function png(name: string, alt: string, svg: string, files: ReportFile[]): Promise<ReportImage> {
  const bytes = await renderPng(svg, { scale: 1 });
  const width = Number(/width="([\d.]+)"/.exec(svg)?.[1] ?? 0);
  const height = Number(/height="([\d.]+)"/.exec(svg)?.[1] ?? 0);
  files.push({ name: `images/${name}`, bytes });
  return { file: name, alt, width: Math.round(width), height: Math.round(height) };
}

function count(options: ReportOptions, key: 'gridImages' | 'topLosses' | 'explain', fallback: number): number {
  const v = options[key] ?? fallback;
  if (!Number.isInteger(v) || v < 0 || v > 100) throw new ConfigError(invalid('writeReport', key, 'an integer in 0..100', v));
  return v;
}

/** Two correctly classified images and the top losses, up to `n`, as evaluation positions. */
function explainIndices(e: ReportEvaluation, n: number): number[] {
  const right: number[] = [];
  for (let i = 0; i < e.numSamples && right.length < Math.ceil(n / 2); i++)
    if (e.predictions.yTrue[i] === e.predictions.yPred[i]) right.push(i);
  const wrong = e.topLosses.map((t) => t.index).filter((i) => !right.includes(i));
  return [...right.slice(0, n - Math.min(wrong.length, Math.floor(n / 2))), ...wrong].slice(0, n);
}

async function explanations(o: ReportOptions, files: ReportFile[], n: number): Promise<ReportParts['explanations']> {
  const e = o.evaluation;
  const indices = explainIndices(e, n);
  if (indices.length === 0) return null;
  const batch = await o.loadImages(indices);
  const size = batch.data.length / indices.length;
  const layers = new Set<string>();
  const rows: ExplanationRow[] = indices.map((index, k) => {
    const image = { data: batch.data.slice(k * size, (k + 1) * size), shape: [1, ...batch.shape.slice(1)] };
    const model = o.modelFor?.(index) ?? o.model;
    const camLayer = camLayerOf(model);
    if (camLayer) layers.add(camLayer);
    const predicted = e.predictions.yPred[index]!;
    const right = predicted === e.predictions.yTrue[index];
    return {
      image,
      ...(camLayer ? { gradCam: gradCam(model, image, { classIndex: predicted, layerName: camLayer }) } : {}),
      saliency: saliencyMap(model, image, { classIndex: predicted }),
      caption: [
        {
          text: `${right ? '✓' : '✗'} ${e.classNames[predicted]} ${Math.round(100 * e.predictions.confidence[index]!)}%`,
          color: right ? RIGHT : WRONG,
          bold: true,
        },
        { text: `true: ${e.classNames[e.predictions.yTrue[index]!]}`, color: MUTED },
      ],
    };
  });
  const svg = await explanationFigure(rows, { classNames: e.classNames, size: 140 });
  const camLayer = [...layers].join(' / ');
  const note = camLayer
    ? `Each row: the image, Grad-CAM for the predicted class at layer ${camLayer} (where the evidence for that class lies), and gradient saliency (the pixels whose change moves the class score most).`
    : 'The model has no convolution layer, so no Grad-CAM: each row shows the image and its gradient saliency (the pixels whose change moves the class score most).';
  return { image: await png('explanations.png', 'Grad-CAM and saliency maps', svg, files), note };
}

/** Computes every part of the report; returns the files (index.html first). */
export async function buildReport(rawOptions: ReportOptions): Promise<ReportFile[]> {
  const o = checkOptions<ReportOptions>('writeReport', rawOptions, KEYS);
  const e = o.evaluation;
  const names = e.classNames;
  const files: ReportFile[] = [];
  const gridCount = Math.min(count(o, 'gridImages', 20), e.numSamples);
  const lossCount = Math.min(count(o, 'topLosses', 10), e.topLosses.length);
  const units = e.predictions.outputUnits;

  let predictions: ReportImage | null = null;
  if (gridCount > 0) {
    const first = Array.from({ length: gridCount }, (_, i) => i);
    const probabilities = { data: e.predictions.probabilities.subarray(0, gridCount * units), shape: [gridCount, units] };
    const svg = await predictionGrid(await o.loadImages(first), probabilities, e.predictions.yTrue.subarray(0, gridCount), {
      classNames: names,
      limit: gridCount,
    });
    predictions = await png('predictions.png', 'Prediction grid', svg, files);
  }
  let topLosses: ReportImage | null = null;
  if (lossCount > 0) {
    const worst = e.topLosses.slice(0, lossCount);
    const svg = await topLossesGrid(
      await o.loadImages(worst.map((t) => t.index)),
      worst.map((t, k) => ({ ...t, index: k })),
      { classNames: names, limit: lossCount },
    );
    topLosses = await png('top-losses.png', 'Top losses', svg, files);
  }
  const history = o.history ?? null;
  const lines: string[] = [];
  o.model.summary({ printFn: (line) => lines.push(line) });
  const r = e.classificationReport;
  const parts: ReportParts = {
    title: o.title ?? `Evaluation report: ${o.model.name}`,
    meta: o.meta ?? [],
    headline: [
      { label: 'accuracy', value: formatPercent(e.accuracy) },
      ...(e.topK ? [{ label: `top-${e.topK.k} accuracy`, value: formatPercent(e.topK.accuracy) }] : []),
      { label: `loss (${e.lossName})`, value: e.loss.toFixed(4) },
      { label: 'samples', value: e.numSamples.toLocaleString('en-US') },
      { label: 'classes', value: String(names.length) },
    ],
    diagnosis: o.diagnosis !== undefined ? o.diagnosis : history ? diagnose(history) : null,
    historyNote: history
      ? null
      : 'No training history was given (pass the CSVLogger file with --history, or train with --report), so there are no learning curves and no over/underfitting diagnosis.',
    learningCurves: history ? { svg: await renderSvg(learningCurvesSpec(history)) } : null,
    confusion: {
      counts: await renderSvg(confusionMatrixSpec(e.confusionMatrix, { classNames: names })),
      normalised: await renderSvg(confusionMatrixSpec(e.confusionMatrix, { classNames: names, normalize: 'true' })),
    },
    classification: {
      rows: r.classes,
      accuracy: r.accuracy,
      macro: { name: 'macro avg', ...r.macroAvg },
      weighted: { name: 'weighted avg', ...r.weightedAvg },
      support: e.numSamples,
    },
    mostConfused: e.mostConfused,
    scatter: await renderSvg(trueVsPredictedSpec(e.predictions.yTrue, e.predictions.yPred, { classNames: names })),
    predictions,
    topLosses,
    explanations: await explanations(o, files, count(o, 'explain', 4)),
    summary: lines.join('\n'),
  };
  return [{ name: 'index.html', bytes: renderReportHtml(parts) }, ...files];
}

/**
 * Writes the report folder `out` (index.html and images/) atomically; returns the path of index.html.
 * @example await writeReport('report', { model, evaluation, loadImages: async (i) => take(xTest, i), history });
 */
export async function writeReport(out: string, options: ReportOptions): Promise<string> {
  const files = await buildReport(options);
  writeReportDir(out, files);
  return `${out.replace(/\/+$/, '')}/index.html`;
}
