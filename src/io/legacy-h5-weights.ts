// The Keras 2 legacy HDF5 weights layout, read and written: a group (`model_weights` in a full-model file, the
// root in a weights-only file) whose `layer_names` attribute lists one group per layer, each with a
// `weight_names` attribute giving its datasets in Keras's order (trainable weights, then non-trainable). Nested
// models keep all their weights in their own group, named `<inner layer>/<weight>:0`. Weights map to layers by
// those attributes (by layer name, or by order as Keras's default), never by hard-coded group or layer names.

import { FormatError } from '../errors.js';
import type { Layer, LayerWeight } from '../layers/layer.js';
import type { Model } from '../models/model.js';
import { formatShape } from '../tensor.js';
import { ensureGroup, type Group, getDataset, getGroup, readFloat32, writeFloat32 } from './h5.js';

/** What loadWeights did: which layers got weights, which did not, and what it skipped. */
export interface WeightsReport {
  /** The file read. */
  path: string;
  /** 'legacy-h5' (Keras 2 layer_names/weight_names) or 'keras' (Keras 3 layers/<name>/vars). */
  format: 'legacy-h5' | 'keras';
  /** True when file groups were matched to layers by name, false when by order (Keras's by_name=False). */
  byName: boolean;
  /** Names of the model's layers that received weights. */
  matched: string[];
  /** Layers of the model with weights that found no group in the file (they keep their values). */
  missingInFile: string[];
  /** Groups of the file holding weights that no layer took. */
  unusedInFile: string[];
  /** Weights left alone because their shapes differ (only with skipMismatch). */
  skipped: { layer: string; weight: string; expected: number[]; received: number[] }[];
}

export interface LegacyWeightsOptions {
  byName: boolean;
  skipMismatch: boolean;
  /** Refuse missing layers and unused groups (loading a full model from its own file). */
  strict: boolean;
}

/** A string-array attribute (fixed-length, variable-length, or an empty numeric array), or null when absent. */
export function stringListAttr(entity: Group, name: string): string[] | null {
  const attr = entity.attrs[name];
  if (!attr) return null;
  const value = attr.value as unknown;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.map(String);
  if (ArrayBuffer.isView(value) && (value as unknown as ArrayLike<unknown>).length === 0) return [];
  return null;
}

/** True when `group` lists layer groups the Keras 2 way. */
export function hasLegacyLayout(group: Group): boolean {
  return stringListAttr(group, 'layer_names') !== null;
}

/** Sub-layers when `layer` is itself a model (nested Sequential / Functional), else null. */
function childLayers(layer: Layer): Layer[] | null {
  const layers = (layer as Partial<Model>).layers;
  return Array.isArray(layers) ? layers : null;
}

/** The layers that own weights inside `layer` (itself, or the leaves of a nested model), depth first. */
function leafLayers(layer: Layer): Layer[] {
  const children = childLayers(layer);
  return children ? children.flatMap(leafLayers) : [layer];
}

/** Keras's `_legacy_weights(layer)`: trainable weights, then non-trainable ones (the weight_names order). */
export function legacyWeightOrder(layer: Layer): LayerWeight[] {
  return [...layer.trainableWeights, ...layer.nonTrainableWeights];
}

/** The owner and short name of each weight of `layer` in legacy order: ('Conv1', 'kernel'). */
function legacyWeightOwners(layer: Layer): { owner: Layer; weight: LayerWeight }[] {
  const owners = new Map<LayerWeight, Layer>();
  for (const leaf of leafLayers(layer)) for (const w of leaf.weights) owners.set(w, leaf);
  return legacyWeightOrder(layer).map((weight) => ({ owner: owners.get(weight) ?? layer, weight }));
}

/** The weight_names Keras 2 writes for a layer: 'dense/kernel:0', or 'Conv1/kernel:0' inside a nested model. */
export function legacyWeightNames(layer: Layer): string[] {
  return legacyWeightOwners(layer).map(({ owner, weight }) => `${owner.name}/${weight.name}:0`);
}

interface FileLayer {
  name: string;
  group: Group;
  weightNames: string[];
}

