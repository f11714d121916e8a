// `convkit tune --model file.keras`: a saved model (any file loadModel reads: .keras, .h5, TF.js) as the architecture
// to tune. Each trial rebuilds it from its config with fresh seeded weights and the trial's values applied: the
// training parameters every template takes (lr, optimizer, batchSize) and layer config values named
// `<layer>.<key>` (`dropout.rate`, `dense.units`, `conv2d.filters`, `conv2d.kernel_size`; the key as in the file's
// config.json, camelCase accepted). It compiles with the file's optimizer unless the space names one, for the class
// labels the data has. The space is checked against the model (the layer, the key, and a build at every value it
// can take) before any data is loaded. The template is plain JSON, so worker threads and queue workers get it whole.

import { ConfigError, describe, FormatError, invalid } from '../errors.js';
import { compileConfigOf, optimizerFromKeras } from '../io/compile-config.js';
import { modelFromFileConfig } from '../io/file-model-config.js';
import { loadModel } from '../io/load-model.js';
import type { Model } from '../models/model.js';
import { modelToKeras } from '../models/model-config.js';
import { suggestKey } from '../options.js';
import { TRAINING_RULES } from './model-templates.js';
import type { Params, ParamValue, SearchSpace } from './search-space.js';

type Json = Record<string, unknown>;

export interface ModelFileTemplate {
  /** The file, for messages. */
  source: string;
  /** The model's Keras JSON ({ class_name, config }), rebuilt for every trial. */
  config: Json;
  /** The file's optimizer ({ class_name, config }), or null when it was saved without one convkit reads. */
  optimizer: Json | null;
  /** Why the file's optimizer is not used, when it is not. */
  optimizerNote?: string;
}

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);
/** Config keys that are identity or shape, not hyperparameters. */
const NOT_TUNABLE = new Set(['name', 'dtype', 'batch_input_shape', 'batch_shape', 'input_shape', 'trainable', 'data_format']);

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Reads a model file into a template (its architecture and optimizer; its weights are not used). */
export async function readModelFileTemplate(path: string): Promise<ModelFileTemplate> {
  let model: Model;
  let optimizer: Json | null = null;
  let optimizerNote: string | undefined;
  try {
    model = await loadModel(path);
    optimizer = (compileConfigOf(model)?.optimizer as Json | undefined) ?? null;
    if (optimizer === null) optimizerNote = 'the file was saved uncompiled';
  } catch (error) {
    // A compile config convkit cannot read (an exotic optimizer or loss) does not stop tuning the architecture.
    if (!(error instanceof FormatError && /compile_config|optimizer|loss|metric|schedule/.test(error.message))) throw error;
    model = await loadModel(path, { compile: false });
    optimizerNote = `its compile config is not usable (${error.message.split('. ')[0]})`;
  }
  return {
    source: path,
    config: modelToKeras(model) as unknown as Json,
    optimizer,
    ...(optimizerNote !== undefined ? { optimizerNote } : {}),
  };
}

/** The layer entries of a model JSON by name, nested models included (their layers are reachable too). */
function layerIndex(modelJson: Json, into = new Map<string, Json>()): Map<string, Json> {
  const layers = ((modelJson.config as Json | undefined)?.layers as Json[] | undefined) ?? [];
  for (const entry of layers) {
    if (entry.class_name === 'InputLayer') continue;
    const name = String((entry.config as Json | undefined)?.name ?? entry.name);
    if (!into.has(name)) into.set(name, entry);
    if (MODEL_CLASSES.has(String(entry.class_name))) layerIndex(entry, into);
  }
  return into;
}

/** The keys of a layer's config a space may set: numbers, strings, booleans and lists of numbers. */
function tunableKeys(entry: Json): string[] {
  return Object.entries((entry.config as Json) ?? {})
    .filter(([key, value]) => {
      if (NOT_TUNABLE.has(key)) return false;
      if (Array.isArray(value)) return value.length > 0 && value.every((v) => typeof v === 'number');
      return typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean';
    })
    .map(([key]) => key);
}

/** A `<layer>.<key>` parameter resolved in the model, or a ConfigError saying what exists. */
function resolve(t: ModelFileTemplate, index: Map<string, Json>, name: string): { entry: Json; key: string } {
  const dot = name.lastIndexOf('.');
  const accepted = `${Object.keys(TRAINING_RULES).join(', ')}, or <layer>.<key> for a layer of ${t.source}`;
  if (dot <= 0) {
    const layers = [...index.keys()];
    const hint =
      layers.length > 0
        ? `Layers: ${layers.join(', ')} (e.g. '${layers[0]}.${tunableKeys(index.get(layers[0]!)!)[0] ?? 'units'}').`
        : '';
    throw new ConfigError(invalid('space', name, accepted, name, hint));
  }
  const layerName = name.slice(0, dot);
  const entry = index.get(layerName);
  if (entry === undefined) {
    const guess = suggestKey(layerName, [...index.keys()]);
    throw new ConfigError(
      invalid(
        'space',
        name,
        `a layer of ${t.source} (${[...index.keys()].join(', ')})`,
        layerName,
        guess ? `Did you mean '${guess}${name.slice(dot)}'?` : 'See `convkit summary` for the layer names.',
      ),
    );
  }
  const keys = tunableKeys(entry);
  const key = snake(name.slice(dot + 1));
  if (!keys.includes(key)) {
    const guess = suggestKey(key, keys);
    throw new ConfigError(
      invalid(
        'space',
        name,
        `a config value of layer '${layerName}' (${entry.class_name}): ${keys.join(', ')}`,
        name.slice(dot + 1),
        guess ? `Did you mean '${layerName}.${guess}'?` : '',
      ),
    );
  }
  return { entry, key };
}

