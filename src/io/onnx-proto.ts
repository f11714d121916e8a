// The ONNX protobuf messages convkit writes (ModelProto and what it contains), declared with protobufjs's
// reflection API from the field numbers of the ONNX specification (onnx/onnx.proto, IR version 10; field names
// camelCased as protobufjs's own .proto parser does), and the plain-object shapes the exporter fills in. Only what a single-graph float32 model needs: no sparse tensors,
// functions, training info or external data. protobufjs is loaded on first use.

/** A tensor stored in the graph (weights, shapes, constants); `rawData` is little-endian. */
export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

/** One attribute of a node; exactly one of the value fields is set, `type` says which. */
export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
}

export interface OnnxNode {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: OnnxAttribute[];
}

/** A graph input or output: float32 with a shape whose dimensions are numbers or symbolic names ('batch'). */
export interface OnnxValueInfo {
  name: string;
  type: { tensorType: { elemType: number; shape: { dim: ({ dimValue: number } | { dimParam: string })[] } } };
}

export interface OnnxModel {
  irVersion: number;
  opsetImport: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  docString?: string;
  graph: {
    name: string;
    node: OnnxNode[];
    initializer: OnnxTensor[];
    input: OnnxValueInfo[];
    output: OnnxValueInfo[];
  };
}

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT64: 7 } as const;

/** AttributeProto.AttributeType values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

type FieldSpec = [name: string, id: number, type: string, rule?: 'repeated'];

/** Message name -> fields, exactly as numbered in onnx.proto. */
const MESSAGES: Record<string, FieldSpec[]> = {
  ModelProto: [
    ['ir_version', 1, 'int64'],
    ['opset_import', 8, 'OperatorSetIdProto', 'repeated'],
    ['producer_name', 2, 'string'],
    ['producer_version', 3, 'string'],
    ['domain', 4, 'string'],
    ['model_version', 5, 'int64'],
    ['doc_string', 6, 'string'],
    ['graph', 7, 'GraphProto'],
    ['metadata_props', 14, 'StringStringEntryProto', 'repeated'],
  ],
  OperatorSetIdProto: [
    ['domain', 1, 'string'],
    ['version', 2, 'int64'],
  ],
  StringStringEntryProto: [
    ['key', 1, 'string'],
    ['value', 2, 'string'],
  ],
  GraphProto: [
    ['node', 1, 'NodeProto', 'repeated'],
    ['name', 2, 'string'],
    ['initializer', 5, 'TensorProto', 'repeated'],
    ['doc_string', 10, 'string'],
    ['input', 11, 'ValueInfoProto', 'repeated'],
    ['output', 12, 'ValueInfoProto', 'repeated'],
    ['value_info', 13, 'ValueInfoProto', 'repeated'],
  ],
  NodeProto: [
    ['input', 1, 'string', 'repeated'],
    ['output', 2, 'string', 'repeated'],
    ['name', 3, 'string'],
    ['op_type', 4, 'string'],
    ['domain', 7, 'string'],
    ['attribute', 5, 'AttributeProto', 'repeated'],
    ['doc_string', 6, 'string'],
  ],
  AttributeProto: [
    ['name', 1, 'string'],
    ['doc_string', 13, 'string'],
    ['type', 20, 'int32'],
    ['f', 2, 'float'],
    ['i', 3, 'int64'],
    ['s', 4, 'bytes'],
    ['t', 5, 'TensorProto'],
    ['floats', 7, 'float', 'repeated'],
    ['ints', 8, 'int64', 'repeated'],
    ['strings', 9, 'bytes', 'repeated'],
  ],
  TensorProto: [
    ['dims', 1, 'int64', 'repeated'],
    ['data_type', 2, 'int32'],
    ['float_data', 4, 'float', 'repeated'],
    ['int32_data', 5, 'int32', 'repeated'],
    ['int64_data', 7, 'int64', 'repeated'],
    ['name', 8, 'string'],
    ['doc_string', 12, 'string'],
    ['raw_data', 9, 'bytes'],
  ],
  ValueInfoProto: [
    ['name', 1, 'string'],
    ['type', 2, 'TypeProto'],
    ['doc_string', 3, 'string'],
  ],
  TypeProto: [
    ['tensor_type', 1, 'TypeProto.Tensor'],
    ['denotation', 6, 'string'],
  ],
  'TypeProto.Tensor': [
    ['elem_type', 1, 'int32'],
    ['shape', 2, 'TensorShapeProto'],
  ],
  TensorShapeProto: [['dim', 1, 'TensorShapeProto.Dimension', 'repeated']],
  'TensorShapeProto.Dimension': [
    ['dim_value', 1, 'int64'],
    ['dim_param', 2, 'string'],
    ['denotation', 3, 'string'],
  ],
};

/** Oneof groups, as in onnx.proto (only the members declared above). */
const ONEOFS: Record<string, [string, string[]]> = {
  TypeProto: ['value', ['tensor_type']],
  'TensorShapeProto.Dimension': ['value', ['dim_value', 'dim_param']],
};

type ProtobufModule = typeof import('protobufjs');
let modelType: Promise<import('protobufjs').Type> | null = null;

async function buildModelType(): Promise<import('protobufjs').Type> {
  const protobuf = ((await import('protobufjs')) as { default?: ProtobufModule }).default ?? (await import('protobufjs'));
  const onnx = new protobuf.Namespace('onnx');
  const types = new Map<string, import('protobufjs').Type>();
  for (const name of Object.keys(MESSAGES)) {
    const [outer, inner] = name.split('.') as [string, string | undefined];
    const type = new protobuf.Type(inner ?? outer);
    if (inner) types.get(outer)!.add(type);
    else onnx.add(type);
    types.set(name, type);
  }
  for (const [name, fields] of Object.entries(MESSAGES)) {
    const type = types.get(name)!;
    // Packed encoding for repeated numbers, as onnx.proto declares for TensorProto (parsers accept either form).
    for (const [field, id, fieldType, rule] of fields) {
      const options = rule ? { packed: true } : undefined;
      type.add(new protobuf.Field(protobuf.util.camelCase(field), id, fieldType, rule, undefined, options));
    }
    const oneof = ONEOFS[name];
    if (oneof)
      type.add(
        new protobuf.OneOf(
          oneof[0],
          oneof[1].map((f) => protobuf.util.camelCase(f)),
        ),
      );
  }
  new protobuf.Root().add(onnx).resolveAll();
  return types.get('ModelProto')!;
}

/**
 * The bytes of an ONNX file holding `model` (a ModelProto).
 * @example writeFileSync('model.onnx', await encodeOnnxModel(model));
 */
export async function encodeOnnxModel(model: OnnxModel): Promise<Uint8Array> {
  modelType ??= buildModelType();
  const type = await modelType;
  const message = type.fromObject(model);
  const problem = type.verify(message);
  if (problem) throw new Error(`encodeOnnxModel: internal error, the ModelProto is invalid: ${problem}`);
  return type.encode(message).finish();
}
