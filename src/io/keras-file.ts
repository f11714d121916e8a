// Keras 3 `.keras` files (zip of config.json, metadata.json, model.weights.h5) and `.weights.h5` files: save,
// load, and restore training state into an existing model. Every write is atomic. Reads real Keras 3 files as well
// as our own. saveModel hands `.h5` paths to legacy-h5.ts; loadModel / loadWeights for every format (chosen by
// content) are load-model.ts's, re-exported here. Not here: assets, custom objects.

import { createRequire } from 'node:module';
import { ConfigError, FormatError, invalid } from '../errors.js';
import type { CustomObjects } from '../layers/serialization.js';
import type { Model } from '../models/model.js';
import { modelToKeras } from '../models/model-config.js';
import { checkOptions } from '../options.js';
import { atomicWrite, atomicWriteBytes, readFileOrThrow } from './atomic-write.js';
import { compileConfigOf, compileFromKeras } from './compile-config.js';
import { MAX_INPUT_BYTES } from './file-checks.js';
import { modelFromFileConfig } from './file-model-config.js';
import { type H5File, readH5Bytes, writeH5Bytes, writeH5File } from './h5.js';
import { type OptimizerVars, readKerasWeights, readOptimizerVars, writeKerasWeights } from './h5-weights.js';
import { openZip, readZipEntry, writeZip, zipText } from './zip.js';

export interface SaveOptions {
  /** Store the optimizer's variables so training can resume exactly (default true). */
  includeOptimizer?: boolean;
  /** Write only a `.weights.h5` file (default false; implied by a `.weights.h5` path). */
  weightsOnly?: boolean;
  /**
   * The full-model format whatever the extension, as tf.keras 2's `save_format`: 'keras' (zip) or 'h5' (legacy).
   * Default: by extension. Keras itself chooses by extension when loading; convkit reads either by content.
   */
  saveFormat?: 'keras' | 'h5';
}

export interface LoadOptions {
  /** Compile from the file's compile_config / training_config and restore the optimizer state (default true). */
  compile?: boolean;
  /** Classes of custom layers by class name, for this load only (Keras's custom_objects); see also registerLayer. */
  customObjects?: CustomObjects;
}

const KERAS_EXPECTED = 'a Keras 3 .keras file';
const WEIGHTS_EXPECTED = 'a Keras 3 weights file (model.weights.h5)';

