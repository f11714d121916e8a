// Grad-CAM and saliency behaviour: on a model trained so that only one image region decides the class (a patch of
// vertical stripes at a random place; a patch of horizontal stripes elsewhere is in every image), the maps point at
// that region; heatmap helpers against hand-computed values; clear errors for bad arguments.

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { defaultCamLayer } from '../../src/explain/class-gradients.js';
import { gradCam } from '../../src/explain/grad-cam.js';
import { blendHeatmap, jetColor, resizeMap, scaleToUnit } from '../../src/explain/heatmap.js';
import { saliencyMap } from '../../src/explain/saliency.js';
import { Conv2D, Dense, GlobalAveragePooling2D } from '../../src/layers/index.js';
import { Input } from '../../src/models/input.js';
import { Sequential } from '../../src/models/sequential.js';
import { setRandomSeed } from '../../src/training/seed.js';
import { close } from '../helpers/close.js';

const SIZE = 14;
const PATCH = 4;

/** A seeded uniform generator (LCG): the data set is the same on every run. */
function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 8) / 16777216;
  };
}

interface Sample {
  image: Float32Array;
  label: number;
  /** Top-left corner of the vertical-stripes patch (class 1 only) and of the horizontal one. */
  vertical: [number, number] | null;
  horizontal: [number, number];
}

function drawPatch(image: Float32Array, [y0, x0]: [number, number], vertical: boolean): void {
  for (let y = 0; y < PATCH; y++)
    for (let x = 0; x < PATCH; x++) image[(y0 + y) * SIZE + x0 + x] = (vertical ? x : y) % 2 === 0 ? 1 : 0;
}

function makeSample(random: () => number, label: number): Sample {
  const image = new Float32Array(SIZE * SIZE);
  for (let i = 0; i < image.length; i++) image[i] = 0.2 * random();
  const corner = (): [number, number] => [Math.floor(random() * (SIZE - PATCH + 1)), Math.floor(random() * (SIZE - PATCH + 1))];
  const overlaps = (a: [number, number], b: [number, number]) =>
    Math.abs(a[0] - b[0]) < PATCH + 1 && Math.abs(a[1] - b[1]) < PATCH + 1;
  const horizontal = corner();
  let vertical: [number, number] | null = null;
  if (label === 1) {
    do vertical = corner();
    while (overlaps(vertical, horizontal));
    drawPatch(image, vertical, true);
  }
  drawPatch(image, horizontal, false);
  return { image, label, vertical, horizontal };
}

function stack(samples: Sample[]) {
  const x = new Float32Array(samples.length * SIZE * SIZE);
  samples.forEach((s, i) => {
    x.set(s.image, i * SIZE * SIZE);
  });
  return {
    x: { data: x, shape: [samples.length, SIZE, SIZE, 1] },
    y: { data: Float32Array.from(samples.map((s) => s.label)), shape: [samples.length] },
  };
}

/** Share of the map's total inside the patch at `corner` (with a one-pixel margin). */
function shareInside(map: Float32Array, [y0, x0]: [number, number]): number {
  let inside = 0;
  let total = 0;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const v = map[y * SIZE + x]!;
      total += v;
      if (y >= y0 - 1 && y <= y0 + PATCH && x >= x0 - 1 && x <= x0 + PATCH) inside += v;
    }
  }
  return inside / total;
}

