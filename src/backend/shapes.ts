// Output-size and padding arithmetic shared by both backends, the layers and the validators.

import type { Conv2dAttrs, Padding2d, PaddingMode, Pool2dAttrs } from './backend.js';

/** Explicit padding for one spatial axis under TensorFlow's rule (odd extra goes to the end). */
export function samePadding1d(inSize: number, kernel: number, stride: number, dilation: number): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const outSize = Math.ceil(inSize / stride);
  const total = Math.max((outSize - 1) * stride + effective - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Resolves 'valid' | 'same' | explicit into explicit pixel padding. */
export function resolvePadding(
  padding: PaddingMode,
  inHeight: number,
  inWidth: number,
  kernel: [number, number],
  strides: [number, number],
  dilations: [number, number] = [1, 1],
): Padding2d {
  if (padding === 'valid') return { top: 0, bottom: 0, left: 0, right: 0 };
  if (padding === 'same') {
    const [top, bottom] = samePadding1d(inHeight, kernel[0], strides[0], dilations[0]);
    const [left, right] = samePadding1d(inWidth, kernel[1], strides[1], dilations[1]);
    return { top, bottom, left, right };
  }
  return padding;
}

/** Output length of a sliding window over a padded axis (0 or less means the window does not fit). */
export function windowOutputSize(
  inSize: number,
  kernel: number,
  stride: number,
  dilation: number,
  padBefore: number,
  padAfter: number,
): number {
  const effective = (kernel - 1) * dilation + 1;
  return Math.floor((inSize + padBefore + padAfter - effective) / stride) + 1;
}

export interface Conv2dGeometry {
  outHeight: number;
  outWidth: number;
  pad: Padding2d;
}

export function conv2dGeometry(a: Conv2dAttrs): Conv2dGeometry {
  const pad = resolvePadding(a.padding, a.inHeight, a.inWidth, [a.kernelHeight, a.kernelWidth], a.strides, a.dilations);
  return {
    pad,
    outHeight: windowOutputSize(a.inHeight, a.kernelHeight, a.strides[0], a.dilations[0], pad.top, pad.bottom),
    outWidth: windowOutputSize(a.inWidth, a.kernelWidth, a.strides[1], a.dilations[1], pad.left, pad.right),
  };
}

export function pool2dGeometry(a: Pool2dAttrs): Conv2dGeometry {
  const pad = resolvePadding(a.padding, a.inHeight, a.inWidth, a.poolSize, a.strides);
  return {
    pad,
    outHeight: windowOutputSize(a.inHeight, a.poolSize[0], a.strides[0], 1, pad.top, pad.bottom),
    outWidth: windowOutputSize(a.inWidth, a.poolSize[1], a.strides[1], 1, pad.left, pad.right),
  };
}
