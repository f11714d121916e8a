// convertModel(input, output): any model file loadModel reads (.keras, Keras .h5, TF.js) written in the format the
// output path names. The writers are a table chosen by path (first match wins), so further output formats (ONNX
// `.onnx`, a TF.js folder: a path ending in '/' or an existing folder) are one entry each in MODEL_WRITERS. Every writer writes atomically.

import { statSync } from 'node:fs';
import { ConfigError, invalid } from '../errors.js';
import type { Model } from '../models/model.js';
import { checkOptions } from '../options.js';
import { checkWritable } from './file-checks.js';
import { saveModel } from './keras-file.js';
import { loadModel, type ModelFileFormat, modelFileFormat } from './load-model.js';
import { exportOnnx } from './onnx-export.js';
import { checkTfjsTarget, exportTfjs } from './tfjs-export.js';

/** A path that names a folder: it ends in a separator or is an existing folder. */
function isFolderPath(path: string): boolean {
  if (/[\\/]$/.test(path)) return true;
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** One output format: which paths it claims and how it writes a model there. */
export interface ModelWriter {
  /** For messages: 'Keras 3 model'. */
  description: string;
  /** The path endings it claims, for messages: ['.keras']. */
  suffixes: string[];
  matches(path: string): boolean;
  /** Checks before the input is read that the output can be written (default: checkWritable on the path). */
  check?(path: string): void;
  write(model: Model, path: string): Promise<void>;
}

/** Output formats by path, most specific first (`.weights.h5` before `.h5`). */
export const MODEL_WRITERS: ModelWriter[] = [
  {
    description: 'Keras 3 weights only',
    suffixes: ['.weights.h5'],
    matches: (path) => path.endsWith('.weights.h5'),
    write: (model, path) => saveModel(model, path, { weightsOnly: true }),
  },
  {
    description: 'Keras legacy full model',
    suffixes: ['.h5'],
    matches: (path) => path.endsWith('.h5'),
    write: (model, path) => saveModel(model, path),
  },
  {
    description: 'Keras 3 model',
    suffixes: ['.keras'],
    matches: (path) => path.endsWith('.keras'),
    write: (model, path) => saveModel(model, path),
  },
  {
    description: 'ONNX model',
    suffixes: ['.onnx'],
    matches: (path) => path.endsWith('.onnx'),
    write: (model, path) => exportOnnx(model, path),
  },
  {
    description: 'TF.js layers model folder',
    suffixes: ['/'],
    matches: isFolderPath,
    check: (path) => checkTfjsTarget(path, 'convertModel'),
    write: (model, path) => exportTfjs(model, path),
  },
];

/** The writer for an output path; ConfigError listing the accepted endings otherwise. */
export function writerFor(path: string, where = 'convertModel'): ModelWriter {
  const writer = typeof path === 'string' ? MODEL_WRITERS.find((w) => w.matches(path)) : undefined;
  if (!writer) {
    const accepted = MODEL_WRITERS.flatMap((w) => w.suffixes.map((s) => `'${s}' (${w.description})`)).join(', ');
    throw new ConfigError(
      invalid(where, 'output', `a path ending in ${accepted}`, path, 'Hint: the output extension chooses the format.'),
    );
  }
  return writer;
}

export interface ConvertOptions {
  /** Keep the compile settings (and, .keras to .keras, the optimizer state) in the output (default true). */
  includeOptimizer?: boolean;
}

export interface ConvertResult {
  model: Model;
  inputFormat: ModelFileFormat;
  output: ModelWriter;
}

/**
 * Reads a model file (any format loadModel reads) and writes it in the format `output`'s ending names. The output
 * path is checked before the input is read.
 * @example await convertModel('keras_model.h5', 'model.keras');
 */
export async function convertModel(input: string, output: string, rawOptions?: ConvertOptions): Promise<ConvertResult> {
  const options = checkOptions<ConvertOptions>('convertModel', rawOptions, ['includeOptimizer']);
  const writer = writerFor(output);
  if (writer.check) writer.check(output);
  else checkWritable(output, 'convertModel');
  const { format } = modelFileFormat(input, 'convertModel');
  const model = await loadModel(input, { compile: options.includeOptimizer ?? true });
  await writer.write(model, output);
  return { model, inputFormat: format, output: writer };
}