describe('explanations: Grad-CAM and saliency point at the region that decides the class', () => {
  setRandomSeed(11);
  const random = generator(5);
  const train = stack(Array.from({ length: 400 }, (_, i) => makeSample(random, i % 2)));
  const held = Array.from({ length: 20 }, () => makeSample(random, 1));
  const model = new Sequential([
    Input({ shape: [SIZE, SIZE, 1] }),
    new Conv2D(8, 3, { activation: 'relu', padding: 'same' }),
    new Conv2D(8, 3, { activation: 'relu', padding: 'same' }),
    new GlobalAveragePooling2D(),
    new Dense(2, { activation: 'softmax' }),
  ]);
  model.compile({
    optimizer: { name: 'adam', learningRate: 0.01 },
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  let accuracy = Number.NaN;
  before(async () => {
    const history = await model.fit(train.x, train.y, { epochs: 8, batchSize: 32, verbose: 0 });
    accuracy = history.history.accuracy!.at(-1)!;
  });

  test('the model learned the task', () => {
    assert.ok(accuracy > 0.95, `training accuracy ${accuracy}`);
  });

  test('Grad-CAM for class 1 lies on the vertical stripes, not the horizontal ones', () => {
    const shares = held.map((s) => {
      const cam = gradCam(model, { data: s.image, shape: [SIZE, SIZE, 1] }, { classIndex: 1 });
      assert.equal(cam.layerName, model.layers[1]!.name);
      assert.deepEqual(cam.upsampled.shape, [SIZE, SIZE]);
      return [shareInside(cam.upsampled.data, s.vertical!), shareInside(cam.upsampled.data, s.horizontal)] as const;
    });
    // A 6x6 window is 18% of the image: a map that ignored the patches would put about that much in each.
    const onVertical = shares.filter(([v, h]) => v > 0.6 && v > 3 * h).length;
    assert.ok(onVertical >= 18, `only ${onVertical}/20 maps put most weight on the vertical patch: ${JSON.stringify(shares)}`);
  });

  test('saliency for class 1 concentrates on the vertical stripes', () => {
    const shares = held.map((s) => {
      const { map } = saliencyMap(model, { data: s.image, shape: [1, SIZE, SIZE, 1] }, { classIndex: 1 });
      return [shareInside(map.data, s.vertical!), shareInside(map.data, s.horizontal)] as const;
    });
    const onVertical = shares.filter(([v, h]) => v > h).length;
    assert.ok(onVertical >= 17, `only ${onVertical}/20 saliency maps favour the vertical patch: ${JSON.stringify(shares)}`);
  });

  test('errors name the argument and the choices', () => {
    const image = { data: held[0]!.image, shape: [SIZE, SIZE, 1] };
    assert.throws(() => gradCam(model, image, { layerName: 'nope' }), /invalid 'layerName'.*conv2d.*received "nope"/);
    assert.throws(
      () => gradCam(model, image, { classIndex: 2 }),
      /invalid 'classIndex'. Expected an integer class index in 0..1, received 2/,
    );
    assert.throws(() => gradCam(model, image, { classIndex: 1, layer: 'x' } as never), /unknown option 'layer'/);
    assert.throws(
      () => gradCam(model, { data: new Float32Array(28), shape: [2, SIZE, SIZE, 1] }),
      /one image of shape \(H, W, C\)/,
    );
    assert.throws(() => gradCam(model, { data: new Float32Array(9), shape: [3, 3, 1] }), /Expected shape \(None, 14, 14, 1\)/);
    const globalPool = model.layers[2]!.name;
    assert.throws(() => gradCam(model, image, { layerName: globalPool }), /an \(N, H, W, C\) output/);
    const dense = new Sequential([
      Input({ shape: [4] }),
      new Dense(3, { activation: 'relu' }),
      new Dense(2, { activation: 'softmax' }),
    ]);
    assert.throws(() => defaultCamLayer(dense), /a convolution layer in the model.*use saliencyMap\(\)/);
    const nan = { data: image.data.slice(), shape: image.shape };
    nan.data[3] = Number.NaN;
    assert.throws(() => gradCam(model, nan), /score for class \d is NaN/);
  });
});

describe('explanations: heatmap helpers', () => {
  test('resizeMap: bilinear on pixel centres, edges clamped', () => {
    // 1x2 -> 1x4: centres at 0.25, 0.75, 1.25, 1.75 input pixels, minus 0.5: -0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
    const out = resizeMap({ data: Float32Array.from([0, 4]), shape: [1, 2] }, 1, 4);
    close(out.data, [0, 1, 3, 4]);
    const same = resizeMap({ data: Float32Array.from([1, 2, 3, 4]), shape: [2, 2] }, 2, 2);
    close(same.data, [1, 2, 3, 4]);
  });

  test('scaleToUnit: divides by the maximum; all zero stays zero; NaN stays NaN', () => {
    close(scaleToUnit(Float32Array.from([0, 2, 4])), [0, 0.5, 1]);
    close(scaleToUnit(Float32Array.from([0, 0])), [0, 0]);
    assert.ok(Number.isNaN(scaleToUnit(Float32Array.from([Number.NaN, 2]))[0]!));
  });

  test('jetColor runs blue, cyan-green, yellow, red', () => {
    assert.deepEqual(jetColor(0), [0, 0, 128]);
    assert.deepEqual(jetColor(0.5), [128, 255, 128]);
    assert.deepEqual(jetColor(1), [128, 0, 0]);
    assert.deepEqual(jetColor(Number.NaN), [128, 128, 128]);
  });

  test('blendHeatmap: (1 - alpha) * image + alpha * colour, grayscale spread to RGB', () => {
    const out = blendHeatmap(Uint8Array.from([100, 200]), 1, { data: Float32Array.from([0, 1]), shape: [1, 2] }, 0.5);
    assert.deepEqual([...out], [50, 50, 114, 164, 100, 100]);
    assert.throws(() => blendHeatmap(new Uint8Array(3), 1, { data: new Float32Array(2), shape: [1, 2] }), /invalid 'pixels'/);
  });
});
