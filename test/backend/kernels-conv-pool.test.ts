// Hand-computed small cases for the conv2d and pooling kernels, run on every backend in allBackends (float32 buffers).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Backend, Conv2dAttrs, Pool2dAttrs } from '../../src/backend/backend.js';
import { allBackends } from '../helpers/backends.js';
import { close, f32, range } from '../helpers/close.js';

function conv(over: Partial<Conv2dAttrs>): Conv2dAttrs {
  return {
    batch: 1,
    inHeight: 3,
    inWidth: 3,
    inChannels: 1,
    outChannels: 1,
    kernelHeight: 2,
    kernelWidth: 2,
    strides: [1, 1],
    dilations: [1, 1],
    padding: 'valid',
    groups: 1,
    activation: 'linear',
    ...over,
  };
}

function pool(over: Partial<Pool2dAttrs>): Pool2dAttrs {
  return { batch: 1, inHeight: 4, inWidth: 4, channels: 1, poolSize: [2, 2], strides: [2, 2], padding: 'valid', ...over };
}

function runConvCases(b: Backend): void {
  test('conv2d x=[1,3,3,1] k=2 s=1 valid bias', () => {
    const y = new Float32Array(4);
    b.conv2dForward(y, f32(range(9)), f32([1, 0, 0, 1]), f32([1]), conv({}));
    close(y, [7, 9, 13, 15]);
  });
  test('conv2d x=[1,3,3,1] k=2 s=2 same', () => {
    const y = new Float32Array(4);
    b.conv2dForward(y, f32(range(9)), f32([1, 0, 0, 1]), null, conv({ strides: [2, 2], padding: 'same' }));
    close(y, [6, 3, 7, 9]);
  });
  test('conv2d x=[1,3,3,1] k=2 relu', () => {
    const y = new Float32Array(4);
    b.conv2dForward(y, f32(range(9)), f32([-1, 0, 0, -1]), f32([7]), conv({ activation: 'relu' }));
    close(y, [1, 0, 0, 0]);
  });
  test('conv2d x=[1,3,3,1] k=2 d=2 valid', () => {
    const y = new Float32Array(1);
    b.conv2dForward(y, f32(range(9)), f32([1, 1, 1, 1]), null, conv({ dilations: [2, 2] }));
    close(y, [20]);
  });
  test('conv2d x=[1,3,3,1] k=2 explicit padding', () => {
    const y = new Float32Array(6);
    const padding = { top: 1, bottom: 0, left: 0, right: 0 };
    b.conv2dForward(y, f32(range(9)), f32([1, 0, 0, 1]), null, conv({ padding }));
    close(y, [2, 3, 6, 8, 12, 14]);
  });
  test('conv2d x=[1,1,1,2] k=1 groups=2', () => {
    const y = new Float32Array(2);
    b.conv2dForward(
      y,
      f32([1, 2]),
      f32([3, 4]),
      null,
      conv({ inHeight: 1, inWidth: 1, inChannels: 2, outChannels: 2, kernelHeight: 1, kernelWidth: 1, groups: 2 }),
    );
    close(y, [3, 8]);
  });
  test('conv2d x=[1,1,1,2] k=1 depthwise multiplier=2', () => {
    const y = new Float32Array(4);
    b.conv2dForward(
      y,
      f32([1, 2]),
      f32([1, 2, 3, 4]),
      null,
      conv({ inHeight: 1, inWidth: 1, inChannels: 2, outChannels: 4, kernelHeight: 1, kernelWidth: 1, groups: 2 }),
    );
    close(y, [1, 2, 6, 8]);
  });
  test('conv2dBackwardData x=[1,3,3,1] k=2', () => {
    const dx = new Float32Array(9).fill(99);
    b.conv2dBackwardData(dx, f32([1, 1, 1, 1]), f32([1, 2, 3, 4]), conv({}));
    close(dx, [1, 3, 2, 4, 10, 6, 3, 7, 4]);
  });
  test('conv2dBackwardWeights x=[1,3,3,1] k=2', () => {
    const dw = new Float32Array(4).fill(99);
    const db = new Float32Array(1).fill(99);
    b.conv2dBackwardWeights(dw, db, f32(range(9)), f32([1, 1, 1, 1]), conv({}));
    close(dw, [12, 16, 24, 28]);
    close(db, [4]);
  });
}

