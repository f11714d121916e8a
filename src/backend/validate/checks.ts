// Generic argument checkers for validate.ts: the Check class (integers, numbers, strings, pairs, buffer types and
// exact lengths), each failure naming the kernel and the argument, plus the Dims type that describes a buffer's shape.

import { ConfigError, invalid, ShapeError } from '../../errors.js';
import type { FloatArray } from '../backend.js';

/** Named dimensions of a buffer, in order: [['N', 2], ['H', 28], ...]. */
export type Dims = [string, number][];

function isFloatArray(value: unknown): value is FloatArray {
  return value instanceof Float32Array || value instanceof Float64Array;
}

/** Checks for one kernel call; every failure names the kernel (`where`) and the argument. */
export class Check {
  constructor(readonly where: string) {}

  config(arg: string, expected: string, received: unknown, hint = ''): never {
    throw new ConfigError(invalid(this.where, arg, expected, received, hint));
  }

  shape(arg: string, expected: string, received: unknown, hint = ''): never {
    throw new ShapeError(invalid(this.where, arg, expected, received, hint));
  }

  attrs(a: unknown): void {
    if (typeof a !== 'object' || a === null) this.config('attrs', 'an attrs object', a);
  }

  positiveInt(arg: string, v: unknown): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) this.config(arg, 'a positive integer', v);
    return v;
  }

  nonNegativeInt(arg: string, v: unknown): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) this.config(arg, 'a non-negative integer', v);
    return v;
  }

  integer(arg: string, v: unknown): number {
    if (typeof v !== 'number' || !Number.isInteger(v)) this.config(arg, 'an integer', v);
    return v;
  }

  finite(arg: string, v: unknown): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.config(arg, 'a finite number', v);
    return v;
  }

  number(arg: string, v: unknown): number {
    if (typeof v !== 'number') this.config(arg, 'a number', v);
    return v;
  }

  /** v in [low, high] or [low, high) when highOpen. */
  inRange(arg: string, v: unknown, low: number, high: number, highOpen = false): number {
    const ok = typeof v === 'number' && v >= low && (highOpen ? v < high : v <= high);
    if (!ok) this.config(arg, `a number in [${low}, ${high}${highOpen ? ')' : ']'}`, v);
    return v as number;
  }

  boolean(arg: string, v: unknown): void {
    if (typeof v !== 'boolean') this.config(arg, 'true or false', v);
  }

  oneOf(arg: string, v: unknown, options: readonly string[]): void {
    if (typeof v !== 'string' || !options.includes(v)) this.config(arg, `one of ${options.map((o) => `'${o}'`).join(', ')}`, v);
  }

  pair(arg: string, v: unknown): void {
    if (!Array.isArray(v) || v.length !== 2) this.config(arg, 'a pair [height, width] of positive integers', v);
    this.positiveInt(`${arg}[0]`, v[0]);
    this.positiveInt(`${arg}[1]`, v[1]);
  }

  /** A Float32Array/Float64Array whose length is the product of dims. */
  float(arg: string, buf: unknown, dims: Dims): void {
    const length = dims.reduce((p, [, d]) => p * d, 1);
    const text = `(${dims.map(([name, d]) => `${name}=${d}`).join(', ')})`;
    const type = buf instanceof Float64Array ? 'Float64Array' : 'Float32Array';
    if (!isFloatArray(buf)) {
      this.shape(
        arg,
        `${type}(${length}) for ${text}`,
        buf,
        'Kernels take Float32Array buffers (Float64Array on the reference backend).',
      );
    }
    if (buf.length !== length) {
      this.shape(
        arg,
        `${type}(${length}) for ${text}`,
        buf,
        'The length must be the product of the shape; check the attrs sizes and the buffer.',
      );
    }
  }

  /** A float buffer, or null when allowed. */
  floatOrNull(arg: string, buf: unknown, dims: Dims): void {
    if (buf !== null) this.float(arg, buf, dims);
  }

  /** Float buffer required only when `needed` (then null is rejected); otherwise null or a valid buffer. */
  floatIf(arg: string, buf: unknown, dims: Dims, needed: boolean, why: string): void {
    if (buf === null || buf === undefined) {
      if (needed) this.shape(arg, `a Float32Array(${dims.reduce((p, [, d]) => p * d, 1)}) ${why}`, buf);
      return;
    }
    this.float(arg, buf, dims);
  }

  int32(arg: string, buf: unknown, dims: Dims): void {
    const length = dims.reduce((p, [, d]) => p * d, 1);
    const text = `(${dims.map(([name, d]) => `${name}=${d}`).join(', ')})`;
    if (!(buf instanceof Int32Array) || buf.length !== length) {
      this.shape(arg, `Int32Array(${length}) for ${text}`, buf, 'Index outputs are Int32Array buffers.');
    }
  }

  /** All buffers the same length as the first (element-wise kernels). */
  sameLength(names: string[], bufs: unknown[]): number {
    const first = bufs[0];
    if (!isFloatArray(first)) this.shape(names[0]!, 'a Float32Array or Float64Array', first);
    for (let i = 1; i < bufs.length; i++) this.float(names[i]!, bufs[i], [['length', first.length]]);
    return first.length;
  }
}