/** Sets one config value (a number for a list of numbers sets every element, as Keras's kernel_size 3 = [3, 3]). */
function assign(config: Json, key: string, value: ParamValue): void {
  const before = config[key];
  config[key] = Array.isArray(before) && typeof value === 'number' ? before.map(() => value) : value;
}

function checkType(name: string, before: unknown, value: ParamValue): void {
  const expected = Array.isArray(before) ? 'number' : typeof before;
  if (typeof value !== expected) {
    throw new ConfigError(invalid('space', name, `a ${expected} like the file's ${describe(before)}`, value));
  }
}

/** Every value a space can give a parameter (a continuous range: its bounds). */
function possibleValues(spec: SearchSpace['parameters'][number]['spec']): ParamValue[] {
  if (spec.type === 'fixed') return [spec.value];
  if (spec.type === 'choice') return spec.values;
  return [spec.min, spec.max];
}

/**
 * Refuses a space the model cannot take, before any data is loaded: names that are neither training parameters nor
 * a layer's config value, values of the wrong type, and values the layer refuses (each checked by building).
 */
export function checkModelFileSpace(t: ModelFileTemplate, space: SearchSpace): void {
  const index = layerIndex(t.config);
  for (const { name, spec } of space.parameters) {
    const rule = TRAINING_RULES[name];
    if (rule) {
      for (const value of possibleValues(spec)) {
        if (!rule.check(value)) throw new ConfigError(invalid('space', name, rule.expected, value));
      }
      continue;
    }
    const { entry, key } = resolve(t, index, name);
    for (const value of possibleValues(spec)) {
      checkType(name, (entry.config as Json)[key], value);
      try {
        buildFileModel(t, { [name]: value });
      } catch (error) {
        const why =
          error instanceof Error ? error.message.replace(/^'[^']*': the model config cannot be built: /, '') : String(error);
        throw new ConfigError(
          invalid(
            'space',
            name,
            `a value layer '${name.slice(0, name.lastIndexOf('.'))}' accepts`,
            value,
            `The layer says: ${why}`,
          ),
        );
      }
    }
  }
}

/** The compiled model of a trial: the file's architecture with the trial's values, fresh weights, its optimizer. */
export function buildFileModel(t: ModelFileTemplate, params: Params): { model: Model; batchSize: number } {
  const json = structuredClone(t.config);
  const index = layerIndex(json);
  for (const [name, value] of Object.entries(params)) {
    if (name in TRAINING_RULES) continue;
    const { entry, key } = resolve(t, index, name);
    assign(entry.config as Json, key, value);
  }
  const model = modelFromFileConfig(json, t.source);
  const lr = params.lr as number | undefined;
  let optimizer: ReturnType<typeof optimizerFromKeras> | string | { name: string; learningRate: number };
  if (params.optimizer !== undefined || t.optimizer === null) {
    const name = String(params.optimizer ?? 'adam').toLowerCase();
    optimizer = lr === undefined ? name : { name, learningRate: lr };
  } else {
    const config = { ...((t.optimizer.config as Json | undefined) ?? {}) };
    if (lr !== undefined) config.learning_rate = lr;
    optimizer = optimizerFromKeras({ ...t.optimizer, config }, t.source);
  }
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return { model, batchSize: (params.batchSize as number | undefined) ?? 64 };
}

/** Refuses data the model cannot take (image size, channels, class count), before any training. */
export function checkModelFileFits(t: ModelFileTemplate, imageShape: [number, number, number], numClasses: number): void {
  const { model } = buildFileModel(t, {});
  const input = model.inputs[0]?.shape.slice(1) ?? [];
  if (model.inputs.length !== 1 || JSON.stringify(input) !== JSON.stringify(imageShape)) {
    throw new ConfigError(
      invalid(
        '--model',
        'model',
        `${t.source} to take the data's images ${describe(imageShape)} (height, width, channels)`,
        `inputs ${model.inputs.map((i) => describe(i.shape.slice(1))).join(', ')}`,
        'With --data, --image-size and --color-mode set the image shape.',
      ),
    );
  }
  const units = model.outputs[0]?.shape.at(-1);
  if (model.outputs.length !== 1 || units !== numClasses) {
    throw new ConfigError(
      invalid(
        '--model',
        'model',
        `${t.source} to have one output of ${numClasses} class scores (the data has ${numClasses} classes)`,
        `${units} output unit(s)`,
        'Tune a model whose last layer matches the classes, or set its units in the space.',
      ),
    );
  }
}

/** A float32 learning rate as people write it (0.001, not 0.0010000000474974513); a schedule as its JSON. */
function formatRate(rate: unknown): string {
  return typeof rate === 'number' ? String(Number(rate.toPrecision(6))) : describe(rate);
}

/** For messages: how a trial's optimizer is chosen. */
export function describeModelFile(t: ModelFileTemplate): string {
  const opt = t.optimizer
    ? `${t.optimizer.class_name} from the file (learning rate ${formatRate((t.optimizer.config as Json | undefined)?.learning_rate)})`
    : `Adam (${t.optimizerNote ?? 'no optimizer in the file'})`;
  return `${t.source}: ${layerIndex(t.config).size} layers, fresh weights per trial, optimizer ${opt} unless the space sets one`;
}