export function convkitVersion(): string {
  try {
    return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function dateSaved(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}@${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function optimizerVarsOf(model: Model, include: boolean): OptimizerVars | null {
  const optimizer = model.compiled?.optimizer;
  if (!include || !optimizer) return null;
  optimizer.build(model.trainableWeights);
  return { name: optimizer.name, values: optimizer.getState() };
}

export function requireBuilt(model: Model, where: string): void {
  if (!model.built) {
    throw new ConfigError(
      `${where}: the model '${model.name}' is not built. Expected a model with known input shape, received one without weights yet. Hint: give the first layer an inputShape, or call fit/predict once first.`,
    );
  }
}

/** The Keras 3 config.json object for a model: its serialised config plus build and compile configs. */
export function kerasConfigOf(model: Model): Record<string, unknown> {
  const json: Record<string, unknown> = { module: 'keras', registered_name: null, ...modelToKeras(model) };
  if (json.build_config === undefined) {
    const shapes = model.expectedInputShapes();
    json.build_config = { input_shape: shapes.length === 1 ? shapes[0] : shapes };
  }
  const compile = compileConfigOf(model);
  if (compile) json.compile_config = compile;
  return json;
}

/**
 * Saves a model atomically, the format chosen by extension as in Keras: `.keras` (Keras 3 zip), `.h5` (Keras
 * legacy full model, read by Keras 2 and 3) or weights only as `.weights.h5`.
 * @example await saveModel(model, 'mnist.keras'); await saveModel(model, 'ckpt.weights.h5', { weightsOnly: true });
 */
export async function saveModel(model: Model, path: string, rawOptions?: SaveOptions): Promise<void> {
  const options = checkOptions<SaveOptions>('saveModel', rawOptions, ['includeOptimizer', 'weightsOnly', 'saveFormat']);
  const saveFormat = options.saveFormat;
  if (saveFormat !== undefined && saveFormat !== 'keras' && saveFormat !== 'h5') {
    throw new ConfigError(
      invalid('saveModel', 'saveFormat', "'keras' or 'h5'", saveFormat, 'Hint: leave it out to choose by extension.'),
    );
  }
  if (saveFormat !== undefined && options.weightsOnly) {
    throw new ConfigError(
      invalid('saveModel', 'saveFormat', 'no saveFormat with weightsOnly (weights go in a .weights.h5 file)', saveFormat),
    );
  }
  requireBuilt(model, 'saveModel');
  const weightsOnly = options.weightsOnly ?? (saveFormat === undefined && path.endsWith('.weights.h5'));
  const optimizer = optimizerVarsOf(model, options.includeOptimizer ?? true);
  if (weightsOnly) {
    if (!path.endsWith('.weights.h5')) {
      throw new ConfigError(
        invalid(
          'saveModel',
          'path',
          "a path ending in '.weights.h5' with weightsOnly",
          path,
          'Keras 3 requires this suffix for weights files.',
        ),
      );
    }
    await atomicWrite(path, (temp) => writeH5File(temp, (file) => writeKerasWeights(file, model, optimizer)));
    return;
  }
  if (saveFormat === 'h5' || (saveFormat === undefined && path.endsWith('.h5'))) {
    const { saveLegacyH5Model } = await import('./legacy-h5.js');
    await saveLegacyH5Model(model, path);
    return;
  }
  if (saveFormat === undefined && !path.endsWith('.keras')) {
    throw new ConfigError(
      invalid(
        'saveModel',
        'path',
        "a path ending in '.keras', '.h5' (Keras legacy full model) or '.weights.h5' (weights only)",
        path,
        'the extension chooses the format, as in Keras.',
      ),
    );
  }
  const config = kerasConfigOf(model);
  const weights = await writeH5Bytes((file) => writeKerasWeights(file, model, optimizer));
  const metadata = { keras_version: '3.11.1', date_saved: dateSaved(), convkit_version: convkitVersion() };
  await atomicWriteBytes(
    path,
    writeZip({ 'metadata.json': JSON.stringify(metadata), 'config.json': JSON.stringify(config), 'model.weights.h5': weights }),
  );
}

interface KerasArchive {
  config: Record<string, unknown>;
  weights: Uint8Array;
}

/** The largest config.json accepted: real ones are kilobytes; a bigger one is damage or a zip bomb. */
const MAX_CONFIG_BYTES = 64 * 1024 * 1024;

/** Unzips and checks a .keras file: config.json parses to an object, model.weights.h5 is present, CRCs match. */
export function readKerasArchive(bytes: Uint8Array, path: string): KerasArchive {
  const archive = openZip(bytes, path, KERAS_EXPECTED);
  const names = [...archive.entries.keys()];
  if (!archive.entries.has('config.json')) {
    throw new FormatError(
      `'${path}' has no config.json. Expected ${KERAS_EXPECTED} (config.json, metadata.json, model.weights.h5), received entries [${names.join(', ')}]. Hint: this zip was not written by Keras 3 model.save().`,
    );
  }
  const configBytes = readZipEntry(archive, 'config.json', KERAS_EXPECTED, MAX_CONFIG_BYTES);
  let config: unknown;
  try {
    config = JSON.parse(zipText(configBytes, `${path}:config.json`));
  } catch (error) {
    if (error instanceof FormatError) throw error;
    throw new FormatError(
      `'${path}': config.json is not valid JSON. Expected a Keras model config, received ${configBytes.length} bytes (${error instanceof Error ? error.message : String(error)}). Hint: the file is damaged; save it again.`,
    );
  }
  if (!config || typeof config !== 'object' || typeof (config as { class_name?: unknown }).class_name !== 'string') {
    throw new FormatError(
      `'${path}': config.json is not a model config. Expected an object with 'class_name' and 'config', received ${JSON.stringify(config)?.slice(0, 80)}. Hint: the file is damaged.`,
    );
  }
  if (!archive.entries.has('model.weights.h5')) {
    throw new FormatError(
      `'${path}' has no model.weights.h5. Expected ${KERAS_EXPECTED}, received entries [${names.join(', ')}]. Hint: the file is incomplete; save it again.`,
    );
  }
  const weights = readZipEntry(archive, 'model.weights.h5', KERAS_EXPECTED, MAX_INPUT_BYTES.model);
  return { config: config as Record<string, unknown>, weights };
}

/** Reads the weights bytes of a `.keras` or `.weights.h5` path. */
function weightsBytesOf(path: string, where: string): { bytes: Uint8Array; source: string } {
  const bytes = readFileOrThrow(path, where);
  if (path.endsWith('.keras') || (bytes[0] === 0x50 && bytes[1] === 0x4b)) {
    return { bytes: readKerasArchive(bytes, path).weights, source: `${path}:model.weights.h5` };
  }
  return { bytes, source: path };
}

function applyOptimizerState(model: Model, file: H5File, source: string): void {
  const optimizer = model.compiled?.optimizer;
  const values = readOptimizerVars(file);
  if (!optimizer || !values || values.length === 0) return;
  optimizer.build(model.trainableWeights);
  const expected = optimizer.variables().length;
  // Keras omits the learning_rate variable when the rate is a schedule; ours always has it.
  if (values.length === expected - 1) values.splice(1, 0, Float32Array.of(optimizer.currentLearningRate()));
  // The file holds the rate as float32; keep our float64 rate when it is the same value, so resuming is exact.
  const state: ArrayLike<number>[] = [...values];
  const rate = optimizer.currentLearningRate();
  if (values[1]?.[0] === Math.fround(rate)) state[1] = [rate];
  try {
    optimizer.setState(state);
  } catch (error) {
    throw new FormatError(
      `'${source}': the optimizer state does not fit ${optimizer.className}. Expected ${expected} variables (iterations, learning_rate, slots), received ${values.length} (${error instanceof Error ? error.message : String(error)}). Hint: the file was saved with another optimizer; load with { compile: false }.`,
    );
  }
}

/**
 * Rebuilds a model from the bytes of a Keras 3 `.keras` file (ours or Keras's), sets its weights, and with
 * compile compiles it from compile_config and restores the optimizer state. loadModel (load-model.ts) reads the
 * file and calls this for zip content.
 */
export async function loadKerasArchiveModel(
  bytes: Uint8Array,
  path: string,
  compileIt: boolean,
  customObjects?: CustomObjects,
): Promise<Model> {
  const archive = readKerasArchive(bytes, path);
  const model = modelFromFileConfig(archive.config, path, customObjects);
  if (!model.built) {
    const shape = (archive.config.build_config as { input_shape?: unknown } | undefined)?.input_shape;
    const buildFor = (model as Partial<{ buildFor(shape: unknown): void }>).buildFor;
    if (Array.isArray(shape) && buildFor) buildFor.call(model, shape);
  }
  requireBuilt(model, 'loadModel');
  const compileConfig = archive.config.compile_config as Record<string, unknown> | null | undefined;
  const compile = compileIt && compileConfig && typeof compileConfig === 'object';
  if (compile) compileFromKeras(model, compileConfig, path);
  const source = `${path}:model.weights.h5`;
  await readH5Bytes(archive.weights, source, WEIGHTS_EXPECTED, (file) => {
    readKerasWeights(file, model, source);
    if (compile) applyOptimizerState(model, file, source);
  });
  return model;
}

/** Restores weights and (when compiled and saved) optimizer state into an existing model: resuming training. */
export async function loadStateInto(model: Model, path: string): Promise<void> {
  requireBuilt(model, 'loadStateInto');
  const { bytes, source } = weightsBytesOf(path, 'loadStateInto');
  await readH5Bytes(bytes, source, WEIGHTS_EXPECTED, (file) => {
    readKerasWeights(file, model, source);
    applyOptimizerState(model, file, source);
  });
}

export { type LoadWeightsOptions, loadModel, loadWeights, type WeightsReport } from './load-model.js';
