// A summary of a weights-only HDF5 file (no architecture to build): its layers, each weight's shape and the
// parameter total, for `convkit summary` on files such as Keras Applications' *_no_top.h5. Reads the Keras 2
// layout (layer_names / weight_names) and the Keras 3 one (layers/<name>/vars/<i>).

import { formatShape } from '../tensor.js';
import { type Group, getDataset, getGroup, readH5File, stringAttr } from './h5.js';
import { stringListAttr } from './legacy-h5-weights.js';

export interface WeightsFileLayer {
  name: string;
  weights: { name: string; shape: number[] }[];
}

export interface WeightsFileSummary {
  path: string;
  format: 'legacy-h5' | 'keras';
  kerasVersion: string | null;
  layers: WeightsFileLayer[];
  totalParams: number;
}

const EXPECTED = 'a Keras weights file (.h5 with layer_names, or .weights.h5)';

function legacyLayers(root: Group): WeightsFileLayer[] {
  return (stringListAttr(root, 'layer_names') ?? []).map((name) => {
    const group = getGroup(root, name);
    const weightNames = group ? (stringListAttr(group, 'weight_names') ?? []) : [];
    return {
      name,
      weights: weightNames.map((w) => ({ name: w, shape: (group && getDataset(group, w)?.shape) ?? [] })),
    };
  });
}

/** Keras 3: layers/<name>/vars/<i>, nested containers as layers/<name>/layers/... */
function kerasLayers(container: Group, prefix: string, out: WeightsFileLayer[] = []): WeightsFileLayer[] {
  const layers = getGroup(container, 'layers');
  for (const key of layers?.keys() ?? []) {
    const group = getGroup(layers!, key)!;
    const vars = getGroup(group, 'vars');
    const indices = (vars?.keys() ?? []).filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
    if (indices.length > 0) {
      out.push({ name: `${prefix}${key}`, weights: indices.map((i) => ({ name: i, shape: getDataset(vars!, i)?.shape ?? [] })) });
    } else if (!getGroup(group, 'layers')) out.push({ name: `${prefix}${key}`, weights: [] });
    kerasLayers(group, `${prefix}${key}/`, out);
  }
  return out;
}

/** Reads the layer and weight listing of a weights-only file. */
export async function describeWeightsFile(path: string): Promise<WeightsFileSummary> {
  return readH5File(path, path, EXPECTED, (file) => {
    const keras3 = getGroup(file, 'layers') !== null;
    const layers = keras3 ? kerasLayers(file, '') : legacyLayers(file);
    const totalParams = layers.flatMap((l) => l.weights).reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1), 0);
    return { path, format: keras3 ? 'keras' : 'legacy-h5', kerasVersion: stringAttr(file, 'keras_version'), layers, totalParams };
  });
}

/** A Keras-summary-like table of a weights file. */
export function formatWeightsFileSummary(summary: WeightsFileSummary): string {
  const width = Math.max(
    30,
    ...summary.layers.flatMap((l) => l.weights.map((w) => w.name.length + 4)),
    ...summary.layers.map((l) => l.name.length + 2),
  );
  const rule = '_'.repeat(width + 34);
  const lines = [
    `Weights file: "${summary.path}" (${summary.format === 'keras' ? 'Keras 3 weights' : 'Keras weights-only .h5'}${summary.kerasVersion ? `, keras_version ${summary.kerasVersion}` : ''}; no architecture)`,
    rule,
    ` ${'Layer / weight'.padEnd(width)}${'Shape'.padEnd(22)}Param #`,
    '='.repeat(width + 34),
  ];
  for (const layer of summary.layers) {
    const params = layer.weights.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1), 0);
    lines.push(` ${layer.name.padEnd(width)}${''.padEnd(22)}${params.toLocaleString('en-US')}`);
    for (const w of layer.weights) {
      lines.push(
        `   ${w.name.padEnd(width - 2)}${formatShape(w.shape).padEnd(22)}${w.shape.reduce((a, b) => a * b, 1).toLocaleString('en-US')}`,
      );
    }
  }
  lines.push('='.repeat(width + 34));
  const weighted = summary.layers.filter((l) => l.weights.length > 0).length;
  lines.push(`Layers: ${summary.layers.length} (${weighted} with weights)`);
  lines.push(`Total params: ${summary.totalParams.toLocaleString('en-US')}`);
  lines.push(rule);
  return lines.join('\n');
}
