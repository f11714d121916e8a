// Reference 2-D convolution (forward, backward data, backward weights) with strides, dilations, padding and
// groups, as direct loops over NHWC / (KH, KW, CI/groups, CO). Accumulates in float64; does not validate.

import type { Conv2dAttrs, FloatArray } from '../backend.js';
import { conv2dGeometry } from '../shapes.js';
import { allFinite } from './dense.js';

interface ConvLoop {
  N: number;
  H: number;
  W: number;
  CI: number;
  CO: number;
  KH: number;
  KW: number;
  OH: number;
  OW: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  top: number;
  left: number;
  G: number;
  cig: number;
  cog: number;
}

function loop(a: Conv2dAttrs): ConvLoop {
  const { outHeight, outWidth, pad } = conv2dGeometry(a);
  return {
    N: a.batch,
    H: a.inHeight,
    W: a.inWidth,
    CI: a.inChannels,
    CO: a.outChannels,
    KH: a.kernelHeight,
    KW: a.kernelWidth,
    OH: outHeight,
    OW: outWidth,
    sh: a.strides[0],
    sw: a.strides[1],
    dh: a.dilations[0],
    dw: a.dilations[1],
    top: pad.top,
    left: pad.left,
    G: a.groups,
    cig: a.inChannels / a.groups,
    cog: a.outChannels / a.groups,
  };
}

/** y: (N, OH, OW, CO) = act(conv(x, w) + b). */
export function conv2dForward(y: FloatArray, x: FloatArray, w: FloatArray, b: FloatArray | null, a: Conv2dAttrs): void {
  const { N, H, W, CI, CO, KH, KW, OH, OW, sh, sw, dh, dw, top, left, G, cig, cog } = loop(a);
  const relu = a.activation === 'relu';
  const acc = new Float64Array(CO);
  const skipZeros = allFinite(w);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        if (b) acc.set(b);
        else acc.fill(0);
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - top + kh * dh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - left + kw * dw;
            if (iw < 0 || iw >= W) continue;
            const xBase = ((n * H + ih) * W + iw) * CI;
            const wBase = (kh * KW + kw) * cig * CO;
            for (let g = 0; g < G; g++) {
              const oBase = g * cog;
              for (let ci = 0; ci < cig; ci++) {
                const xv = x[xBase + g * cig + ci]!;
                if (xv === 0 && skipZeros) continue;
                const wRow = wBase + ci * CO + oBase;
                for (let co = 0; co < cog; co++) acc[oBase + co] = acc[oBase + co]! + xv * w[wRow + co]!;
              }
            }
          }
        }
        const yBase = ((n * OH + oh) * OW + ow) * CO;
        for (let co = 0; co < CO; co++) {
          const v = acc[co]!;
          y[yBase + co] = relu && v < 0 ? 0 : v;
        }
      }
    }
  }
}

/** dx: (N, H, W, CI) from dy: (N, OH, OW, CO) and w (the transpose of the forward). */
export function conv2dBackwardData(dx: FloatArray, dy: FloatArray, w: FloatArray, a: Conv2dAttrs): void {
  const { N, H, W, CI, CO, KH, KW, OH, OW, sh, sw, dh, dw, top, left, G, cig, cog } = loop(a);
  const acc = new Float64Array(dx.length);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const dyBase = ((n * OH + oh) * OW + ow) * CO;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - top + kh * dh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - left + kw * dw;
            if (iw < 0 || iw >= W) continue;
            const xBase = ((n * H + ih) * W + iw) * CI;
            const wBase = (kh * KW + kw) * cig * CO;
            for (let g = 0; g < G; g++) {
              const oBase = g * cog;
              for (let ci = 0; ci < cig; ci++) {
                const wRow = wBase + ci * CO + oBase;
                let sum = 0;
                for (let co = 0; co < cog; co++) sum += dy[dyBase + oBase + co]! * w[wRow + co]!;
                acc[xBase + g * cig + ci] = acc[xBase + g * cig + ci]! + sum;
              }
            }
          }
        }
      }
    }
  }
  dx.set(acc);
}

/** dw: (KH, KW, CI/groups, CO) and db: (CO) from x and dy. */
export function conv2dBackwardWeights(
  dW: FloatArray,
  dB: FloatArray | null,
  x: FloatArray,
  dy: FloatArray,
  a: Conv2dAttrs,
): void {
  const { N, H, W, CI, CO, KH, KW, OH, OW, sh, sw, dh, dw, top, left, G, cig, cog } = loop(a);
  const acc = new Float64Array(dW.length);
  const skipZeros = allFinite(dy);
  const bias = new Float64Array(CO);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const dyBase = ((n * OH + oh) * OW + ow) * CO;
        for (let co = 0; co < CO; co++) bias[co] = bias[co]! + dy[dyBase + co]!;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - top + kh * dh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - left + kw * dw;
            if (iw < 0 || iw >= W) continue;
            const xBase = ((n * H + ih) * W + iw) * CI;
            const wBase = (kh * KW + kw) * cig * CO;
            for (let g = 0; g < G; g++) {
              const oBase = g * cog;
              for (let ci = 0; ci < cig; ci++) {
                const xv = x[xBase + g * cig + ci]!;
                if (xv === 0 && skipZeros) continue;
                const wRow = wBase + ci * CO + oBase;
                for (let co = 0; co < cog; co++) acc[wRow + co] = acc[wRow + co]! + xv * dy[dyBase + oBase + co]!;
              }
            }
          }
        }
      }
    }
  }
  dW.set(acc);
  if (dB) dB.set(bias);
}
