// The Keras 3 weights layout (model.weights.h5 inside .keras, and .weights.h5): `layers/<auto>/vars/<i>` where
// <auto> is Keras's per-container class-name counter (conv2d, conv2d_1, ...), nested models as
// `layers/<auto>/layers/...`, optimizer variables under `optimizer/vars/<i>`. Weights map to layers by that
// structure (falling back to the `vars` group's `name` attribute), never by hard-coded names.
// Not here: the Keras 2 legacy `.h5` layout (model_weights/<layer>/<weight_names>): legacy-h5-weights.ts.

import { FormatError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import type { Model } from '../models/model.js';
import { formatShape } from '../tensor.js';
import {
  ensureGroup,
  type Group,
  getDataset,
  getGroup,
  type H5File,
  readFloat32,
  stringAttr,
  writeFloat32,
  writeInt64,
} from './h5.js';

/** Keras's naming.to_snake_case of a class name: 'MaxPooling2D' -> 'max_pooling2d', 'ReLU' -> 're_lu'. */
export function kerasSnakeCase(className: string): string {
  return className
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** The group names Keras's saver gives a container's layers, in order. */
export function autoLayerNames(layers: readonly Layer[]): string[] {
  const used = new Map<string, number>();
  return layers.map((layer) => {
    const base = kerasSnakeCase(layer.className);
    const count = used.get(base);
    used.set(base, count === undefined ? 0 : count + 1);
    return count === undefined ? base : `${base}_${count + 1}`;
  });
}

/** Sub-layers when `layer` is itself a model (nested Sequential / Functional), else null. */
function childLayers(layer: Layer): Layer[] | null {
  const layers = (layer as Partial<Model>).layers;
  return Array.isArray(layers) ? layers : null;
}

function writeContainer(group: Group, name: string, layers: readonly Layer[]): void {
  ensureGroup(group, 'vars').create_attribute('name', name);
  const names = autoLayerNames(layers);
  layers.forEach((layer, i) => {
    const layerGroup = ensureGroup(group, `layers/${names[i]}`);
    const children = childLayers(layer);
    if (children) {
      writeContainer(layerGroup, layer.name, children);
      return;
    }
    const vars = ensureGroup(layerGroup, 'vars');
    vars.create_attribute('name', layer.name);
    for (const [j, w] of layer.weights.entries()) writeFloat32(vars, String(j), w.value, w.shape);
  });
}

/** Optimizer state to save: Keras order (iterations, learning_rate, slots per trainable weight). */
export interface OptimizerVars {
  name: string;
  values: Float32Array[];
}

/** Slot shapes: each trainable weight's shape repeated per slot, when the counts line up; else flat. */
function slotShape(model: Model, values: Float32Array[], index: number): number[] {
  const trainable = model.trainableWeights;
  const perWeight = trainable.length > 0 ? (values.length - 2) / trainable.length : 0;
  const weight = Number.isInteger(perWeight) && perWeight > 0 ? trainable[Math.floor((index - 2) / perWeight)] : undefined;
  const value = values[index]!;
  return weight && weight.value.length === value.length ? weight.shape : [value.length];
}

/** Writes the model's weights and, when given, optimizer variables in the Keras 3 layout. */
export function writeKerasWeights(file: H5File, model: Model, optimizer: OptimizerVars | null): void {
  writeContainer(file, model.name, model.layers);
  if (!optimizer) return;
  const vars = ensureGroup(file, 'optimizer/vars');
  vars.create_attribute('name', optimizer.name);
  optimizer.values.forEach((value, i) => {
    if (i === 0) writeInt64(vars, '0', [value[0] ?? 0], []);
    else writeFloat32(vars, String(i), value, i === 1 ? [] : slotShape(model, optimizer.values, i));
  });
}

/** Datasets vars/0..n-1 of a group, in numeric order. */
function numberedDatasets(vars: Group): string[] {
  return vars
    .keys()
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b));
}

interface ReadContext {
  source: string;
  /** Layer group paths consumed, to detect weights the model has no place for. */
  used: Set<string>;
}

function findLayerGroup(container: Group, autoName: string, layer: Layer): Group | null {
  const byAuto = getGroup(container, `layers/${autoName}`);
  if (byAuto) return byAuto;
  const layersGroup = getGroup(container, 'layers');
  if (!layersGroup) return null;
  for (const key of layersGroup.keys()) {
    const vars = getGroup(layersGroup, `${key}/vars`);
    if (vars && stringAttr(vars, 'name') === layer.name) return getGroup(layersGroup, key);
  }
  return null;
}

