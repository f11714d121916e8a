// Building an ONNX graph: unique tensor names, float32/int64 initializers, nodes with typed attributes, and the
// layout of every 4-D value. convkit (like Keras) computes NHWC; ONNX's Conv and pooling want NCHW. Each value
// records whether it is stored NCHW or in Keras's own order, and `inLayout` inserts the Transpose between the two
// once per value (as tf2onnx does), so a chain of convolutions stays NCHW and only the model's edges, Flatten and
// Dense see Keras's order. Not here: what each layer becomes (onnx-layers.ts).

import type { Shape } from '../tensor.js';
import { AttributeType, DataType, type OnnxAttribute, type OnnxNode, type OnnxTensor } from './onnx-proto.js';

/** 'keras': the ONNX tensor has the Keras shape (N, H, W, C). 'nchw': a 4-D value stored as (N, C, H, W). */
export type Layout = 'keras' | 'nchw';

/** A tensor flowing through the graph: its ONNX name, its Keras shape (batch first, null when dynamic), its layout. */
export interface Value {
  name: string;
  shape: Shape;
  layout: Layout;
}

/** Keras axis (of a 4-D value) -> the same axis in NCHW order. */
const NCHW_AXIS = [0, 2, 3, 1];

export const attr = {
  int: (name: string, i: number): OnnxAttribute => ({ name, type: AttributeType.INT, i }),
  ints: (name: string, ints: number[]): OnnxAttribute => ({ name, type: AttributeType.INTS, ints }),
  float: (name: string, f: number): OnnxAttribute => ({ name, type: AttributeType.FLOAT, f }),
  string: (name: string, s: string): OnnxAttribute => ({ name, type: AttributeType.STRING, s: new TextEncoder().encode(s) }),
};

function float32Bytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i]!, true);
  return out;
}

function int64Bytes(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  for (const [i, v] of values.entries()) view.setBigInt64(8 * i, BigInt(v), true);
  return out;
}

export class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly names = new Set<string>();
  private readonly transposed = new Map<string, Value>();

  /** `base`, or `base_1`, `base_2` ... if taken. */
  uniqueName(base: string): string {
    let name = base;
    for (let i = 1; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  /** Reserves a name given by the caller (a graph input). */
  reserve(name: string): string {
    this.names.add(name);
    return name;
  }

  /** A float32 initializer; returns its name. */
  floats(base: string, dims: number[], values: ArrayLike<number>): string {
    const name = this.uniqueName(base);
    this.initializers.push({ name, dims, dataType: DataType.FLOAT, rawData: float32Bytes(values) });
    return name;
  }

  /** A 1-D int64 initializer (shapes, pads, slice bounds); returns its name. */
  int64s(base: string, values: number[]): string {
    const name = this.uniqueName(base);
    this.initializers.push({ name, dims: [values.length], dataType: DataType.INT64, rawData: int64Bytes(values) });
    return name;
  }

  /** Adds a node with one output named after `outputBase`; returns the output name. */
  node(opType: string, inputs: string[], outputBase: string, attributes: OnnxAttribute[] = []): string {
    const output = this.uniqueName(outputBase);
    this.nodes.push({ name: output, opType, input: inputs, output: [output], attribute: attributes });
    return output;
  }

  /** The value in the requested layout: itself, or a (cached) Transpose of it. Only 4-D values have two layouts. */
  inLayout(value: Value, layout: Layout): Value {
    if (value.shape.length !== 4 || value.layout === layout) return value;
    const key = `${value.name}|${layout}`;
    const cached = this.transposed.get(key);
    if (cached) return cached;
    const perm = layout === 'nchw' ? [0, 3, 1, 2] : [0, 2, 3, 1];
    const name = this.node('Transpose', [value.name], `${value.name}/${layout === 'nchw' ? 'to_nchw' : 'to_nhwc'}`, [
      attr.ints('perm', perm),
    ]);
    const result = { name, shape: value.shape, layout };
    this.transposed.set(key, result);
    return result;
  }

  /** A Keras axis (negative allowed) as the axis of `value`'s ONNX tensor. */
  axisOf(value: Value, kerasAxis: number): number {
    const rank = value.shape.length;
    const axis = kerasAxis < 0 ? kerasAxis + rank : kerasAxis;
    return value.layout === 'nchw' && rank === 4 ? NCHW_AXIS[axis]! : axis;
  }

  /** Renames a tensor everywhere (node inputs and outputs), to give the graph output its final name. */
  rename(from: string, to: string): void {
    for (const node of this.nodes) {
      node.input = node.input.map((n) => (n === from ? to : n));
      node.output = node.output.map((n) => (n === from ? to : n));
      if (node.name === from) node.name = to;
    }
    this.names.add(to);
  }
}

/**
 * TensorFlow's 'same' padding for one spatial axis: [begin, end], the extra cell at the end.
 * @example samePads(224, 3, 2, 1) // [0, 1]
 */
export function samePads(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effective - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}
