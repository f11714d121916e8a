// convertModel(input, output): any model file loadModel reads (.keras, Keras .h5, TF.js) written in the format the
// output path names, or the one `format` names (then a TF.js output is a folder whatever its name). The writers are a
// table chosen by path (first match wins), one entry per format; format options (ONNX opset, TF.js quantization) are
// checked against the chosen writer before the input is read. Every writer writes atomically.

import { statSync } from 'node:fs';
import { ConfigError, invalid } from '../errors.js';
import type { Model } from '../models/model.js';
import { checkOptions } from '../options.js';
import { checkWritable } from './file-checks.js';
import { saveModel } from './keras-file.js';
import { loadModel, type ModelFileFormat, modelFileFormat } from './load-model.js';
import { checkOpset, exportOnnx } from './onnx-export.js';
import { checkQuantize, checkTfjsTarget, exportTfjs } from './tfjs-export.js';
import type { TfjsQuantization } from './tfjs-weights.js';

/** A path that names a folder: it ends in a separator or is an existing folder. */
function isFolderPath(path: string): boolean {
  if (/[\\/]$/.test(path)) return true;
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The output formats convertModel's `format` names. */
export type ModelOutputFormat = 'keras' | 'h5' | 'weights.h5' | 'onnx' | 'tfjs';

/** Options that only some writers take; convertModel refuses them for the others. */
export interface WriterOptions {
  opset?: number;
  quantize?: TfjsQuantization;
}

/** One output format: which paths it claims and how it writes a model there. */
export interface ModelWriter {
  /** The name `format` gives it: 'keras'. */
  format: ModelOutputFormat;
  /** For messages: 'Keras 3 model'. */
  description: string;
  /** The path endings it claims, for messages: ['.keras']. */
  suffixes: string[];
  matches(path: string): boolean;
  /** Checks before the input is read that the output can be written (default: checkWritable on the path). */
  check?(path: string): void;
  /** The WriterOptions keys it takes. */
  takes: (keyof WriterOptions)[];
  write(model: Model, path: string, options: WriterOptions): Promise<void>;
}

/** Output formats by path, most specific first (`.weights.h5` before `.h5`). */
export const MODEL_WRITERS: ModelWriter[] = [
  {
    format: 'weights.h5',
    takes: [],
    description: 'Keras 3 weights only',
    suffixes: ['.weights.h5'],
    matches: (path) => path.endsWith('.weights.h5'),
    write: (model, path) => saveModel(model, path, { weightsOnly: true }),
  },
  {
    format: 'h5',
    takes: [],
    description: 'Keras legacy full model',
    suffixes: ['.h5'],
    matches: (path) => path.endsWith('.h5'),
    write: (model, path) => saveModel(model, path, { saveFormat: 'h5' }),
  },
  {
    format: 'keras',
    takes: [],
    description: 'Keras 3 model',
    suffixes: ['.keras'],
    matches: (path) => path.endsWith('.keras'),
    write: (model, path) => saveModel(model, path, { saveFormat: 'keras' }),
  },
  {
    format: 'onnx',
    takes: ['opset'],
    description: 'ONNX model',
    suffixes: ['.onnx'],
    matches: (path) => path.endsWith('.onnx'),
    write: (model, path, { opset }) => exportOnnx(model, path, opset === undefined ? {} : { opset }),
  },
  {
    format: 'tfjs',
    takes: ['quantize'],
    description: 'TF.js layers model folder',
    suffixes: ['/'],
    matches: isFolderPath,
    check: (path) => checkTfjsTarget(path, 'convertModel'),
    write: (model, path, { quantize }) => exportTfjs(model, path, quantize === undefined ? {} : { quantize }),
  },
];

/** The writer for an output path; ConfigError listing the accepted endings otherwise. */
export function writerFor(path: string, where = 'convertModel'): ModelWriter {
  const writer = typeof path === 'string' ? MODEL_WRITERS.find((w) => w.matches(path)) : undefined;
  if (!writer) {
    const accepted = MODEL_WRITERS.flatMap((w) => w.suffixes.map((s) => `'${s}' (${w.description})`)).join(', ');
    throw new ConfigError(
      invalid(
        where,
        'output',
        `a path ending in ${accepted}`,
        path,
        "Hint: the output extension chooses the format; or name it with format ('keras', 'h5', 'onnx', 'tfjs': a folder).",
      ),
    );
  }
  return writer;
}

/** The writer `format` names; ConfigError listing the formats otherwise. */
export function writerNamed(format: unknown, where = 'convertModel'): ModelWriter {
  const writer = MODEL_WRITERS.find((w) => w.format === format && NAMED_FORMATS.includes(w.format));
  if (!writer) {
    const formats = MODEL_WRITERS.filter((w) => NAMED_FORMATS.includes(w.format))
      .map((w) => `'${w.format}' (${w.description})`)
      .join(', ');
    throw new ConfigError(
      invalid(where, 'format', `one of ${formats}`, format, 'Hint: leave it out to choose by the output extension.'),
    );
  }
  return writer;
}

/** The formats `format` may name (a weights-only output is chosen by its '.weights.h5' ending). */
const NAMED_FORMATS: readonly ModelOutputFormat[] = ['keras', 'h5', 'onnx', 'tfjs'];

export interface ConvertOptions {
  /** Keep the compile settings (and, .keras to .keras, the optimizer state) in the output (default true). */
  includeOptimizer?: boolean;
  /** The output format whatever the output path's ending ('tfjs': the output is a folder). Default: by the ending. */
  format?: 'keras' | 'h5' | 'onnx' | 'tfjs';
  /** ONNX output only: the operator set, 13 to 21 (default 13). */
  opset?: number;
  /** TF.js output only: store the weights quantized, 'uint8' | 'uint16' | 'float16' (default float32). */
  quantize?: TfjsQuantization;
}

/** The writer options, checked for the chosen writer: ConfigError for an option it does not take or a bad value. */
function writerOptions(writer: ModelWriter, options: ConvertOptions): WriterOptions {
  const result: WriterOptions = {};
  const hints = { opset: "ONNX output ('.onnx' or format 'onnx')", quantize: "TF.js output (a folder, or format 'tfjs')" };
  for (const key of ['opset', 'quantize'] as const) {
    if (options[key] === undefined) continue;
    if (!writer.takes.includes(key)) {
      throw new ConfigError(
        `convertModel: '${key}' applies to ${hints[key]} only. Expected no '${key}' for ${writer.description} output, received ${JSON.stringify(options[key])}. Hint: drop '${key}', or choose that output format.`,
      );
    }
  }
  if (options.opset !== undefined) result.opset = checkOpset(options.opset, 'convertModel');
  if (options.quantize !== undefined) result.quantize = checkQuantize(options.quantize, 'convertModel');
  return result;
}

export interface ConvertResult {
  model: Model;
  inputFormat: ModelFileFormat;
  output: ModelWriter;
}

/**
 * Reads a model file (any format loadModel reads) and writes it in the format `output`'s ending names, or the
 * one `format` names. The output path and the options are checked before the input is read.
 * @example await convertModel('keras_model.h5', 'model.keras');
 * @example await convertModel('keras_model.h5', 'web_model', { format: 'tfjs', quantize: 'uint8' });
 */
export async function convertModel(input: string, output: string, rawOptions?: ConvertOptions): Promise<ConvertResult> {
  const options = checkOptions<ConvertOptions>('convertModel', rawOptions, ['includeOptimizer', 'format', 'opset', 'quantize']);
  const writer = options.format === undefined ? writerFor(output) : writerNamed(options.format);
  const extra = writerOptions(writer, options);
  if (writer.format !== 'tfjs' && isFolderPath(output)) {
    throw new ConfigError(
      invalid(
        'convertModel',
        'output',
        `a file path for ${writer.description} output`,
        output,
        "Hint: name a file inside the folder, e.g. 'out/model.keras'; a folder is a TF.js output.",
      ),
    );
  }
  if (writer.check) writer.check(output);
  else checkWritable(output, 'convertModel');
  const { format } = modelFileFormat(input, 'convertModel');
  const model = await loadModel(input, { compile: options.includeOptimizer ?? true });
  await writer.write(model, output, extra);
  return { model, inputFormat: format, output: writer };
}
