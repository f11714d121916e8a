// loadModel / loadWeights for every model file convkit reads, recognised by content, not by extension: a zip is a
// Keras 3 `.keras` archive; an HDF5 file is a legacy `.h5` full model, or weights only (Keras 2 layer_names
// layout or Keras 3 layers/<name>/vars layout); a `model.json` (or a folder holding one) is a TF.js layers model.

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, FormatError } from '../errors.js';
import type { CustomObjects } from '../layers/serialization.js';
import type { Model } from '../models/model.js';
import { checkOptions } from '../options.js';
import { writeOut } from '../output.js';
import { readFileOrThrow } from './atomic-write.js';
import { checkInputPath, fileError, isErrnoError, MAX_INPUT_BYTES } from './file-checks.js';
import { getGroup, type H5File, isHdf5, readH5Bytes, readH5File } from './h5.js';
import { readKerasWeights } from './h5-weights.js';
import { type LoadOptions, loadKerasArchiveModel, readKerasArchive, requireBuilt } from './keras-file.js';
import { h5KindOf, LEGACY_H5_EXPECTED, legacyModelFrom } from './legacy-h5.js';
import { formatWeightsReport, readLegacyWeights, type WeightsReport } from './legacy-h5-weights.js';
import { loadTfjsModel } from './tfjs-load.js';

export type { WeightsReport } from './legacy-h5-weights.js';

/** The model file formats loadModel tells apart. */
export type ModelFileFormat = 'keras' | 'h5' | 'tfjs';

const SUPPORTED = 'a model file (.keras, Keras .h5, or TF.js model.json or its folder)';

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

