// convkit's browser-safe entry: layers, models, training, callbacks and the reference backend. File I/O, datasets
// and the native backend live in the Node entry (`convkit/node`), which re-exports all of this too.

export * as applications from './applications/index.js';
export { bnDropoutCnn, buildSeedModel, fashionCnn, lenet5, mlp, mnistCnn } from './applications/seed-models.js';
export type * from './backend/backend.js';
export { createReferenceBackend } from './backend/reference/index.js';
export { type BackendName, getBackend, nativeAvailable, setBackend } from './backend/registry.js';
// Callbacks that write files (CSVLogger, ModelCheckpoint, BackupAndRestore) come from the Node entry.
export { Callback, type Logs, type TrainingTarget, type TrainParams } from './callbacks/callback.js';
export { EarlyStopping, type EarlyStoppingOptions } from './callbacks/early-stopping.js';
export { type LearningRateSchedule, LearningRateScheduler } from './callbacks/learning-rate-scheduler.js';
export { MonitorCallback, type MonitorMode, type MonitorOptions } from './callbacks/monitor.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './callbacks/reduce-lr-on-plateau.js';
export { TerminateOnNaN } from './callbacks/terminate-on-nan.js';
export { type BatchSource, MappedDataset } from './datasets/mapped-dataset.js';
export * from './errors.js';
export {
  type ClassificationReport,
  type ClassificationReportOptions,
  type ClassReportRow,
  type ClassScores,
  type ConfusedPair,
  classificationReport,
  confusionMatrix,
  formatClassificationReport,
  mostConfused,
} from './evaluation/classification-metrics.js';
export {
  DIAGNOSE_DEFAULTS,
  type DiagnoseOptions,
  type Diagnosis,
  type DiagnosisFacts,
  diagnose,
  formatDiagnosis,
  type HistoryLike,
  type Verdict,
} from './evaluation/diagnose.js';
export {
  type ClassifierData,
  type ClassifierEvaluation,
  type ClassifierPredictions,
  type EvaluateClassifierOptions,
  evaluateClassifier,
  type LossExample,
} from './evaluation/evaluate-classifier.js';
export { formatConfusionMatrix, formatEvaluation } from './evaluation/evaluation-text.js';
export { joinEvaluations } from './evaluation/out-of-fold.js';
export { type GradCamOptions, type GradCamResult, gradCam } from './explain/grad-cam.js';
export { blendHeatmap, jetColor, resizeMap, scaleToUnit } from './explain/heatmap.js';
export { type SaliencyOptions, type SaliencyResult, saliencyMap } from './explain/saliency.js';
export { freeze, type UnfreezeOptions, unfreeze } from './fine-tuning/freezing.js';
export {
  addClassifier,
  type ClassifierOptions,
  type FeatureExtractorOptions,
  featureExtractor,
  flattenModel,
  inlineModel,
} from './fine-tuning/surgery.js';
export * as initializers from './initializers.js';
export * as layers from './layers/index.js';
export * from './layers/index.js';
export { type BaseLayerConfig, type CallContext, clearSession, Layer, type LayerWeight } from './layers/layer.js';
export type { CustomObjects } from './layers/serialization.js';
export { callLayer, Input, type InputConfig, SymbolicTensor } from './models/input.js';
export { Model, type ModelArgs } from './models/model.js';
export { modelFromKeras, modelToKeras } from './models/model-config.js';
export {
  compareParams,
  type ModelParams,
  modelParams,
  type ParameterComparison,
  seed003Models,
} from './models/parameter-comparison.js';
export { Sequential, type SequentialArgs } from './models/sequential.js';
export type { SummaryOptions } from './models/summary.js';
export { type Augment, type AugmentationOptions, augmentation } from './preprocessing/augmentation.js';
export * as regularizers from './regularizers.js';
export { formatShape, type NumericArray, type Shape, sizeOf, type Tensor, tensor, zeros } from './tensor.js';
export { argMax, concatenate, oneHot, reshape, sliceRows, take } from './tensor-ops.js';
export type { Batch, Dataset, InputBatch, InputDataset } from './training/data.js';
export { History } from './training/history.js';
export * as losses from './training/losses.js';
export * as metrics from './training/metrics.js';
export * as optimizers from './training/optimizers/index.js';
export { Adam, AdamW, getOptimizer, Optimizer, RMSprop, SGD } from './training/optimizers/index.js';
export * as schedules from './training/schedules.js';
export { CosineDecay, ExponentialDecay, PiecewiseConstantDecay } from './training/schedules.js';
export { setRandomSeed } from './training/seed.js';
export type { EvaluateOptions, FitOptions, PredictOptions } from './training/trainer.js';