/** The file's layer groups in `layer_names` order (weights-less ones included). */
function fileLayers(root: Group, source: string): FileLayer[] {
  const names = stringListAttr(root, 'layer_names');
  if (!names) {
    throw new FormatError(
      `'${source}': no 'layer_names' attribute. Expected Keras 2 HDF5 weights (layer_names listing groups with weight_names), received groups [${root.keys().join(', ')}]. Hint: the file is not a Keras weights file.`,
    );
  }
  return names.map((name) => {
    const group = getGroup(root, name);
    if (!group) {
      throw new FormatError(
        `'${source}': layer_names lists '${name}' but the file has no such group. Expected a group per listed layer, received groups [${root.keys().join(', ')}]. Hint: the file is damaged.`,
      );
    }
    return { name, group, weightNames: stringListAttr(group, 'weight_names') ?? [] };
  });
}

/** Splits 'model/Conv1/kernel:0' into its layer part ('Conv1') and weight part ('kernel'). */
function splitWeightName(name: string): { layer: string | undefined; weight: string } {
  const parts = name.replace(/:\d+$/, '').split('/');
  return { layer: parts.at(-2), weight: parts.at(-1) ?? name };
}

/**
 * Pairs a file group's weight_names with the layer's weights: by (layer, weight) name when every name resolves
 * to one distinct weight, else by order as Keras does (names written by old sessions can carry suffixes).
 */
function pairWeights(layer: Layer, names: string[]): LayerWeight[] {
  const owners = legacyWeightOwners(layer);
  const single = !childLayers(layer);
  const taken = new Set<LayerWeight>();
  const byName: LayerWeight[] = [];
  for (const name of names) {
    const { layer: layerPart, weight } = splitWeightName(name);
    const hit = owners.find((o) => !taken.has(o.weight) && o.weight.name === weight && (single || o.owner.name === layerPart));
    if (!hit) break;
    taken.add(hit.weight);
    byName.push(hit.weight);
  }
  return byName.length === names.length ? byName : owners.map((o) => o.weight);
}

function assignGroup(layer: Layer, file: FileLayer, source: string, options: LegacyWeightsOptions, report: WeightsReport): void {
  const targets = pairWeights(layer, file.weightNames);
  if (targets.length !== file.weightNames.length) {
    throw new FormatError(
      `'${source}': layer '${layer.name}' (${layer.className}) has the wrong number of weights. Expected ${targets.length} (${legacyWeightNames(layer).join(', ') || 'none'}), received ${file.weightNames.length} in group '${file.name}' (${file.weightNames.join(', ')}). Hint: the layer config (use_bias, center/scale) or the architecture differs from the file's.`,
    );
  }
  const values: { weight: LayerWeight; data: Float32Array }[] = [];
  for (const [i, name] of file.weightNames.entries()) {
    const weight = targets[i]!;
    const dataset = getDataset(file.group, name);
    if (!dataset) {
      throw new FormatError(
        `'${source}': group '${file.name}' lists weight '${name}' but has no such dataset. Expected the '${weight.name}' array. Hint: the file is damaged.`,
      );
    }
    const { shape, data } = readFloat32(dataset);
    if (shape.join(',') !== weight.shape.join(',')) {
      if (options.skipMismatch) {
        report.skipped.push({ layer: layer.name, weight: name, expected: weight.shape, received: shape });
        continue;
      }
      throw new FormatError(
        `'${source}': weight '${file.name}/${name}' does not fit layer '${layer.name}'. Expected shape ${formatShape(weight.shape)}, received ${formatShape(shape)}. Hint: the model's input shape or layer sizes differ from the file's; pass { skipMismatch: true } to leave such weights alone.`,
      );
    }
    values.push({ weight, data });
  }
  // Each value is checked (finite, right length) by the owning layer's setWeights; a nested model sets leaf by leaf.
  const pending = new Map(values.map((v) => [v.weight, v.data]));
  for (const leaf of leafLayers(layer)) {
    if (!leaf.weights.some((w) => pending.has(w))) continue;
    leaf.setWeights(leaf.weights.map((w) => pending.get(w) ?? w.value));
  }
  report.matched.push(layer.name);
}

/** Top-level layers of the model that own weights (a nested model counts as one layer, as in Keras). */
function weightedLayers(model: Model): Layer[] {
  return model.layers.filter((layer) => layer.weights.length > 0);
}

