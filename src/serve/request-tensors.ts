// TensorFlow Serving's predict request and response bodies: `{"instances": [...]}` (row format) or
// `{"inputs": ...}` (columnar), values as nested lists or `{"b64": "..."}` image bytes, checked against the model's
// input shape value by value; and the answer `{"predictions": ...}` / `{"outputs": ...}`. Not here: HTTP.

import { describe } from '../errors.js';
import { isPlainObject } from '../options.js';
import { badRequest } from './http-error.js';
import type { ModelSignature } from './worker-protocol.js';

/** One row of the request: numbers already in place, or image bytes still to decode. */
export type RequestRow = { kind: 'values'; data: Float32Array } | { kind: 'image'; bytes: Uint8Array; where: string };

export interface PredictRequest {
  format: 'row' | 'columnar';
  rows: RequestRow[];
}

const REQUEST_KEYS = ['instances', 'inputs', 'signature_name'];
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function isB64(value: unknown): value is { b64: unknown } {
  return isPlainObject(value) && Object.keys(value).length === 1 && 'b64' in value;
}

function decodeB64(value: { b64: unknown }, where: string): Uint8Array {
  const text = value.b64;
  if (typeof text !== 'string' || text.length === 0 || !BASE64.test(text.replace(/\s+/g, ''))) {
    throw badRequest(`${where}: invalid "b64" value. Expected a non-empty base64 string, received ${describe(text)}.`);
  }
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** Writes a nested list of numbers of exactly `shape` into `out` at `offset`; names the first bad element. */
function fill(value: unknown, shape: number[], depth: number, out: Float32Array, offset: number, where: string): number {
  if (depth === shape.length) {
    if (typeof value !== 'number') {
      throw badRequest(`${where}: expected a number, received ${describe(value)}. Hint: send pixel values as JSON numbers.`);
    }
    out[offset] = value;
    return offset + 1;
  }
  const size = shape[depth]!;
  if (!Array.isArray(value) || value.length !== size) {
    const got = Array.isArray(value) ? `a list of ${value.length}` : describe(value);
    throw badRequest(
      `${where}: expected a list of ${size} (the model's input is [${shape.join(', ')}] per instance), received ${got}.`,
    );
  }
  for (let i = 0; i < size; i++) offset = fill(value[i], shape, depth + 1, out, offset, `${where}[${i}]`);
  return offset;
}

/** One instance (a row without the batch dimension): a nested list, or {"b64": ...} image bytes. */
function rowOf(value: unknown, signature: ModelSignature, where: string): RequestRow {
  if (isB64(value)) return { kind: 'image', bytes: decodeB64(value, where), where };
  const shape = signature.inputShape.slice(1) as number[];
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  fill(value, shape, 0, data, 0, where);
  return { kind: 'values', data };
}

/** `{"<input name>": value}` unwrapped; anything else in the object is an error naming the input. */
function unwrapNamed(value: Record<string, unknown>, signature: ModelSignature, where: string): unknown {
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== signature.inputName) {
    throw badRequest(
      `${where}: expected the model's one input "${signature.inputName}" (or the value itself), received the key(s) ${describe(keys)}.`,
    );
  }
  return value[signature.inputName];
}

/** Parses a predict body (already JSON-decoded) against the model's signature. */
export function parsePredictRequest(body: unknown, signature: ModelSignature): PredictRequest {
  if (!isPlainObject(body)) {
    throw badRequest(`request body: expected a JSON object with "instances" or "inputs", received ${describe(body)}.`);
  }
  const unknown = Object.keys(body).filter((k) => !REQUEST_KEYS.includes(k));
  if (unknown.length > 0) {
    throw badRequest(`request body: unknown key(s) ${describe(unknown)}. Accepted keys: ${REQUEST_KEYS.join(', ')}.`);
  }
  const signatureName = body.signature_name;
  if (signatureName !== undefined && signatureName !== 'serving_default' && signatureName !== '') {
    throw badRequest(`"signature_name": unknown signature ${describe(signatureName)}. This model has "serving_default" only.`);
  }
  const hasInstances = body.instances !== undefined;
  const hasInputs = body.inputs !== undefined;
  if (hasInstances === hasInputs) {
    throw badRequest(
      `request body: expected exactly one of "instances" (row format) or "inputs" (columnar format), received ${hasInstances ? 'both' : 'neither'}.`,
    );
  }
  if (hasInstances) {
    const instances = body.instances;
    if (!Array.isArray(instances) || instances.length === 0) {
      throw badRequest(`"instances": expected a non-empty list with one entry per input row, received ${describe(instances)}.`);
    }
    const rows = instances.map((instance, i) => {
      const where = `instances[${i}]`;
      const value = isPlainObject(instance) && !isB64(instance) ? unwrapNamed(instance, signature, where) : instance;
      return rowOf(value, signature, where);
    });
    return { format: 'row', rows };
  }
  let inputs = body.inputs;
  let where = 'inputs';
  if (isPlainObject(inputs) && !isB64(inputs)) {
    inputs = unwrapNamed(inputs, signature, where);
    where = `inputs.${signature.inputName}`;
  }
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw badRequest(
      `"${where}": expected a non-empty list (the batch dimension first, [${signature.inputShape.map((d) => d ?? 'N').join(', ')}]), received ${describe(inputs)}.`,
    );
  }
  return { format: 'columnar', rows: inputs.map((value, i) => rowOf(value, signature, `${where}[${i}]`)) };
}

/** A float32 value as TensorFlow Serving writes it: shortest digits that read back to the same float32; NaN stays NaN. */
export function formatFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  return String(Number(value.toPrecision(9)));
}

/** Nested JSON lists of `shape` (batch first) from row-major values, written directly (no intermediate arrays). */
export function nestedList(data: Float32Array, shape: number[]): string {
  const parts: string[] = [];
  let at = 0;
  const write = (depth: number): void => {
    if (depth === shape.length) {
      parts.push(formatFloat(data[at++]!));
      return;
    }
    parts.push('[');
    for (let i = 0; i < shape[depth]!; i++) {
      if (i > 0) parts.push(',');
      write(depth + 1);
    }
    parts.push(']');
  };
  write(0);
  return parts.join('');
}

/** The predict answer: `{"predictions": ...}` for row requests, `{"outputs": ...}` for columnar ones. */
export function predictResponse(format: 'row' | 'columnar', data: Float32Array, shape: number[]): string {
  return `{"${format === 'row' ? 'predictions' : 'outputs'}":${nestedList(data, shape)}}`;
}
