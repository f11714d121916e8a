// The random augmentation layers (RandomFlip, RandomRotation, RandomTranslation, RandomZoom) against independent
// hand computations: index-reversed flips, a hand-transposed 90-degree rotation, whole-pixel shifts with each fill,
// a 2x zoom-out; identity at inference; seeding; backward; options; Keras JSON and a `.keras` round trip.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Backend } from '../../src/backend/backend.js';
import { ConfigError } from '../../src/errors.js';
import { loadModel } from '../../src/io/keras-file.js';
import {
  Conv2D,
  Dense,
  Flatten,
  RandomFlip,
  RandomRotation,
  RandomTranslation,
  RandomZoom,
  Rescaling,
} from '../../src/layers/index.js';
import type { CallContext, Layer } from '../../src/layers/layer.js';
import { layerFromKeras, layerToKeras } from '../../src/layers/serialization.js';
import { Sequential } from '../../src/models/sequential.js';
import type { Tensor } from '../../src/tensor.js';
import { allBackends, reference } from '../helpers/backends.js';
import { assertClose, rand } from './naive.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-augment-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function context(training: boolean, backend: Backend = reference, seed = 1, needsInputGrad = false): CallContext {
  return { backend, training, needsInputGrad, rng: { seed, offset: 0 } };
}

function batch(n: number, h: number, w: number, c: number, seed = 3): Tensor {
  return { data: rand(n * h * w * c, seed, 0, 255), shape: [n, h, w, c] };
}

/** Pixel (n, r, col, ch) of an (N, H, W, C) tensor, or `outside` when (r, col) is off the image. */
function at(t: Tensor, n: number, r: number, col: number, ch: number, outside = Number.NaN): number {
  const [, h, w, c] = t.shape as number[];
  if (r < 0 || r >= h! || col < 0 || col >= w!) return outside;
  return t.data[((n * h! + r) * w! + col) * c! + ch]!;
}

/** A new (N, H, W, C) tensor whose pixel (n, r, col, ch) is pick(n, r, col, ch). */
function build(shape: number[], pick: (n: number, r: number, col: number, ch: number) => number): number[] {
  const [N, H, W, C] = shape as [number, number, number, number];
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let r = 0; r < H; r++) for (let col = 0; col < W; col++) for (let ch = 0; ch < C; ch++) out.push(pick(n, r, col, ch));
  return out;
}

function image(t: Tensor, n: number): number[] {
  const size = t.data.length / t.shape[0]!;
  return Array.from(t.data.subarray(n * size, (n + 1) * size));
}

describe('RandomFlip', () => {
  const x = batch(16, 3, 5, 2);
  const [, H, W] = x.shape as [number, number, number, number];
  const flippedH = build(x.shape as number[], (n, r, col, ch) => at(x, n, r, W - 1 - col, ch));
  const flippedV = build(x.shape as number[], (n, r, col, ch) => at(x, n, H - 1 - r, col, ch));
  const flippedHV = build(x.shape as number[], (n, r, col, ch) => at(x, n, H - 1 - r, W - 1 - col, ch));
  const same = Array.from(x.data);
  const slice = (values: number[], n: number) => values.slice(n * H * W * 2, (n + 1) * H * W * 2);

  for (const [mode, candidates] of [
    ['horizontal', [same, flippedH]],
    ['vertical', [same, flippedV]],
    ['horizontal_and_vertical', [same, flippedH, flippedV, flippedHV]],
  ] as const) {
    test(`${mode}: each image is exactly one of the index-reversed arrays, and every case occurs`, () => {
      for (const backend of allBackends) {
        const y = new RandomFlip(mode, { seed: 5 }).forward([x], context(true, backend));
        const seen = new Set<number>();
        for (let n = 0; n < 16; n++) {
          const k = candidates.findIndex((c) => sameArray(slice(c, n), image(y, n)));
          assert.ok(k >= 0, `${backend.name}: image ${n} is no flip of the input`);
          seen.add(k);
        }
        assert.equal(seen.size, candidates.length, `${backend.name}: cases seen ${[...seen]}`);
      }
    });
  }

  test('backward flips dy back with the same draws (a permutation: <y, dy> = <x, dx>)', () => {
    const layer = new RandomFlip({ seed: 2 });
    const y = Array.from(layer.forward([x], context(true, reference, 1, true)).data);
    const dy = rand(x.data.length, 9);
    const [dx] = layer.backward({ data: dy, shape: x.shape }, context(true, reference, 1, true));
    const yd = y.reduce((s, v, i) => s + v * dy[i]!, 0);
    const xd = Array.from(x.data).reduce((s, v, i) => s + v * dx!.data[i]!, 0);
    assert.ok(Math.abs(yd - xd) <= 1e-9 * Math.abs(yd), `${yd} vs ${xd}`);
    assert.notDeepEqual(Array.from(dx!.data), Array.from(dy));
  });
});