function runPoolCases(b: Backend): void {
  test('maxPool2d x=[1,4,4,1] p=2 s=2 valid', () => {
    const y = new Float32Array(4);
    const argmax = new Int32Array(4);
    b.maxPool2dForward(y, argmax, f32(range(16)), pool({}));
    close(y, [6, 8, 14, 16]);
    assert.deepEqual(Array.from(argmax), [5, 7, 13, 15]);
    const dx = new Float32Array(16).fill(9);
    b.maxPool2dBackward(dx, f32([1, 2, 3, 4]), argmax, pool({}));
    close(dx, [0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4]);
  });
  test('maxPool2d x=[1,3,3,1] p=2 s=2 same negative', () => {
    const y = new Float32Array(4);
    const argmax = new Int32Array(4);
    b.maxPool2dForward(y, argmax, f32(range(9).map((v) => -v)), pool({ inHeight: 3, inWidth: 3, padding: 'same' }));
    close(y, [-1, -3, -7, -9]);
    assert.deepEqual(Array.from(argmax), [0, 2, 6, 8]);
  });
  test('maxPool2d ties go to the first', () => {
    const y = new Float32Array(1);
    const argmax = new Int32Array(1);
    b.maxPool2dForward(y, argmax, f32([1, 1, 1, 1]), pool({ inHeight: 2, inWidth: 2 }));
    assert.deepEqual(Array.from(argmax), [0]);
  });
  test('maxPool2d x=[1,1,3,1] p=[1,2] s=1 overlapping backward', () => {
    const attrs = pool({ inHeight: 1, inWidth: 3, poolSize: [1, 2], strides: [1, 1] });
    const y = new Float32Array(2);
    const argmax = new Int32Array(2);
    b.maxPool2dForward(y, argmax, f32([1, 3, 2]), attrs);
    close(y, [3, 3]);
    const dx = new Float32Array(3);
    b.maxPool2dBackward(dx, f32([1, 1]), argmax, attrs);
    close(dx, [0, 2, 0]);
  });
  test('avgPool2d x=[1,3,3,1] p=2 s=2 same', () => {
    const attrs = pool({ inHeight: 3, inWidth: 3, padding: 'same' });
    const y = new Float32Array(4);
    b.avgPool2dForward(y, f32(range(9)), attrs);
    close(y, [3, 4.5, 7.5, 9]);
    const dx = new Float32Array(9).fill(7);
    b.avgPool2dBackward(dx, f32([1, 1, 1, 1]), attrs);
    close(dx, [0.25, 0.25, 0.5, 0.25, 0.25, 0.5, 0.5, 0.5, 1]);
  });
  test('globalPool2d x=[1,2,2,2] max and avg', () => {
    const x = f32([1, 5, 3, 2, 0, 7, 3, 1]);
    const base = { batch: 1, inHeight: 2, inWidth: 2, channels: 2 };
    const y = new Float32Array(2);
    b.globalPool2dForward(y, x, { ...base, mode: 'max' });
    close(y, [3, 7]);
    b.globalPool2dForward(y, x, { ...base, mode: 'avg' });
    close(y, [1.75, 3.75]);
    const dx = new Float32Array(8).fill(9);
    b.globalPool2dBackward(dx, f32([1, 2]), x, { ...base, mode: 'max' });
    close(dx, [0, 0, 1, 0, 0, 2, 0, 0]);
    b.globalPool2dBackward(dx, f32([1, 2]), x, { ...base, mode: 'avg' });
    close(dx, [0.25, 0.5, 0.25, 0.5, 0.25, 0.5, 0.25, 0.5]);
  });
}

for (const backend of allBackends) {
  describe(`conv/pool kernels on ${backend.name}`, () => {
    runConvCases(backend);
    runPoolCases(backend);
  });
}
