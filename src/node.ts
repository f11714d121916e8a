// convkit's Node entry: everything in the browser entry, plus the native oneDNN backend, .keras files, datasets and
// image loading. Importing it registers the native backend so getBackend() prefers it.

import { loadNativeBackend, nativeBuildHint } from './backend/native.js';
import { registerNativeLoader } from './backend/registry.js';

// Registering loads nothing: the addon (and oneDNN with it) loads on the first getBackend() call.
registerNativeLoader({ load: loadNativeBackend, buildHint: nativeBuildHint() });

export { loadNativeBackend } from './backend/native.js';
export * as callbacks from './callbacks/index.js';
export { BackupAndRestore, CSVLogger, formatFilepath, ModelCheckpoint } from './callbacks/index.js';
export { type DatasetInfo, type DatasetInfoOptions, datasetInfo } from './datasets/dataset-info.js';
export {
  type ImageDatasetOptions,
  ImageDirectoryDataset,
  imageDatasetFromDirectory,
  UnlabeledImageDataset,
} from './datasets/image-directory.js';
export * as datasets from './datasets/index.js';
export { fashionMnist, mnist, NormalizedBatches, normalize, toCategorical } from './datasets/index.js';
export {
  type PlannedFile,
  planSplit,
  type SplitFoldersOptions,
  type SplitPlan,
  type SplitReport,
  splitFolders,
} from './datasets/split-folders.js';
export { type HistoryCsv, parseHistoryCsv, readHistoryCsv } from './evaluation/history-csv.js';
export { parseAugmentation } from './fine-tuning/augmentation-spec.js';
export { type FineTuneOptions, type FineTuneResult, fineTune } from './fine-tuning/fine-tune-folder.js';
export * from './index.js';
export { saveModel } from './io/keras-file.js';
export { parseLabels, readLabels, readLabelsSync, writeLabels } from './io/labels.js';
export { formatWeightsReport } from './io/legacy-h5-weights.js';
export {
  type LoadWeightsOptions,
  loadModel,
  loadWeights,
  type ModelFileFormat,
  modelFileFormat,
  type WeightsReport,
} from './io/load-model.js';
export { type ExportOnnxOptions, exportOnnx } from './io/onnx-export.js';
export { type ExportTfjsOptions, exportTfjs } from './io/tfjs-export.js';
export { loadTfjsModel } from './io/tfjs-load.js';
export {
  type ConfusionMatrixPlotOptions,
  type CurveFacts,
  confusionMatrixSpec,
  curveFacts,
  describeCurves,
  type ExplanationFigureOptions,
  type ExplanationRow,
  explanationFigure,
  type HistoryInput,
  heatmapOverlayPng,
  type ImageGridOptions,
  type LearningCurvesOptions,
  type LossTile,
  learningCurvesSpec,
  type OverlayPngOptions,
  type Plot,
  type PngOptions,
  type ProbabilityBarsOptions,
  predictionGrid,
  probabilityBarsSpec,
  renderPng,
  renderSvg,
  savePlot,
  type TrueVsPredictedOptions,
  topLossesGrid,
  trueVsPredictedSpec,
  type ValueRange,
} from './plots/index.js';
export { type LoadImageOptions, loadImage, stackImages } from './preprocessing/image.js';
export {
  type LoadImagesOptions,
  loadImagesFor,
  PREPROCESSING,
  type Preprocessing,
  type PreprocessName,
  preprocessing,
  scaledDataset,
} from './preprocessing/presets.js';
export { buildReport, type ReportEvaluation, type ReportOptions, writeReport } from './report/build-report.js';
export { type ModelSpec, type ServeOptions, type ServerHandle, serve } from './serve/server.js';
export * from './tuning/index.js';
export * as utils from './utils/index.js';