/**
 * Sets the model's weights from a legacy layout rooted at `root` and reports what matched. By name: each layer
 * takes the group of its name. By order: the i-th layer with weights takes the i-th group with weights.
 */
export function readLegacyWeights(root: Group, model: Model, source: string, options: LegacyWeightsOptions): WeightsReport {
  const report: WeightsReport = {
    path: source,
    format: 'legacy-h5',
    byName: options.byName,
    matched: [],
    missingInFile: [],
    unusedInFile: [],
    skipped: [],
  };
  const groups = fileLayers(root, source).filter((g) => g.weightNames.length > 0);
  const layers = weightedLayers(model);
  if (options.byName) {
    const byName = new Map(groups.map((g) => [g.name, g]));
    for (const layer of layers) {
      const group = byName.get(layer.name);
      if (group) {
        assignGroup(layer, group, source, options, report);
        byName.delete(layer.name);
      } else report.missingInFile.push(layer.name);
    }
    report.unusedInFile.push(...byName.keys());
  } else {
    if (groups.length !== layers.length && !options.skipMismatch) {
      throw new FormatError(
        `'${source}': the file has weights for ${groups.length} layers but the model has ${layers.length} layers with weights. Expected the same layers in the same order (Keras's by_name=False), received groups [${groups.map((g) => g.name).join(', ')}] for layers [${layers.map((l) => l.name).join(', ')}]. Hint: pass { byName: true } to match layers by name.`,
      );
    }
    const n = Math.min(groups.length, layers.length);
    for (let i = 0; i < n; i++) assignGroup(layers[i]!, groups[i]!, source, options, report);
    report.missingInFile.push(...layers.slice(n).map((l) => l.name));
    report.unusedInFile.push(...groups.slice(n).map((g) => g.name));
  }
  if (options.strict && (report.missingInFile.length > 0 || report.unusedInFile.length > 0)) {
    throw new FormatError(
      `'${source}': the weights do not match the model. Expected a group for every layer with weights, received none for [${report.missingInFile.join(', ')}] and unused groups [${report.unusedInFile.join(', ')}]. Hint: the file's model_config and model_weights disagree; the file is damaged.`,
    );
  }
  if (report.matched.length === 0 && layers.length > 0) {
    throw new FormatError(
      `'${source}': no layer of model '${model.name}' matches the file. Expected groups named like the layers [${layers.map((l) => l.name).join(', ')}], received groups [${groups.map((g) => g.name).join(', ')}]. Hint: ${options.byName ? 'pass { byName: false } to match layers by order, as Keras does by default' : 'the file belongs to another architecture'}.`,
    );
  }
  return report;
}

/** Writes the model's weights in the Keras 2 layout under `root` (layer_names, weight_names, `<layer>/<layer>/<w>:0`). */
export function writeLegacyWeights(root: Group, model: Model): void {
  const layers = model.layers;
  root.create_attribute(
    'layer_names',
    layers.map((l) => l.name),
  );
  for (const layer of layers) {
    const group = ensureGroup(root, layer.name);
    const names = legacyWeightNames(layer);
    group.create_attribute('weight_names', names);
    legacyWeightOrder(layer).forEach((weight, i) => {
      const name = names[i]!;
      const slash = name.lastIndexOf('/');
      writeFloat32(ensureGroup(group, name.slice(0, slash)), name.slice(slash + 1), weight.value, weight.shape, true);
    });
  }
}

/** One line per kind of trouble, for a user who asked for the weights to load. */
export function formatWeightsReport(report: WeightsReport): string {
  const lines = [
    `loadWeights '${report.path}' (${report.format}, matched by ${report.byName ? 'layer name' : 'order'}): ${report.matched.length} layers loaded`,
  ];
  if (report.missingInFile.length > 0) lines.push(`  not in the file (weights kept): ${report.missingInFile.join(', ')}`);
  if (report.unusedInFile.length > 0) lines.push(`  in the file but unused: ${report.unusedInFile.join(', ')}`);
  for (const s of report.skipped)
    lines.push(`  skipped ${s.layer} ${s.weight}: model expects ${formatShape(s.expected)}, file has ${formatShape(s.received)}`);
  return lines.join('\n');
}
