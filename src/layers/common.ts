// Helpers the layer files share: option validation with the standard error wording, shape checks, buffer reuse,
// and softmax's axis size in activation attrs. Not a base class: layers stay readable on their own.

import type { ActivationAttrs } from '../backend/backend.js';
import { ConfigError, describe, invalid, ShapeError } from '../errors.js';
import { checkOptions, withPositional } from '../options.js';
import { formatShape, type Shape } from '../tensor.js';

/** Option names every layer accepts (BaseLayerConfig). */
export const BASE_KEYS = ['name', 'trainable', 'dtype', 'inputShape', 'batchInputShape', 'batchSize'] as const;

/** Rejects options the layer does not know (typos like 'kernalSize', via the shared checkOptions) and a dtype other than float32. */
export function checkKeys(where: string, config: object, own: readonly string[]): void {
  const record = checkOptions(where, config, [...own, ...BASE_KEYS], 'config');
  if (record.dtype !== undefined && record.dtype !== 'float32') {
    throw new ConfigError(invalid(where, 'dtype', "'float32' (the only dtype convkit computes in)", record.dtype));
  }
}

/** The type of option K of config C as a positional argument (never undefined). */
export type Given<C, K extends keyof C> = Exclude<C[K], undefined>;

/**
 * A layer's constructor arguments as one config: Keras's positional values (`new Dense(128, 'relu')`) merged
 * with the trailing options object. Keys are checked afterwards by checkKeys, with the base layer options.
 */
export function layerArgs<C>(where: string, args: readonly unknown[], positional: readonly string[]): C {
  return withPositional<C & object>(where, args, positional, null);
}

export function positiveInt(where: string, arg: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ConfigError(invalid(where, arg, 'a positive integer', value));
  }
  return value;
}

export function nonNegativeInt(where: string, arg: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ConfigError(invalid(where, arg, 'a non-negative integer', value));
  }
  return value;
}

export function finiteNumber(where: string, arg: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ConfigError(invalid(where, arg, 'a finite number', value));
  return value;
}

export function bool(where: string, arg: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(invalid(where, arg, 'true or false', value));
  return value;
}

/** A positive integer or a pair of them: 3 -> [3, 3], [3, 5] -> [3, 5]. */
export function intPair(where: string, arg: string, value: unknown): [number, number] {
  if (typeof value === 'number') {
    const v = positiveInt(where, arg, value);
    return [v, v];
  }
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number' && Number.isInteger(v) && v > 0)) {
    return [value[0], value[1]];
  }
  throw new ConfigError(invalid(where, arg, 'a positive integer or a pair of positive integers', value));
}

export function paddingMode(where: string, value: unknown): 'valid' | 'same' {
  const v = value ?? 'valid';
  if (v !== 'valid' && v !== 'same') throw new ConfigError(invalid(where, 'padding', "'valid' or 'same'", v));
  return v;
}

/** Checks a shape's rank and that its non-batch dimensions are known positive integers. */
export function expectRank(where: string, shape: Shape, rank: number, what: string): number[] {
  if (shape.length !== rank) {
    throw new ShapeError(`${where}: invalid 'inputShape'. Expected rank ${rank} ${what}, received ${formatShape(shape)}.`);
  }
  const dims = shape.slice(1);
  if (!dims.every((d) => typeof d === 'number' && d > 0)) {
    throw new ShapeError(
      `${where}: invalid 'inputShape'. Expected known positive dimensions after the batch, received ${formatShape(shape)}.`,
    );
  }
  return dims as number[];
}

/** Checks that a forward input matches the shape the layer was built for (batch free). */
export function checkBuiltShape(where: string, actual: number[], built: Shape | Shape[] | null): void {
  const expected = built as Shape | null;
  if (!expected) return;
  const ok = actual.length === expected.length && expected.every((d, i) => i === 0 || d === null || d === actual[i]);
  if (!ok) {
    throw new ShapeError(
      `${where}: invalid 'inputs'. Expected a tensor of shape ${formatShape(expected)}, received ${describe(actual)}.`,
    );
  }
}

/** Layer classes that compute the identity at inference (dropout, augmentation): exporters leave them out. */
export const IDENTITY_AT_INFERENCE: ReadonlySet<string> = new Set([
  'Dropout',
  'SpatialDropout2D',
  'RandomFlip',
  'RandomRotation',
  'RandomTranslation',
  'RandomZoom',
  'RandomBrightness',
  'RandomContrast',
]);

/**
 * A buffer of `length` values for a layer's output or gradient, reusing `buffer`'s memory when it is large enough
 * (layers keep their buffers across steps). The largest allocation is kept: a change of batch size (a last partial
 * batch, a server's batches of 1, 2, 4 ...) would otherwise reallocate every layer's buffers each time, which made
 * MobileNetV2 inference at alternating batch sizes 2.7x slower per image. Contents are stale: callers overwrite.
 */
export function reuse(buffer: Float32Array | null, length: number): Float32Array {
  if (buffer && buffer.length === length) return buffer;
  if (buffer && buffer.byteOffset === 0 && buffer.buffer.byteLength >= length * Float32Array.BYTES_PER_ELEMENT) {
    return new Float32Array(buffer.buffer, 0, length);
  }
  return new Float32Array(length);
}

/** A kernel's activation attrs with softmax's axisSize set to the size of the last axis (other kinds unchanged). */
export function withAxisSize(attrs: ActivationAttrs, lastAxis: number): ActivationAttrs {
  return attrs.kind === 'softmax' ? { ...attrs, axisSize: lastAxis } : attrs;
}

export const DATA_FORMAT_NOTE = 'convkit computes channels_last only: (N, H, W, C).';
