// TF.js weight manifests: decoding the shards of a layers model (float32, int32, and the converter's uint8 /
// uint16 / float16 quantization) into named float32 arrays, and packing weights (float32, or quantized the same
// ways) into 4 MiB shards as tensorflowjs_converter does (one group, weights may span shard boundaries). Not here: the topology (model.json's
// modelTopology) and reading or writing files.

import { describe, FormatError } from '../errors.js';

/** One weight's entry in a manifest group. */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

/** One group: shard file names (relative to model.json) and the weights their concatenated bytes hold, in order. */
export interface TfjsWeightGroup {
  paths: string[];
  weights: TfjsWeightSpec[];
}

/** tensorflowjs_converter's default shard size (4 MiB). */
export const SHARD_BYTES = 4 * 1024 * 1024;

const STORED_BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

/** Validates the manifest's JSON shape; FormatError names the first bad entry. */
export function checkManifest(manifest: unknown, source: string): TfjsWeightGroup[] {
  const bad = (what: string, value: unknown): never => {
    throw new FormatError(
      `'${source}': invalid weightsManifest ${what}. Expected [{paths: [...], weights: [{name, shape, dtype}]}], received ${describe(value)}. Hint: the model.json is damaged or not a TF.js layers model.`,
    );
  };
  if (!Array.isArray(manifest)) bad('', manifest);
  for (const group of manifest as unknown[]) {
    const g = group as Partial<TfjsWeightGroup>;
    if (!g || !Array.isArray(g.paths) || !g.paths.every((p) => typeof p === 'string')) bad('paths', g?.paths);
    if (!Array.isArray(g.weights)) bad('weights', g.weights);
    for (const w of g.weights!) {
      const shapeOk = Array.isArray(w?.shape) && w.shape.every((d) => Number.isInteger(d) && d >= 0);
      if (typeof w?.name !== 'string' || !shapeOk || typeof w.dtype !== 'string') bad('entry', w);
    }
  }
  return manifest as TfjsWeightGroup[];
}

function float16ToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Bytes one element of this spec occupies in the shard. */
function storedBytes(spec: TfjsWeightSpec, source: string): number {
  const stored = spec.quantization?.dtype ?? spec.dtype;
  const bytes = STORED_BYTES[stored];
  const numeric = spec.dtype === 'float32' || spec.dtype === 'int32';
  if (bytes === undefined || !numeric || (spec.quantization && stored === 'float32')) {
    throw new FormatError(
      `'${source}': weight '${spec.name}' has dtype ${describe(spec.dtype)}${spec.quantization ? ` quantized as ${describe(stored)}` : ''}. Expected float32 or int32, stored as float32, int32, uint8, uint16 or float16. Hint: convkit models hold float32 weights only.`,
    );
  }
  return bytes;
}

/** One weight's values as float32, dequantized (value = q * scale + min for uint8/uint16). */
function decodeWeight(view: DataView, offset: number, count: number, spec: TfjsWeightSpec, source: string): Float32Array {
  const out = new Float32Array(count);
  const q = spec.quantization;
  const stored = q?.dtype ?? spec.dtype;
  if (q && (stored === 'uint8' || stored === 'uint16')) {
    if (!Number.isFinite(q.scale) || !Number.isFinite(q.min)) {
      throw new FormatError(
        `'${source}': weight '${spec.name}' is quantized as ${stored} without a finite scale and min. Expected numbers, received scale ${describe(q.scale)}, min ${describe(q.min)}. Hint: the model.json is damaged.`,
      );
    }
    const scale = q.scale as number;
    const min = q.min as number;
    for (let i = 0; i < count; i++) {
      const v = stored === 'uint8' ? view.getUint8(offset + i) : view.getUint16(offset + 2 * i, true);
      out[i] = v * scale + min;
    }
    return out;
  }
  for (let i = 0; i < count; i++) {
    if (stored === 'float16') out[i] = float16ToFloat32(view.getUint16(offset + 2 * i, true));
    else if (stored === 'int32') out[i] = view.getInt32(offset + 4 * i, true);
    else out[i] = view.getFloat32(offset + 4 * i, true);
  }
  return out;
}

/**
 * Decodes one group's concatenated shard bytes into named float32 arrays; FormatError when the bytes do not match
 * the specs (a truncated or extra-long shard).
 */
