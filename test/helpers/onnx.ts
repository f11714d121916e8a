// Independent readers of the ONNX files convkit writes: Debian's onnx.proto (the full schema, loaded by protobufjs's
// .proto parser) to decode them, Debian's python3-onnx checker (full_check: schema, types and shape inference), and
// onnxruntime-node to run them. Test-only: none of these is used by convkit itself.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Tensor } from '../../src/tensor.js';
import { PYTHON } from './requirements.js';

export const ONNX_PROTO = '/usr/lib/python3/dist-packages/onnx/onnx.proto';

/** Null when /usr/bin/python3 imports onnx and Debian's onnx.proto is there, else why not. */
export const missingOnnx: string | null = (() => {
  if (!existsSync(ONNX_PROTO)) return `${ONNX_PROTO} not found (apt-get install python3-onnx)`;
  try {
    execFileSync(PYTHON, ['-c', 'import onnx'], { stdio: 'ignore' });
    return null;
  } catch {
    return `${PYTHON} cannot import onnx (apt-get install python3-onnx)`;
  }
})();

/** Runs onnx.checker.check_model(full_check=True) on each file in one Python process; returns each file's error or null. */
export function onnxCheckerErrors(paths: string[]): (string | null)[] {
  const script = `
import json, sys, onnx
out = []
for path in sys.argv[1:]:
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
        out.append(None)
    except Exception as e:
        out.append(f"{type(e).__name__}: {e}")
print(json.dumps(out))
`;
  return JSON.parse(execFileSync(PYTHON, ['-c', script, ...paths], { encoding: 'utf8' }));
}

type Dim = { dim_value?: number; dim_param?: string };
type ValueInfo = { name: string; type: { tensor_type: { elem_type: number; shape: { dim: Dim[] } } } };

/** What the tests read of a decoded ModelProto (field names as in onnx.proto). */
export interface DecodedModel {
  ir_version: number;
  producer_name: string;
  opset_import: { domain?: string; version: number }[];
  graph: {
    node: { op_type: string; input: string[]; output: string[] }[];
    initializer: { name: string; dims: number[]; data_type: number; raw_data?: Uint8Array }[];
    input: ValueInfo[];
    output: ValueInfo[];
  };
}

/** The file decoded with the full onnx.proto (field names as in the schema, int64 as numbers). */
export async function decodeWithOnnxProto(bytes: Uint8Array): Promise<DecodedModel> {
  const protobuf = (await import('protobufjs')).default;
  const root = new protobuf.Root().loadSync(ONNX_PROTO, { keepCase: true });
  const type = root.lookupType('onnx.ModelProto');
  return type.toObject(type.decode(bytes), { longs: Number, arrays: true }) as DecodedModel;
}

/** onnxruntime-node's output for a batch (N, H, W, C) fed to the graph's first input. */
export async function runInOnnxRuntime(path: string, x: Tensor): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(path);
  const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', x.data, x.shape as number[]) };
  const result = (await session.run(feeds))[session.outputNames[0]!]!;
  await session.release();
  return { data: result.data as Float32Array, dims: result.dims };
}
