// `exportOnnx(model, path, { opset })`: a convkit model as an ONNX file (opset 13 to 21) that keeps Keras's input
// signature: the graph input is NHWC with a dynamic batch dimension and the input layer's name, a Transpose to NCHW
// sits in front of the first convolution (as tf2onnx does), and the output has the output layer's name. Nested
// models are inlined. The whole graph is converted before the file is written (atomically), so an unsupported
// layer leaves nothing behind. Not here: per-layer conversion (onnx-layers.ts), the protobuf schema (onnx-proto.ts).

import { ConfigError, describe, invalid } from '../errors.js';
import { Model } from '../models/model.js';
import { checkOptions } from '../options.js';
import type { Shape } from '../tensor.js';
import { atomicWriteBytes } from './atomic-write.js';
import { checkWritable } from './file-checks.js';
import { convkitVersion } from './keras-file.js';
import { OnnxGraphBuilder, type Value } from './onnx-graph.js';
import { convertLayer } from './onnx-layers.js';
import { DataType, encodeOnnxModel, type OnnxModel, type OnnxValueInfo } from './onnx-proto.js';

export interface ExportOnnxOptions {
  /** ONNX operator set version, 13 to 21 (default 13, which every current runtime reads). */
  opset?: number;
}

export const DEFAULT_OPSET = 13;
const MAX_OPSET = 21;

/** The IR version each opset was released with (onnx/onnx docs/Versioning.md). */
function irVersionFor(opset: number): number {
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}

function valueInfo(name: string, shape: Shape): OnnxValueInfo {
  const dim = shape.map((d, i) => (d === null ? { dimParam: i === 0 ? 'batch' : `${name}_dim${i}` } : { dimValue: d }));
  return { name, type: { tensorType: { elemType: DataType.FLOAT, shape: { dim } } } };
}

/** Emits the layers of `model` (nested models inlined) on `inputs`; returns the output value. */
function emitModel(g: OnnxGraphBuilder, model: Model, inputs: Value[]): Value {
  const values: Value[] = [...inputs];
  let last = inputs[0]!;
  for (const node of model.graphNodes) {
    const ins = node.inSlots.map((slot) => values[slot]!);
    last = node.layer instanceof Model ? emitModel(g, node.layer, ins) : convertLayer(g, node.layer, ins, node.tensor.shape);
    values[node.outSlot] = last;
  }
  return last;
}

/**
 * The ONNX ModelProto (as a plain object) for a built model.
 * @example const proto = onnxModelOf(model, 13); proto.graph.node.length
 */
export function onnxModelOf(model: Model, opset: number = DEFAULT_OPSET): OnnxModel {
  const g = new OnnxGraphBuilder();
  const inputs = model.inputs.map((t) => ({ name: g.reserve(t.name), shape: t.shape, layout: 'keras' as const }));
  const result = g.inLayout(emitModel(g, model, inputs), 'keras');
  if (inputs.some((v) => v.name === result.name)) {
    throw new ConfigError(
      `exportOnnx: model '${model.name}' computes nothing at inference (its layers are all identities there). Expected at least one layer such as Conv2D or Dense, received ${model.layers.map((l) => l.className).join(', ')}.`,
    );
  }
  const outputName = model.outputs[0]!.name;
  if (result.name !== outputName) {
    if (g.nodes.some((n) => n.output.includes(outputName))) g.rename(outputName, g.uniqueName(`${outputName}/inner`));
    g.rename(result.name, outputName);
  }
  return {
    irVersion: irVersionFor(opset),
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'convkit',
    producerVersion: convkitVersion(),
    docString: `Model '${model.name}' exported by convkit. Input: NHWC float32 images, as for the Keras model.`,
    graph: {
      name: model.name,
      node: g.nodes,
      initializer: g.initializers,
      input: inputs.map((v) => valueInfo(v.name, v.shape)),
      output: [valueInfo(outputName, result.shape)],
    },
  };
}

/**
 * The opset when exportOnnx can write it (an integer from 13 to 21), else a ConfigError naming `where`.
 * @example checkOpset(17, 'convert');
 */
export function checkOpset(opset: unknown, where: string): number {
  if (typeof opset !== 'number' || !Number.isInteger(opset) || opset < DEFAULT_OPSET || opset > MAX_OPSET) {
    throw new ConfigError(
      invalid(
        where,
        'opset',
        `an integer from ${DEFAULT_OPSET} to ${MAX_OPSET}`,
        opset,
        'Hint: opset 13 is read by every current ONNX runtime; newer runtimes read up to 21.',
      ),
    );
  }
  return opset;
}

/**
 * Writes `model` as an ONNX file. Feed it the same NHWC float32 arrays as the convkit model (any batch size).
 * Dropout and the random augmentation layers are left out (they are identities at inference); a layer with no
 * ONNX form throws a ConfigError naming it, and nothing is written.
 * @example await exportOnnx(model, 'model.onnx'); // onnxruntime: session.run({ [session.inputNames[0]]: tensor })
 */
export async function exportOnnx(model: Model, path: string, rawOptions?: ExportOnnxOptions): Promise<void> {
  const options = checkOptions<ExportOnnxOptions>('exportOnnx', rawOptions, ['opset']);
  const opset = checkOpset(options.opset ?? DEFAULT_OPSET, 'exportOnnx');
  if (!(model instanceof Model) || !model.built) {
    throw new ConfigError(
      `exportOnnx: invalid 'model'. Expected a built convkit model (input shape known), received ${model instanceof Model ? `'${model.name}', not built yet` : describe(model)}. Hint: give the first layer an inputShape, or call predict once first.`,
    );
  }
  checkWritable(path, 'exportOnnx');
  const bytes = await encodeOnnxModel(onnxModelOf(model, opset));
  await atomicWriteBytes(path, bytes);
}
