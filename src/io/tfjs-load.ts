// Loading TensorFlow.js layers models: `model.json` (or a folder holding one) whose modelTopology is Keras JSON in
// the Keras 2 style TF.js writes, plus the binary weight shards its weightsManifest lists. Weights are matched to
// layers by name (`<layer>/<weight>`, as TF.js itself does), never by position. Not here: TF.js graph models
// (frozen TensorFlow graphs, not Keras layers) and the training config (the model comes back uncompiled).

import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError, describe, FormatError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import type { CustomObjects } from '../layers/serialization.js';
import type { Model } from '../models/model.js';
import { checkOptions } from '../options.js';
import { formatShape } from '../tensor.js';
import { MAX_INPUT_BYTES, readInputFile } from './file-checks.js';
import { modelFromFileConfig } from './file-model-config.js';
import { checkManifest, decodeGroup } from './tfjs-weights.js';

const EXPECTED = 'a TensorFlow.js layers model (model.json)';

/** model.json inside `path` when it is a folder, else `path` itself. */
export function tfjsModelJsonPath(path: string): string {
  try {
    if (statSync(path).isDirectory()) return join(path, 'model.json');
  } catch {
    // A missing path is reported by the reader, with its usual message.
  }
  return path;
}

function parseModelJson(bytes: Uint8Array, source: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new FormatError(
      `'${source}' is not valid JSON. Expected ${EXPECTED}, received ${bytes.length} bytes (${error instanceof Error ? error.message : String(error)}). Hint: the file is damaged or is not a model.json.`,
    );
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new FormatError(`'${source}': expected ${EXPECTED} (a JSON object), received ${describe(json)}.`);
  }
  return json as Record<string, unknown>;
}

/** The Keras model JSON inside modelTopology (TF.js writes it bare; the Python converter under `model_config`). */
function topologyOf(json: Record<string, unknown>, source: string): unknown {
  if (json.format === 'graph-model') {
    throw new FormatError(
      `'${source}' is a TF.js graph model. Expected ${EXPECTED} (format 'layers-model'), received format 'graph-model'. Hint: graph models are frozen TensorFlow graphs without Keras layers; convert the original Keras model instead.`,
    );
  }
  const topology = json.modelTopology as Record<string, unknown> | undefined;
  if (!topology || typeof topology !== 'object') {
    throw new FormatError(
      `'${source}' has no modelTopology. Expected ${EXPECTED} with 'modelTopology' and 'weightsManifest', received keys [${Object.keys(json).join(', ')}]. Hint: give the model.json of a TF.js layers export (a Teachable Machine metadata.json holds only the labels).`,
    );
  }
  return topology.model_config ?? topology;
}

/** Leaf layers (nested models opened), each with the weight names TF.js gives them: `<layer>/<weight>`. */
function leafLayers(model: Model): Layer[] {
  return model.layers.flatMap((layer) => {
    const children = (layer as Partial<Model>).layers;
    return Array.isArray(children) ? leafLayers(layer as Model) : [layer];
  });
}

/** The manifest name for a weight: exact, or the same name with the ':0' suffix, or one ending in `/<name>`. */
function findWeight<T>(values: Map<string, T>, name: string): { key: string; value: T } | null {
  for (const key of [name, `${name}:0`]) {
    const value = values.get(key);
    if (value !== undefined) return { key, value };
  }
  const suffixed = [...values.keys()].filter((k) => k.replace(/:0$/, '').endsWith(`/${name}`));
  return suffixed.length === 1 ? { key: suffixed[0]!, value: values.get(suffixed[0]!)! } : null;
}

/** Sets every layer's weights from the decoded manifest; FormatError on a missing, extra or misshapen weight. */
function assignWeights(model: Model, values: Map<string, { shape: number[]; data: Float32Array }>, source: string): void {
  const used = new Set<string>();
  for (const layer of leafLayers(model)) {
    if (layer.weights.length === 0) continue;
    const arrays = layer.weights.map((w) => {
      const name = `${layer.name}/${w.name}`;
      const found = findWeight(values, name);
      if (!found) {
        const sample = [...values.keys()].slice(0, 6).join(', ');
        throw new FormatError(
          `'${source}': no weight '${name}' for layer '${layer.name}' (${layer.className}). Expected it in the weightsManifest, received ${values.size} weights (${sample}${values.size > 6 ? ', ...' : ''}). Hint: the shards belong to another model.`,
        );
      }
      if (found.value.shape.join(',') !== w.shape.join(',')) {
        throw new FormatError(
          `'${source}': weight '${found.key}' has the wrong shape. Expected ${formatShape(w.shape)} for ${layer.className} '${layer.name}', received ${formatShape(found.value.shape)}. Hint: the topology and the weights come from different models.`,
        );
      }
      used.add(found.key);
      return found.value.data;
    });
    layer.setWeights(arrays);
  }
  const extra = [...values.keys()].filter((k) => !used.has(k));
  if (extra.length > 0) {
    throw new FormatError(
      `'${source}': ${extra.length} weights in the manifest belong to no layer (${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', ...' : ''}). Expected exactly the model's ${used.size} weights. Hint: the topology and the weights come from different models.`,
    );
  }
}

export interface LoadTfjsOptions {
  /** Classes of custom layers by class name (the names TF.js's registerClass used), as loadModel's customObjects. */
  customObjects?: CustomObjects;
}

/**
 * Loads a TensorFlow.js layers model: `model.json` (or the folder holding it) and its weight shards.
 * Float32 and int32 weights are read, and the converter's uint8/uint16/float16 quantization is undone.
 * A custom layer's weights are found by their TF.js names, `<layer>/<weight name given to addWeight>`.
 * @example const model = await loadTfjsModel('tm-export/'); const probs = await model.predict(images);
 */
export async function loadTfjsModel(path: string, rawOptions?: LoadTfjsOptions): Promise<Model> {
  const options = checkOptions<LoadTfjsOptions>('loadTfjsModel', rawOptions, ['customObjects']);
  if (typeof path !== 'string' || path === '') {
    throw new ConfigError(`loadTfjsModel: invalid 'path'. Expected a model.json path or its folder, received ${describe(path)}.`);
  }
  const source = tfjsModelJsonPath(path);
  const json = parseModelJson(
    readInputFile(source, { where: 'loadTfjsModel', expected: EXPECTED, maxBytes: MAX_INPUT_BYTES.model }),
    source,
  );
  const model = modelFromFileConfig(topologyOf(json, source), source, options.customObjects);
  if (!model.built) {
    throw new FormatError(
      `'${source}': the topology gives no input shape. Expected 'batch_input_shape' on the first layer or an InputLayer, received a model '${model.name}' that cannot be built. Hint: export the model from TF.js after it was built.`,
    );
  }
  const groups = checkManifest(json.weightsManifest ?? [], source);
  const values = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const group of groups) {
    const shards = group.paths.map((p) =>
      readInputFile(join(dirname(source), p), {
        where: 'loadTfjsModel',
        expected: `a weight shard listed in '${source}'`,
        maxBytes: MAX_INPUT_BYTES.model,
      }),
    );
    const bytes = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
    let offset = 0;
    for (const shard of shards) {
      bytes.set(shard, offset);
      offset += shard.length;
    }
    for (const [name, value] of decodeGroup(group, bytes, source)) {
      if (values.has(name)) {
        throw new FormatError(
          `'${source}': the weight name '${name}' appears in two manifest groups. Expected unique names. Hint: the model.json is damaged.`,
        );
      }
      values.set(name, value);
    }
  }
  assignWeights(model, values, source);
  return model;
}
