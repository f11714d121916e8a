// Shared fixtures for the serve tests: the real Keras-trained MNIST CNN from ../shared/data (loaded here too, as
// the independent expectation), MNIST test digits as uint8 and PNG bytes, and a small seeded RGB model.

import sharp from 'sharp';
import { mnist } from '../../src/datasets/index.js';
import { loadModel } from '../../src/io/keras-file.js';
import { Conv2D } from '../../src/layers/conv2d.js';
import { Dense } from '../../src/layers/dense.js';
import { Flatten } from '../../src/layers/flatten.js';
import { Input } from '../../src/models/input.js';
import type { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import { setRandomSeed } from '../../src/training/seed.js';
import { SHARED_DATA } from '../helpers/requirements.js';

export const MNIST_KERAS = `${SHARED_DATA}keras-mnist/classic-cnn/mnist_cnn.keras`;
export const CAT_PHOTO = `${SHARED_DATA}cats-dogs/validation/cats/cat.10.jpg`;

export interface Digit {
  pixels: Uint8Array;
  label: number;
}

/** The first `n` MNIST test digits. */
export async function testDigits(n: number): Promise<Digit[]> {
  const [, [xTest, yTest]] = await mnist.loadData();
  return Array.from({ length: n }, (_, i) => ({ pixels: xTest.data.slice(i * 784, (i + 1) * 784), label: yTest.data[i]! }));
}

/** A digit as the nested [28][28][1] list of pixel/255 a client sends. */
export function digitInstance(pixels: Uint8Array): number[][][] {
  return Array.from({ length: 28 }, (_, r) => Array.from({ length: 28 }, (_, c) => [pixels[r * 28 + c]! / 255]));
}

export async function digitPng(pixels: Uint8Array): Promise<Buffer> {
  return sharp(Buffer.from(pixels), { raw: { width: 28, height: 28, channels: 1 } })
    .png()
    .toBuffer();
}

/** model.predict in this process on digits scaled by /255: what the server must answer. */
export async function expectedMnist(model: Model, digits: Digit[]): Promise<Float32Array> {
  const x = new Float32Array(digits.length * 784);
  digits.forEach((d, i) => {
    for (let j = 0; j < 784; j++) x[i * 784 + j] = d.pixels[j]! / 255;
  });
  return (await model.predict({ data: x, shape: [digits.length, 28, 28, 1] }, { verbose: 0 })).data;
}

export const loadMnistModel = () => loadModel(MNIST_KERAS, { compile: false });

/** A small seeded RGB classifier (16x16x3 -> 2 classes) kept in memory: served through its config and weights. */
export function smallRgbModel(): Model {
  setRandomSeed(7);
  return new Sequential([
    Input([16, 16, 3]),
    new Conv2D(4, 3, { activation: 'relu' }),
    new Flatten(),
    new Dense(2, { activation: 'softmax' }),
  ]);
}