/** The first bytes of a regular file (the format checks look at no more). */
function fileHead(path: string, where: string): Uint8Array {
  checkInputPath(path, { where, expected: SUPPORTED, maxBytes: MAX_INPUT_BYTES.model });
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = new Uint8Array(16);
    const n = readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n);
  } catch (error) {
    throw isErrnoError(error) ? fileError(error, where, path, 'read') : error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A folder holding a TF.js export: its model.json, else null. */
function tfjsModelJsonIn(path: string): string | null {
  try {
    if (!statSync(path).isDirectory()) return null;
    const json = join(path, 'model.json');
    return statSync(json).isFile() ? json : null;
  } catch {
    return null;
  }
}

/**
 * Which format a path holds, judged by content: 'keras' (zip), 'h5' (HDF5 signature) or 'tfjs' (a model.json,
 * or a folder with one). Unknown content falls back to the extension, so `x.keras` that is not a zip gets the
 * .keras reader's precise error; anything else is a FormatError.
 */
export function modelFileFormat(path: string, where = 'loadModel'): { format: ModelFileFormat; path: string } {
  const modelJson = tfjsModelJsonIn(path);
  if (modelJson) return { format: 'tfjs', path: modelJson };
  const head = fileHead(path, where);
  if (startsWith(head, ZIP_MAGIC)) return { format: 'keras', path };
  if (isHdf5(head)) return { format: 'h5', path };
  if (new TextDecoder().decode(head).trimStart().startsWith('{')) return { format: 'tfjs', path };
  if (path.endsWith('.keras')) return { format: 'keras', path };
  if (path.endsWith('.h5')) return { format: 'h5', path };
  const hex = [...head.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new FormatError(
    `${where}: '${path}' is not a model file convkit knows. Expected ${SUPPORTED}, received ${head.length === 0 ? 'an empty file' : `a file starting with [${hex}]`}. Hint: check the path; a download may have saved an error page instead of the model.`,
  );
}

function weightsOnlyError(path: string, kind: string): FormatError {
  return new FormatError(
    `loadModel: '${path}' holds ${kind} only, no architecture. Expected ${SUPPORTED}. Hint: build the model (e.g. applications.MobileNet or your own layers), then call model.loadWeights('${path}').`,
  );
}

function loadH5Model(path: string, compile: boolean, customObjects: CustomObjects | undefined): Promise<Model> {
  return readH5File(path, path, LEGACY_H5_EXPECTED, (file) => {
    const kind = h5KindOf(file);
    if (kind === 'legacy-model') return legacyModelFrom(file, path, compile, customObjects);
    if (kind === 'legacy-weights') throw weightsOnlyError(path, 'Keras 2 weights (layer_names)');
    if (kind === 'keras-weights') throw weightsOnlyError(path, 'Keras 3 weights (.weights.h5)');
    throw new FormatError(
      `loadModel: '${path}' is an HDF5 file but not a Keras model. Expected root attribute 'model_config' and group 'model_weights', received root groups [${file.keys().join(', ')}] and attributes [${Object.keys(file.attrs).join(', ')}]. Hint: it may be a dataset or another program's file.`,
    );
  });
}

/**
 * Loads a model from any file convkit reads, recognised by content: `.keras` (Keras 3), legacy `.h5` (Keras 2 and
 * Keras 3, e.g. Teachable Machine's keras_model.h5) and TF.js layers models. With compile (default), models that
 * were saved compiled come back compiled.
 * @example const model = await loadModel('keras_model.h5'); model.summary();
 */
export async function loadModel(path: string, rawOptions?: LoadOptions): Promise<Model> {
  const options = checkOptions<LoadOptions>('loadModel', rawOptions, ['compile', 'customObjects']);
  const compile = options.compile ?? true;
  const found = modelFileFormat(path, 'loadModel');
  if (found.format === 'keras')
    return loadKerasArchiveModel(readFileOrThrow(path, 'loadModel'), path, compile, options.customObjects);
  if (found.format === 'h5') return loadH5Model(path, compile, options.customObjects);
  // TF.js model.json has no compile state convkit reads (trainingConfig): the model comes back uncompiled.
  return loadTfjsModel(found.path, options.customObjects === undefined ? {} : { customObjects: options.customObjects });
}

export interface LoadWeightsOptions {
  /** Legacy .h5 only: match layers by name (default true) or, as Keras's by_name=False, by order. */
  byName?: boolean;
  /** Leave weights whose shapes differ from the file's alone instead of failing (default false). */
  skipMismatch?: boolean;
  /** Print the report when something did not match (default true). */
  verbose?: boolean;
}

const WEIGHTS_EXPECTED = 'a weights file: Keras .h5 (weights-only or full model), .weights.h5 or .keras';

function kerasWeightsReport(model: Model, path: string): WeightsReport {
  return {
    path,
    format: 'keras',
    byName: false,
    matched: model.layers.filter((l) => l.weights.length > 0).map((l) => l.name),
    missingInFile: [],
    unusedInFile: [],
    skipped: [],
  };
}

function readKeras3Weights(file: H5File, model: Model, source: string, options: LoadWeightsOptions): WeightsReport {
  if (options.byName !== undefined || options.skipMismatch) {
    throw new ConfigError(
      `loadWeights: '${source}' is a Keras 3 weights file, matched by structure. Expected no byName/skipMismatch (they apply to legacy .h5 weights), received ${JSON.stringify({ byName: options.byName, skipMismatch: options.skipMismatch })}. Hint: drop those options.`,
    );
  }
  readKerasWeights(file, model, source);
  return kerasWeightsReport(model, source);
}

/**
 * Sets a built model's weights from a file and reports what matched: a legacy `.h5` (weights-only, Keras
 * applications style, or a full model's model_weights) by layer name (or by order), a Keras 3 `.weights.h5`,
 * or the weights inside a `.keras`.
 * @example const report = await loadWeights(model, 'mobilenet_2_5_224_tf_no_top.h5'); report.missingInFile
 */
export async function loadWeights(model: Model, path: string, rawOptions?: LoadWeightsOptions): Promise<WeightsReport> {
  const options = checkOptions<LoadWeightsOptions>('loadWeights', rawOptions, ['byName', 'skipMismatch', 'verbose']);
  requireBuilt(model, 'loadWeights');
  const bytes = readFileOrThrow(path, 'loadWeights', WEIGHTS_EXPECTED);
  let report: WeightsReport;
  if (startsWith(bytes, ZIP_MAGIC)) {
    const archive = readKerasArchive(bytes, path);
    const source = `${path}:model.weights.h5`;
    report = await readH5Bytes(archive.weights, source, WEIGHTS_EXPECTED, (file) =>
      readKeras3Weights(file, model, source, options),
    );
  } else {
    const legacy = { byName: options.byName ?? true, skipMismatch: options.skipMismatch ?? false, strict: false };
    report = await readH5File(path, path, WEIGHTS_EXPECTED, (file) => {
      const kind = h5KindOf(file);
      if (kind === 'keras-weights') return readKeras3Weights(file, model, path, options);
      if (kind === 'legacy-model') return readLegacyWeights(getGroup(file, 'model_weights')!, model, path, legacy);
      if (kind === 'legacy-weights') return readLegacyWeights(file, model, path, legacy);
      throw new FormatError(
        `loadWeights: '${path}' is an HDF5 file without Keras weights. Expected ${WEIGHTS_EXPECTED}, received root groups [${file.keys().join(', ')}]. Hint: check the path.`,
      );
    });
  }
  const incomplete = report.missingInFile.length + report.unusedInFile.length + report.skipped.length > 0;
  if ((options.verbose ?? true) && incomplete) writeOut(`${formatWeightsReport(report)}\n`);
  return report;
}
