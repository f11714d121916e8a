// Keras legacy `.h5` full models (model.save('x.h5') in Keras 2, and in Keras 3 with the legacy format): the root
// attributes `model_config` (JSON), `keras_version`, `backend` and, once compiled, `training_config`; the weights
// in `model_weights` (see legacy-h5-weights.ts). Reads files of Keras 2 and Keras 3; writes them the Keras 2 way
// (Keras 2 JSON config, `<layer>/<layer>/<weight>:0` datasets) so both Keras generations load them.

import { ConfigError, describe, FormatError } from '../errors.js';
import type { CustomObjects } from '../layers/serialization.js';
import type { Model } from '../models/model.js';
import { atomicWrite } from './atomic-write.js';
import { compileFromKeras } from './compile-config.js';
import { modelFromFileConfig } from './file-model-config.js';
import { getGroup, type H5File, readH5File, stringAttr, writeH5File } from './h5.js';
import { legacyModelConfig, legacyTrainingConfig } from './legacy-h5-config.js';
import { hasLegacyLayout, readLegacyWeights, writeLegacyWeights } from './legacy-h5-weights.js';

export const LEGACY_H5_EXPECTED = 'a Keras .h5 model file (model_config and model_weights)';

type Json = Record<string, unknown>;

/** What an HDF5 file holds: a full legacy model, legacy weights only, Keras 3 weights only, or something else. */
export type H5Kind = 'legacy-model' | 'legacy-weights' | 'keras-weights' | 'unknown';

export function h5KindOf(file: H5File): H5Kind {
  if (file.attrs.model_config !== undefined && getGroup(file, 'model_weights')) return 'legacy-model';
  if (getGroup(file, 'layers')) return 'keras-weights';
  if (hasLegacyLayout(file)) return 'legacy-weights';
  return 'unknown';
}

/** The kind of an HDF5 file on disk (see h5KindOf). */
export function h5KindOfFile(path: string, where: string): Promise<H5Kind> {
  return readH5File(path, path, `${where}: a Keras .h5 model or weights file`, h5KindOf);
}

function parseJsonAttr(file: H5File, name: string, source: string): Json | null {
  const text = stringAttr(file, name);
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Json;
    throw new Error(`a ${describe(value)}`);
  } catch (error) {
    throw new FormatError(
      `'${source}': the '${name}' attribute is not a JSON object. Expected Keras's JSON, received ${text.length} characters (${error instanceof Error ? error.message : String(error)}). Hint: the file is damaged; save it again.`,
    );
  }
}

/** Keras's training_config as a Keras 3 compile_config ({optimizer, loss, metrics}). */
function compileConfigFromTraining(training: Json, source: string): Json {
  const optimizer = training.optimizer_config as Json | undefined;
  const config = { ...((optimizer?.config as Json | undefined) ?? {}) };
  if (config.lr !== undefined && config.learning_rate === undefined) config.learning_rate = config.lr;
  delete config.lr;
  // Keras 2's optimizers decay the rate by 1/(1 + decay * iterations); convkit has no such option.
  if (typeof config.decay === 'number' && config.decay !== 0) {
    throw new FormatError(
      `'${source}': the optimizer uses Keras 2's 'decay' ${config.decay}, which convkit does not implement. Expected decay 0, received ${config.decay}. Hint: load with { compile: false } and compile with a learning-rate schedule.`,
    );
  }
  delete config.decay;
  return { optimizer: { class_name: optimizer?.class_name, config }, loss: training.loss, metrics: training.metrics };
}

/** Reads a legacy full model from an open HDF5 file: config, weights, and (with compile) training_config. */
export function legacyModelFrom(file: H5File, source: string, compile: boolean, customObjects?: CustomObjects): Model {
  const config = parseJsonAttr(file, 'model_config', source);
  if (!config) {
    throw new FormatError(
      `'${source}': no 'model_config' attribute. Expected ${LEGACY_H5_EXPECTED}, received root attributes [${Object.keys(file.attrs).join(', ')}]. Hint: a weights-only file needs a model: build it, then call model.loadWeights().`,
    );
  }
  const model = modelFromFileConfig(config, source, customObjects);
  if (!model.built) {
    throw new FormatError(
      `'${source}': the model_config declares no input shape, so its weights cannot be placed. Expected an InputLayer or batch_input_shape, received model '${model.name}' without one. Hint: the file was saved from an unbuilt model.`,
    );
  }
  readLegacyWeights(getGroup(file, 'model_weights')!, model, source, { byName: true, skipMismatch: false, strict: true });
  const training = compile ? parseJsonAttr(file, 'training_config', source) : null;
  if (training) compileFromKeras(model, compileConfigFromTraining(training, source), source);
  return model;
}

/** Writes a legacy `.h5` full model atomically: the layout Keras 2's model.save('x.h5') produces. */
export async function saveLegacyH5Model(model: Model, path: string): Promise<void> {
  if (!model.built) {
    throw new ConfigError(
      `saveModel: the model '${model.name}' is not built. Expected a model with known input shape, received one without weights yet. Hint: give the first layer an inputShape, or call fit/predict once first.`,
    );
  }
  const modelConfig = JSON.stringify(legacyModelConfig(model));
  const training = legacyTrainingConfig(model);
  await atomicWrite(path, (temp) =>
    writeH5File(temp, (file) => {
      file.create_attribute('model_config', modelConfig);
      file.create_attribute('keras_version', LEGACY_KERAS_VERSION);
      file.create_attribute('backend', 'tensorflow');
      if (training) file.create_attribute('training_config', JSON.stringify(training));
      const weights = file.create_group('model_weights');
      weights.create_attribute('keras_version', LEGACY_KERAS_VERSION);
      weights.create_attribute('backend', 'tensorflow');
      writeLegacyWeights(weights, model);
    }),
  );
}

/** The Keras version written into legacy files: the last Keras 2, whose layout and JSON these files follow. */
export const LEGACY_KERAS_VERSION = '2.15.0';
