// The public face of cross-validation and hyperparameter search (exported from convkit/node): folds,
// crossValidate, search spaces, the tune() loop and its runners' contract, the CLI's model templates.

export {
  type CrossValidateOptions,
  type CrossValidationResult,
  crossValidate,
  type FoldResult,
  type FoldScorer,
  makeFolds,
} from './cross-validate.js';
export { type FoldIndices, type FoldOptions, kFold, stratifiedKFold } from './folds.js';
export {
  type BooleanOptions,
  type ChoiceOptions,
  type DiscoveredSpace,
  discoverSpace,
  type FloatOptions,
  HyperParameters,
  type IntOptions,
  type Sampling,
} from './hyperparameters.js';
export {
  GridSearch,
  type GridSearchOptions,
  Hyperband,
  type HyperbandOptions,
  type HyperModel,
  type Objective,
  RandomSearch,
  type RandomSearchOptions,
  type SearchOptions,
  Tuner,
  type TunerOptions,
} from './keras-tuner.js';
export { formatFolds, formatLeaderboard } from './leaderboard.js';
export { buildTemplateModel, TEMPLATE_NAMES, templateParameters } from './model-templates.js';
export {
  gridPoints,
  loadSearchSpace,
  type ParameterSpec,
  type Params,
  type ParamValue,
  SearchSpace,
  type SearchSpaceInput,
  sampleParams,
  searchSpace,
} from './search-space.js';
export { hyperbandBrackets, type StrategyName, type TrialSpec } from './strategies.js';
export type { TrialRecord, TrialStatus } from './trial-log.js';
export {
  type EpochReporter,
  rankTrials,
  type TrialOutcome,
  type TrialRunner,
  type TuneOptions,
  type TuneResult,
  tune,
} from './tuner.js';