function readContainer(container: Group, path: string, layers: readonly Layer[], ctx: ReadContext): void {
  const names = autoLayerNames(layers);
  layers.forEach((layer, i) => {
    const children = childLayers(layer);
    const hasWeights = children
      ? layer.weights.length > 0 || children.some((c) => c.weights.length > 0)
      : layer.weights.length > 0;
    const group = findLayerGroup(container, names[i]!, layer);
    const groupPath = `${path}layers/${names[i]}`;
    if (!group) {
      if (!hasWeights) return;
      throw new FormatError(
        `'${ctx.source}': no weights for layer '${layer.name}' (${layer.className}). Expected an HDF5 group '${groupPath}' (or one whose vars name is '${layer.name}'), received groups [${getGroup(container, 'layers')?.keys().join(', ') ?? ''}]. Hint: the file was saved from a different architecture.`,
      );
    }
    ctx.used.add(groupPath);
    if (children) {
      readContainer(group, `${groupPath}/`, children, ctx);
      return;
    }
    const vars = getGroup(group, 'vars');
    const keys = vars ? numberedDatasets(vars) : [];
    if (keys.length !== layer.weights.length) {
      throw new FormatError(
        `'${ctx.source}': layer '${layer.name}' (${layer.className}) has the wrong number of weights. Expected ${layer.weights.length} (${layer.weights.map((w) => w.name).join(', ') || 'none'}) in '${groupPath}/vars', received ${keys.length}. Hint: the layer config (use_bias, center/scale) differs from the file's.`,
      );
    }
    const values = keys.map((key, j) => {
      const dataset = getDataset(vars!, key);
      const weight = layer.weights[j]!;
      if (!dataset)
        throw new FormatError(
          `'${ctx.source}': '${groupPath}/vars/${key}' is not a dataset. Expected the '${weight.name}' array. Hint: the file is damaged.`,
        );
      const { shape, data } = readFloat32(dataset);
      if (shape.join(',') !== weight.shape.join(',')) {
        throw new FormatError(
          `'${ctx.source}': weight '${layer.name}/${weight.name}' has the wrong shape. Expected ${formatShape(weight.shape)}, received ${formatShape(shape)} at '${groupPath}/vars/${key}'. Hint: the model's input shape or layer sizes differ from the file's.`,
        );
      }
      return data;
    });
    layer.setWeights(values);
  });
  // Groups with weights that no layer claimed mean the file has layers the model lacks.
  const layersGroup = getGroup(container, 'layers');
  for (const key of layersGroup?.keys() ?? []) {
    const groupPath = `${path}layers/${key}`;
    if (ctx.used.has(groupPath)) continue;
    const vars = getGroup(layersGroup!, `${key}/vars`);
    if (vars && numberedDatasets(vars).length > 0) {
      throw new FormatError(
        `'${ctx.source}': the file has weights at '${groupPath}' that no layer of the model takes. Expected ${layers.length} layers matching the file, received an extra group. Hint: the file was saved from a bigger or different model.`,
      );
    }
  }
}

/** Sets every layer's weights from a Keras 3 weights file; FormatError on missing/extra groups or shape mismatch. */
export function readKerasWeights(file: H5File, model: Model, source: string): void {
  if (!getGroup(file, 'layers')) {
    const found = file.keys().join(', ');
    const legacy = file.keys().includes('model_weights') || getGroup(file, '/')?.attrs.layer_names !== undefined;
    throw new FormatError(
      `'${source}': no 'layers' group. Expected Keras 3 weights (layers/<name>/vars/<i>), received root groups [${found}]. Hint: ${legacy ? 'this is a Keras 2 legacy .h5 layout: read it with loadModel or loadWeights, which recognise it.' : 'the file is not a Keras weights file.'}`,
    );
  }
  readContainer(file, '', model.layers, { source, used: new Set() });
}

/** The optimizer variables (optimizer/vars/0..n-1) as float32 arrays, or null when the file has none. */
export function readOptimizerVars(file: H5File): Float32Array[] | null {
  const vars = getGroup(file, 'optimizer/vars');
  if (!vars) return null;
  return numberedDatasets(vars).map((key) => readFloat32(getDataset(vars, key)!).data);
}
