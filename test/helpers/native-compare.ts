// Helpers for comparing the native backend with the reference: deterministic random buffers, an atol/rtol
// check that reports the largest difference and the first mismatches, and a run-on-both-and-compare wrapper.

import assert from 'node:assert/strict';
import type { Backend } from '../../src/backend/backend.js';
import { nativeBackend, nativeMissingReason, reference } from './backends.js';
import { skipUnless } from './requirements.js';

/** The native suites' skip option: the reason locally when the addon is missing, never in CI (they fail there). */
export const skip: string | false = skipUnless(nativeMissingReason && `${nativeMissingReason}; run \`npm run build:native\``);
export const native = nativeBackend as Backend;
export type Buf = Float32Array;

export function rand(n: number, seed: number, lo = -1, hi = 1): Buf {
  const out = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    out[i] = lo + ((s >>> 8) / 16777216) * (hi - lo);
  }
  return out;
}

/** Asserts |actual - expected| <= atol + rtol * |expected| everywhere (equal infinities and NaN vs NaN pass), reporting the worst and first mismatches. */
export function expectClose(
  what: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol = 1e-5,
  rtol = 1e-4,
): void {
  assert.equal(actual.length, expected.length, `${what}: lengths differ`);
  let worst = 0;
  let worstAt = -1;
  const bad: string[] = [];
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    // Equal infinities match (their difference is NaN); NaN matches only NaN.
    const diff = a === e ? 0 : Math.abs(a - e);
    const ok = a === e || diff <= atol + rtol * Math.abs(e) || (Number.isNaN(a) && Number.isNaN(e));
    if (Number.isNaN(a) && Number.isNaN(e)) continue;
    if (diff > worst || Number.isNaN(diff)) {
      worst = Number.isNaN(diff) ? Number.POSITIVE_INFINITY : diff;
      worstAt = i;
    }
    if (!ok && bad.length < 5) bad.push(`[${i}] native ${a} vs reference ${e}`);
  }
  if (bad.length > 0) {
    assert.fail(
      `${what}: largest difference ${worst} at [${worstAt}] (native ${actual[worstAt]}, reference ${expected[worstAt]}); first mismatches: ${bad.join('; ')}`,
    );
  }
}

/** Runs `fn` on both backends with fresh copies of `inputs` and compares every buffer afterwards. */
export function both(what: string, inputs: Buf[], fn: (b: Backend, bufs: Buf[]) => void, atol?: number, rtol?: number): void {
  const nb = inputs.map((x) => x.slice());
  const rb = inputs.map((x) => x.slice());
  fn(native, nb);
  fn(reference, rb);
  for (const [i, buf] of nb.entries()) expectClose(`${what} buffer ${i}`, buf, rb[i]!, atol, rtol);
}

/** Runs `fn` at each thread count, then puts the backend back as it was (the adaptive 'auto' default included). */
export function atThreads(b: Backend, counts: number[], fn: (threads: number) => void): void {
  const restore: number | 'auto' = b.autoThreadCandidates().length > 0 ? 'auto' : b.getThreads();
  try {
    for (const t of counts) {
      b.setThreads(t);
      fn(t);
    }
  } finally {
    b.setThreads(restore);
  }
}