function sameArray(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

describe('RandomRotation', () => {
  const x = batch(2, 5, 5, 2);
  const N = 4; // side - 1
  test('factor [0.25, 0.25] is a counter-clockwise quarter turn: exact by hand transposition (nearest)', () => {
    const expected = build(x.shape as number[], (n, r, col, ch) => at(x, n, col, N - r, ch));
    for (const backend of allBackends) {
      const y = new RandomRotation([0.25, 0.25], { interpolation: 'nearest', seed: 1 }).forward([x], context(true, backend));
      assert.deepEqual(Array.from(y.data), expected, backend.name);
    }
  });

  test('factor [-0.25, -0.25] turns clockwise; bilinear agrees to float32 rounding', () => {
    const expected = build(x.shape as number[], (n, r, col, ch) => at(x, n, N - col, r, ch));
    for (const backend of allBackends) {
      const y = new RandomRotation({ factor: [-0.25, -0.25] }).forward([x], context(true, backend));
      assertClose(y.data, expected, backend.name, 1e-5);
    }
  });

  test('seeding: same seed same batch, other seed or next call differs; no seed follows the model stream', () => {
    const big = batch(4, 9, 7, 3, 11);
    const run = (layer: Layer, seed = 1) => Array.from(layer.forward([big], context(true, reference, seed)).data);
    const a = new RandomRotation(0.2, { seed: 4 });
    const first = run(a);
    assert.deepEqual(run(new RandomRotation(0.2, { seed: 4 })), first);
    assert.notDeepEqual(run(new RandomRotation(0.2, { seed: 5 })), first);
    assert.notDeepEqual(run(a), first, 'the layer stream advances');
    assert.deepEqual(run(new RandomRotation(0.2), 8), run(new RandomRotation(0.2), 8));
    assert.notDeepEqual(run(new RandomRotation(0.2), 8), run(new RandomRotation(0.2), 9));
  });

  test('native and reference agree on random rotations with every fill mode', () => {
    const big = batch(3, 10, 8, 3, 12);
    for (const fillMode of ['reflect', 'wrap', 'nearest', 'constant'] as const) {
      const outs = allBackends.map((backend) =>
        Array.from(new RandomRotation(0.3, { fillMode, fillValue: -1, seed: 6 }).forward([big], context(true, backend)).data),
      );
      for (const out of outs.slice(1)) assertClose(out, outs[0]!, fillMode, 1e-5);
    }
  });

  test('backward: null when no input gradient is needed, else a clear error naming the fix', () => {
    const layer = new RandomRotation(0.1, { seed: 1 });
    layer.forward([x], context(true));
    assert.deepEqual(layer.backward(x, context(true)), [null]);
    assert.throws(
      () => layer.backward(x, context(true, reference, 1, true)),
      (e: Error) => {
        return e instanceof ConfigError && /right after the model's input/.test(e.message);
      },
    );
  });
});

describe('RandomTranslation', () => {
  const x = batch(2, 8, 4, 1);
  test('whole-pixel shifts are exact: 2 rows down, 2 columns left, constant fill', () => {
    const expected = build(x.shape as number[], (n, r, col, ch) => at(x, n, r - 2, col + 2, ch, 7));
    for (const backend of allBackends) {
      const layer = new RandomTranslation([0.25, 0.25], [-0.5, -0.5], { fillMode: 'constant', fillValue: 7 });
      assert.deepEqual(Array.from(layer.forward([x], context(true, backend)).data), expected, backend.name);
    }
  });

  test("fillMode 'reflect' mirrors about the edge (d c b a | a b c d), 'wrap' repeats the image", () => {
    const reflect = (i: number, len: number) => (i < 0 ? -i - 1 : i >= len ? 2 * len - i - 1 : i);
    const wrap = (i: number, len: number) => (i + len) % len;
    for (const [fillMode, map] of [
      ['reflect', reflect],
      ['wrap', wrap],
    ] as const) {
      const expected = build(x.shape as number[], (n, r, col, ch) => at(x, n, map(r + 3, 8), map(col - 1, 4), ch));
      const layer = new RandomTranslation({ heightFactor: [-0.375, -0.375], widthFactor: [0.25, 0.25], fillMode });
      assert.deepEqual(Array.from(layer.forward([x], context(true)).data), expected, fillMode);
    }
  });
});

describe('RandomZoom', () => {
  test('factor [1, 1] zooms out 2x about the centre: every second pixel, the rest filled', () => {
    const x = batch(1, 5, 5, 1);
    const expected = build(x.shape as number[], (n, r, col, ch) => at(x, n, 2 * r - 2, 2 * col - 2, ch, 0));
    for (const backend of allBackends) {
      const y = new RandomZoom([1, 1], { fillMode: 'constant' }).forward([x], context(true, backend));
      assert.deepEqual(Array.from(y.data), expected, backend.name);
    }
  });

  test('a separate widthFactor zooms the axes independently', () => {
    const x = batch(1, 5, 5, 1);
    const expected = build(x.shape as number[], (n, r, col, ch) => at(x, n, r, 2 * col - 2, ch, 0));
    const y = new RandomZoom([0, 0], [1, 1], { fillMode: 'constant' }).forward([x], context(true));
    assert.deepEqual(Array.from(y.data), expected);
  });
});

describe('augmentation layers: inference, options, Keras JSON, .keras', () => {
  const layers = () => [
    new RandomFlip('horizontal', { seed: 1 }),
    new RandomRotation(0.1, { fillMode: 'constant', fillValue: 0.5 }),
    new RandomTranslation(0.1, [-0.2, 0.1], { interpolation: 'nearest', seed: 2 }),
    new RandomZoom(0.2, null, { fillMode: 'wrap' }),
  ];

  test('identity outside training (the input tensor itself, like Dropout)', () => {
    const x = batch(2, 6, 6, 3);
    for (const layer of layers()) assert.equal(layer.forward([x], context(false)), x, layer.className);
  });

  test("Keras's positional forms, and the layers come from the browser-safe entry", async () => {
    const entry = await import('../../src/index.js');
    assert.equal(entry.RandomFlip, RandomFlip);
    assert.equal(entry.RandomZoom, RandomZoom);
    assert.deepEqual([new RandomFlip('horizontal').mode, new RandomFlip().mode], ['horizontal', 'horizontal_and_vertical']);
    const rotation = new RandomRotation(0.1, { seed: 3 });
    assert.deepEqual([rotation.factor, rotation.seed, rotation.name.startsWith('random_rotation')], [0.1, 3, true]);
    const translation = new RandomTranslation(0.1, [-0.2, 0.3]);
    assert.deepEqual([translation.heightFactor, translation.widthFactor], [0.1, [-0.2, 0.3]]);
    assert.deepEqual([new RandomZoom(0.2, 0.3).widthFactor, new RandomZoom(0.2).widthFactor], [0.3, null]);
    assert.throws(() => new RandomRotation(0.1, { factor: 0.2 } as never), /'factor' given twice/);
  });

  test('options are validated with the argument, what was expected and what was received', () => {
    const throwsConfig = (make: () => unknown, pattern: RegExp) =>
      assert.throws(make, (e: Error) => e instanceof ConfigError && pattern.test(e.message), String(pattern));
    throwsConfig(() => new RandomFlip({ mode: 'diagonal' as never }), /'mode'.*'horizontal'/);
    throwsConfig(() => new RandomFlip({ fillMode: 'reflect' } as never), /fillMode/);
    throwsConfig(() => new RandomRotation({ factor: 0.1, fill_mode: 'wrap' } as never), /fill_mode.*fillMode/s);
    throwsConfig(() => new RandomRotation(-0.1), /'factor'/);
    throwsConfig(() => new RandomRotation([0.3, 0.1]), /lower <= upper/);
    throwsConfig(() => new RandomRotation(0.1, { interpolation: 'bicubic' as never }), /'interpolation'/);
    throwsConfig(() => new RandomRotation(0.1, { fillMode: 'mirror' as never }), /'fillMode'/);
    throwsConfig(() => new RandomTranslation(1.5, 0.1), /'heightFactor'.*within \[-1, 1\]/);
    throwsConfig(() => new RandomZoom([-2, 0]), /'heightFactor'/);
    throwsConfig(() => new RandomZoom(0.1, { seed: 1.5 }), /'seed'/);
  });

  test('Keras 3 class names and config keys; Keras JSON round trip', () => {
    const [flip, rotation, translation, zoom] = layers().map(layerToKeras);
    assert.equal(flip!.class_name, 'RandomFlip');
    assert.equal(flip!.config.mode, 'horizontal');
    assert.equal(flip!.config.seed, 1);
    assert.equal(rotation!.class_name, 'RandomRotation');
    for (const key of ['factor', 'fill_mode', 'interpolation', 'fill_value', 'seed', 'data_format'])
      assert.ok(key in rotation!.config, key);
    assert.deepEqual([rotation!.config.factor, rotation!.config.fill_value], [0.1, 0.5]);
    assert.deepEqual([translation!.config.height_factor, translation!.config.width_factor], [0.1, [-0.2, 0.1]]);
    assert.deepEqual([zoom!.config.height_factor, zoom!.config.width_factor, zoom!.config.fill_mode], [0.2, null, 'wrap']);
    for (const json of [flip, rotation, translation, zoom]) {
      const text = JSON.parse(JSON.stringify(json));
      assert.deepEqual(layerToKeras(layerFromKeras(text)), json);
    }
  });

  test('reads the JSON Keras 3 writes for RandomRotation', () => {
    const layer = layerFromKeras({
      module: 'keras.layers',
      class_name: 'RandomRotation',
      config: {
        name: 'random_rotation',
        trainable: true,
        dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null },
        factor: [-0.2, 0.3],
        data_format: 'channels_last',
        fill_mode: 'nearest',
        fill_value: 0.0,
        interpolation: 'bilinear',
        seed: 42,
      },
      registered_name: null,
    }) as RandomRotation;
    assert.ok(layer instanceof RandomRotation);
    assert.deepEqual([layer.factor, layer.seed, layer.name], [[-0.2, 0.3], 42, 'random_rotation']);
  });

  test('a model with augmentation trains, saves to .keras and loads with the same config and predictions', async () => {
    const model = new Sequential([
      new Rescaling(1 / 255, { inputShape: [8, 8, 1] }),
      ...layers(),
      new Conv2D(2, 3, { activation: 'relu' }),
      new Flatten(),
      new Dense(2, { activation: 'softmax' }),
    ]);
    model.backendOverride = reference;
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const x = batch(8, 8, 8, 1, 21);
    const y = { data: Float32Array.from([0, 1, 0, 1, 1, 0, 1, 0]), shape: [8] };
    const history = await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    assert.ok(history.history.loss!.every((v) => Number.isFinite(v)));
    const path = join(dir, 'augmented.keras');
    await model.save(path);
    const loaded = await loadModel(path);
    loaded.backendOverride = reference;
    assert.deepEqual(
      loaded.layers.map((l) => l.getConfig()),
      model.layers.map((l) => l.getConfig()),
    );
    assert.deepEqual((await loaded.predict(x, { verbose: 0 })).data, (await model.predict(x, { verbose: 0 })).data);
  });
});
