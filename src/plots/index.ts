// The plots' public surface, re-exported by the Node entry: chart specs (Vega-Lite), picture grids (SVG with
// embedded PNG tiles), heatmap overlays, and rendering to SVG/PNG files.

export { type ConfusionMatrixPlotOptions, confusionMatrixSpec } from './confusion-matrix.js';
export {
  type ExplanationFigureOptions,
  type ExplanationRow,
  explanationFigure,
  heatmapOverlayPng,
  type OverlayPngOptions,
} from './explanation-figure.js';
export type { ValueRange } from './image-tiles.js';
export {
  type CurveFacts,
  curveFacts,
  describeCurves,
  type HistoryInput,
  type LearningCurvesOptions,
  learningCurvesSpec,
} from './learning-curves.js';
export { type ImageGridOptions, type LossTile, predictionGrid, topLossesGrid } from './prediction-grid.js';
export { type ProbabilityBarsOptions, probabilityBarsSpec } from './probability-bars.js';
export { type Plot, type PngOptions, renderPng, renderSvg, savePlot } from './render.js';
export { type TrueVsPredictedOptions, trueVsPredictedSpec } from './true-vs-predicted.js';
