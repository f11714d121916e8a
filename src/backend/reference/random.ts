// Reference random fills and dropout on the counter-based streams of ../random.ts, so every backend draws the
// same numbers for the same (seed, offset). Does not validate.

import type { DropoutAttrs, FloatArray, RandomAttrs } from '../backend.js';
import { normalAt, streamKey, truncatedNormalAt, uniformAt } from '../random.js';

export function random(out: FloatArray, a: RandomAttrs): void {
  const { offset } = a;
  if (a.distribution === 'uniform') {
    const key = streamKey(a.seed);
    const low = a.low ?? 0;
    const range = (a.high ?? 1) - low;
    for (let i = 0; i < out.length; i++) out[i] = low + range * uniformAt(key, offset + i);
    return;
  }
  const mean = a.mean ?? 0;
  const stddev = a.stddev ?? 1;
  if (a.distribution === 'normal') {
    const key = streamKey(a.seed);
    for (let i = 0; i < out.length; i++) out[i] = normalAt(key, offset + i) * stddev + mean;
    return;
  }
  const seed = a.seed >>> 0;
  for (let i = 0; i < out.length; i++) out[i] = truncatedNormalAt(seed, offset + i) * stddev + mean;
}

/** Keep element i when uniformAt(key, offset + i) >= rate; spatial: one draw per (n, c) at offset + n * C + c. */
export function dropoutForward(y: FloatArray, mask: FloatArray, x: FloatArray, a: DropoutAttrs): void {
  const key = streamKey(a.seed);
  const keep = 1 / (1 - a.rate);
  const { rate, offset } = a;
  if (!a.spatial) {
    for (let i = 0; i < x.length; i++) {
      const m = uniformAt(key, offset + i) >= rate ? keep : 0;
      mask[i] = m;
      y[i] = x[i]! * m;
    }
    return;
  }
  const { batch, spatialSize, channels } = a.spatial;
  const decision = new Float64Array(channels);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) decision[c] = uniformAt(key, offset + n * channels + c) >= rate ? keep : 0;
    for (let p = 0; p < spatialSize; p++) {
      const base = (n * spatialSize + p) * channels;
      for (let c = 0; c < channels; c++) {
        const m = decision[c]!;
        mask[base + c] = m;
        y[base + c] = x[base + c]! * m;
      }
    }
  }
}