export function decodeGroup(
  group: TfjsWeightGroup,
  bytes: Uint8Array,
  source: string,
): Map<string, { shape: number[]; data: Float32Array }> {
  const sizes = group.weights.map((spec) => spec.shape.reduce((a, b) => a * b, 1));
  const expected = group.weights.reduce((total, spec, i) => total + sizes[i]! * storedBytes(spec, source), 0);
  if (bytes.length !== expected) {
    throw new FormatError(
      `'${source}': the shards [${group.paths.join(', ')}] hold ${bytes.length} bytes. Expected ${expected} bytes for the ${group.weights.length} weights the manifest lists, received ${bytes.length}. Hint: a shard is truncated or belongs to another model; copy the files again.`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  let offset = 0;
  group.weights.forEach((spec, i) => {
    const count = sizes[i]!;
    if (out.has(spec.name)) {
      throw new FormatError(
        `'${source}': the weight name '${spec.name}' appears twice in the manifest. Expected unique names. Hint: the model.json is damaged.`,
      );
    }
    out.set(spec.name, { shape: spec.shape, data: decodeWeight(view, offset, count, spec, source) });
    offset += count * storedBytes(spec, source);
  });
  return out;
}

/** How exportTfjs may store weights: as float32, or quantized as tensorflowjs_converter's --quantize options do. */
export type TfjsQuantization = 'uint8' | 'uint16' | 'float16';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE half-precision bits of a float32, rounded to nearest even (overflow to infinity, underflow to zero). */
export function float32ToFloat16(value: number): number {
  f32[0] = value;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  const round = (value: number, shift: number) => {
    const kept = value >>> shift;
    const rest = value & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    return rest > half || (rest === half && kept & 1) ? kept + 1 : kept;
  };
  if (e <= 0) return e < -10 ? sign : sign | round(mantissa | 0x800000, 14 - e);
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  return sign | round((e << 23) | mantissa, 13);
}

/** One weight's bytes and manifest entry, quantized when asked (value = q * scale + min for uint8/uint16). */
function encodeWeight(w: { name: string; shape: number[]; data: Float32Array }, quantize: TfjsQuantization | null) {
  const spec: TfjsWeightSpec = { name: w.name, shape: [...w.shape], dtype: 'float32' };
  const n = w.data.length;
  if (quantize === null || quantize === 'float16') {
    const bytes = new Uint8Array(n * (quantize ? 2 : 4));
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < n; i++) {
      if (quantize) view.setUint16(2 * i, float32ToFloat16(w.data[i]!), true);
      else view.setFloat32(4 * i, w.data[i]!, true);
    }
    if (quantize) spec.quantization = { dtype: 'float16' };
    return { spec, bytes };
  }
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of w.data) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const levels = quantize === 'uint8' ? 255 : 65535;
  const scale = max > min ? (max - min) / levels : 1;
  const bytes = new Uint8Array(n * (quantize === 'uint8' ? 1 : 2));
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) {
    const q = Math.min(levels, Math.max(0, Math.round((w.data[i]! - min) / scale)));
    if (quantize === 'uint8') view.setUint8(i, q);
    else view.setUint16(2 * i, q, true);
  }
  spec.quantization = { dtype: quantize, scale, min: n > 0 ? min : 0 };
  return { spec, bytes };
}

/** Named float32 weights packed into shards of at most `shardBytes`: the manifest group and the shard contents. */
export function encodeGroup(
  weights: { name: string; shape: number[]; data: Float32Array }[],
  shardBytes = SHARD_BYTES,
  quantize: TfjsQuantization | null = null,
): { group: TfjsWeightGroup; shards: Uint8Array[] } {
  const encoded = weights.map((w) => encodeWeight(w, quantize));
  const total = encoded.reduce((sum, e) => sum + e.bytes.length, 0);
  const all = new Uint8Array(total);
  let offset = 0;
  for (const e of encoded) {
    all.set(e.bytes, offset);
    offset += e.bytes.length;
  }
  const count = Math.ceil(total / shardBytes);
  const shards = Array.from({ length: count }, (_, i) => all.subarray(i * shardBytes, Math.min(total, (i + 1) * shardBytes)));
  const paths = shards.map((_, i) => `group1-shard${i + 1}of${count}.bin`);
  return { group: { paths, weights: encoded.map((e) => e.spec) }, shards };
}
