// `exportTfjs(model, dir)`: writes a TensorFlow.js layers model (model.json + 4 MiB weight shards) that TF.js's
// `loadLayersModel` reads, into a temp folder renamed into place, so `dir` is never half-written. A folder holding
// an earlier export is replaced; a folder with other files is refused. Weights are float32, or quantized on request.

import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, describe, invalid } from '../errors.js';
import type { Model } from '../models/model.js';
import { checkOptions } from '../options.js';
import { atomicWriteFolder } from './atomic-write.js';
import { checkWritable } from './file-checks.js';
import { convkitVersion } from './keras-file.js';
import { tfjsNamedWeights, tfjsTopology } from './tfjs-topology.js';
import { encodeGroup, SHARD_BYTES, type TfjsQuantization } from './tfjs-weights.js';

export interface ExportTfjsOptions {
  /** Largest shard file in bytes (default 4 MiB, as tensorflowjs_converter writes). */
  shardSizeBytes?: number;
  /**
   * Store weights quantized, as tensorflowjs_converter's --quantize_uint8 / _uint16 / _float16 do: 4x or 2x
   * smaller files, weights rounded (uint8: to 1/255 of each weight's range). Default: float32, exact.
   */
  quantize?: TfjsQuantization;
}

const QUANTIZATIONS: readonly TfjsQuantization[] = ['uint8', 'uint16', 'float16'];

/**
 * The quantization when exportTfjs can write it ('uint8', 'uint16' or 'float16'), else a ConfigError naming `where`.
 * @example checkQuantize('uint8', 'convert');
 */
export function checkQuantize(quantize: unknown, where: string): TfjsQuantization {
  if (!QUANTIZATIONS.includes(quantize as TfjsQuantization)) {
    throw new ConfigError(
      invalid(
        where,
        'quantize',
        `one of ${QUANTIZATIONS.map((q) => `'${q}'`).join(', ')}`,
        quantize,
        'Hint: uint8 makes the weight files 4x smaller, uint16 and float16 2x (as tensorflowjs_converter --quantize_*).',
      ),
    );
  }
  return quantize as TfjsQuantization;
}

const EXPORT_FILE = /^(model\.json|group\d+-shard\d+of\d+\.bin)$/;

/**
 * Checks, before long work, that `dir` can receive a TF.js export: a new folder, an empty one, or an earlier export
 * (model.json and shards only), in a parent folder that accepts new entries (the export is renamed into place).
 * @example checkTfjsTarget('web_model', 'convert');
 */
export function checkTfjsTarget(dir: string, where = 'exportTfjs'): void {
  let entries: string[] = [];
  try {
    if (!statSync(dir).isDirectory()) {
      throw new ConfigError(
        `${where}: invalid 'dir'. Expected a folder path (model.json and shards go inside), received the file '${dir}'. Hint: give a folder name such as 'web_model'.`,
      );
    }
    entries = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const foreign = entries.filter((name) => !EXPORT_FILE.test(name));
  if (foreign.length > 0) {
    throw new ConfigError(
      `${where}: the folder '${dir}' holds other files (${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', ...' : ''}). Expected a new folder, an empty one, or an earlier export (model.json and group*-shard*.bin only), received a folder the export would replace. Hint: choose another folder.`,
    );
  }
  checkWritable(`${resolve(dir)}.probe`, where);
}

/**
 * Writes `model` as a TensorFlow.js layers model into the folder `dir`: `model.json` (format 'layers-model', the
 * Keras topology TF.js reads, the weights manifest) and `group1-shard{i}of{n}.bin` files. Inference no-op layers
 * TF.js lacks (random augmentation, SpatialDropout2D) are left out; layers TF.js cannot reproduce throw a
 * ConfigError naming them before anything is written.
 * @example await exportTfjs(model, 'web_model'); // in the browser: await tf.loadLayersModel('web_model/model.json')
 */
export async function exportTfjs(model: Model, dir: string, rawOptions?: ExportTfjsOptions): Promise<void> {
  const options = checkOptions<ExportTfjsOptions>('exportTfjs', rawOptions, ['shardSizeBytes', 'quantize']);
  const quantize = options.quantize === undefined ? null : checkQuantize(options.quantize, 'exportTfjs');
  const shardBytes = options.shardSizeBytes ?? SHARD_BYTES;
  if (!Number.isInteger(shardBytes) || shardBytes < 4) {
    throw new ConfigError(invalid('exportTfjs', 'shardSizeBytes', 'an integer of at least 4 bytes', shardBytes));
  }
  if (typeof dir !== 'string' || dir === '') {
    throw new ConfigError(invalid('exportTfjs', 'dir', 'a folder path', dir));
  }
  if (dir.endsWith('.json')) {
    throw new ConfigError(
      invalid('exportTfjs', 'dir', 'a folder path (model.json is written inside it)', dir, `Hint: give '${dirname(dir)}'.`),
    );
  }
  if (!model || typeof (model as Partial<Model>).graphNodes !== 'object' || !model.built) {
    throw new ConfigError(
      `exportTfjs: invalid 'model'. Expected a built convkit model (input shape known), received ${model && typeof model === 'object' ? `'${(model as Model).name}', not built yet` : describe(model)}. Hint: give the first layer an inputShape, or call predict once first.`,
    );
  }
  // 'web_model/' names the same folder; without the slash the temp folder lands beside it, not inside a missing one.
  dir = dir.length > 1 ? dir.replace(/[\\/]+$/, '') : dir;
  checkTfjsTarget(dir);
  const version = convkitVersion();
  const topology = tfjsTopology(model);
  const { group, shards } = encodeGroup(tfjsNamedWeights(model), shardBytes, quantize);
  const modelJson = {
    format: 'layers-model',
    generatedBy: `convkit ${version}`,
    convertedBy: null,
    modelTopology: { ...topology, keras_version: `convkit ${version}`, backend: 'tensor_flow.js' },
    weightsManifest: [group],
  };
  await atomicWriteFolder(dir, (temp) => {
    for (const [i, name] of group.paths.entries()) writeFileSync(join(temp, name), shards[i]!);
    writeFileSync(join(temp, 'model.json'), JSON.stringify(modelJson));
  });
}
