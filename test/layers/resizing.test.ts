// Resizing, CenterCrop and RandomCrop against hand computations: nearest 2x upsampling repeats pixels, area 2x downsampling
// averages 2x2 blocks, cropToAspectRatio resizes the centred window, CenterCrop is an exact slice, RandomCrop's training crops are exact windows, one per batch; Resizing and CenterCrop act at
// inference too; options; Keras JSON; a `.keras` round trip of a model that starts with them.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { loadModel } from '../../src/io/keras-file.js';
import { CenterCrop, Dense, Flatten, RandomCrop, Resizing } from '../../src/layers/index.js';
import type { CallContext } from '../../src/layers/layer.js';
import { layerFromKeras, layerToKeras } from '../../src/layers/serialization.js';
import { Sequential } from '../../src/models/sequential.js';
import type { Tensor } from '../../src/tensor.js';
import { allBackends, reference } from '../helpers/backends.js';
import { rand } from './naive.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-resizing-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const context = (backend = reference, training = false): CallContext => ({
  backend,
  training,
  needsInputGrad: false,
  rng: { seed: 1, offset: 0 },
});
const batch = (shape: number[], seed = 3): Tensor => ({
  data: rand(
    shape.reduce((a, b) => a * b, 1),
    seed,
    0,
    255,
  ),
  shape,
});
const px = (t: Tensor, n: number, r: number, col: number, ch: number) => {
  const [, h, w, c] = t.shape as number[];
  return t.data[((n * h! + r) * w! + col) * c! + ch]!;
};
function build(shape: number[], pick: (n: number, r: number, col: number, ch: number) => number): number[] {
  const [N, H, W, C] = shape as [number, number, number, number];
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let r = 0; r < H; r++) for (let col = 0; col < W; col++) for (let ch = 0; ch < C; ch++) out.push(pick(n, r, col, ch));
  return out;
}

describe('Resizing', () => {
  const x = batch([2, 4, 6, 2]);
  test("'nearest' 2x upsampling repeats every pixel in a 2x2 block; area 2x downsampling averages 2x2 blocks", () => {
    for (const backend of allBackends) {
      const up = new Resizing(8, 12, { interpolation: 'nearest' }).forward([x], context(backend));
      assert.deepEqual(up.shape, [2, 8, 12, 2]);
      assert.deepEqual(
        Array.from(up.data),
        build(up.shape as number[], (n, r, c, ch) => px(x, n, r >> 1, c >> 1, ch)),
        backend.name,
      );
      const down = new Resizing(2, 3, { interpolation: 'area' }).forward([x], context(backend));
      const expected = build([2, 2, 3, 2], (n, r, c, ch) => {
        const block = [
          px(x, n, 2 * r, 2 * c, ch),
          px(x, n, 2 * r, 2 * c + 1, ch),
          px(x, n, 2 * r + 1, 2 * c, ch),
          px(x, n, 2 * r + 1, 2 * c + 1, ch),
        ];
        return block.reduce((a, b) => a + b, 0) / 4;
      });
      down.data.forEach((v, i) => {
        assert.ok(Math.abs(v - expected[i]!) <= 1e-3, `${backend.name} [${i}] ${v} vs ${expected[i]}`);
      });
    }
  });

  test('cropToAspectRatio resizes the largest centred window with the target ratio; also at inference', () => {
    // 4 x 6 to 2 x 2: the centred 4 x 4 window (columns 1..4), then area 2x.
    const y = new Resizing(2, 2, { interpolation: 'area', cropToAspectRatio: true }).forward([x], context(reference, false));
    const expected = build([2, 2, 2, 2], (n, r, c, ch) => {
      const cells = [0, 1].flatMap((dr) => [0, 1].map((dc) => px(x, n, 2 * r + dr, 1 + 2 * c + dc, ch)));
      return cells.reduce((a, b) => a + b, 0) / 4;
    });
    y.data.forEach((v, i) => {
      assert.ok(Math.abs(v - expected[i]!) <= 1e-3, `[${i}] ${v} vs ${expected[i]}`);
    });
  });
});

describe('CenterCrop', () => {
  test('an exact centred slice, start (H - h) // 2; at inference and in training alike', () => {
    const x = batch([2, 7, 6, 3]);
    for (const backend of allBackends) {
      for (const training of [false, true]) {
        const y = new CenterCrop(4, 3).forward([x], context(backend, training));
        assert.deepEqual(y.shape, [2, 4, 3, 3]);
        assert.deepEqual(
          Array.from(y.data),
          build([2, 4, 3, 3], (n, r, c, ch) => px(x, n, r + 1, c + 1, ch)),
          backend.name,
        );
      }
    }
    assert.throws(
      () => new CenterCrop(8, 3).forward([x], context()),
      (e: Error) => e instanceof ShapeError && /Resizing/.test(e.message),
    );
  });
});

describe('RandomCrop', () => {
  const x = batch([12, 7, 6, 2], 8);
  /** The (top, left) offsets at which image n of y is an exact window of image n of x (empty if none). */
  function offsets(y: Tensor, n: number): string[] {
    const [, h, w, c] = y.shape as [number, number, number, number];
    const found: string[] = [];
    for (let top = 0; top + h <= 7; top++)
      for (let left = 0; left + w <= 6; left++) {
        let same = true;
        for (let r = 0; r < h && same; r++)
          for (let col = 0; col < w && same; col++)
            for (let ch = 0; ch < c && same; ch++) same = Object.is(px(y, n, r, col, ch), px(x, n, top + r, left + col, ch));
        if (same) found.push(`${top},${left}`);
      }
    return found;
  }

  test('training: one exact window per batch (Keras crops a batch at one place), moving between batches; seeded', () => {
    const layer = (seed: number) => new RandomCrop(4, 3, { seed });
    const windows = (crop: RandomCrop, calls: number) =>
      Array.from({ length: calls }, () => {
        const y = crop.forward([x], context(reference, true));
        assert.deepEqual(y.shape, [12, 4, 3, 2]);
        const at = offsets(y, 0);
        assert.equal(at.length, 1, `image 0: ${at}`);
        for (let n = 1; n < 12; n++) assert.deepEqual(offsets(y, n), at, `image ${n} is cut where image 0 is`);
        return at[0]!;
      });
    const seen = windows(layer(2), 12);
    const pairs = seen.map((o) => o.split(',').map(Number) as [number, number]);
    // Rows and columns both move between batches, independently (not the same draw for both).
    assert.ok(new Set(pairs.map(([t]) => t)).size >= 2 && new Set(pairs.map(([, l]) => l)).size >= 2, `offsets ${seen}`);
    assert.ok(
      pairs.some(([t, l]) => t !== l),
      `offsets ${seen}`,
    );
    assert.deepEqual(windows(layer(2), 12), seen);
    assert.notDeepEqual(windows(layer(3), 12), seen);
  });

  test("training with the window's full height: Keras's centred crop, computed by hand", () => {
    // 7 x 6 images, window 7 x 4: not larger in height, so no random crop; Keras takes the centred 7 x 4 window
    // (left = (6 - 4) / 2 = 1), which the aspect-keeping resize gives exactly.
    const y = new RandomCrop(7, 4, { seed: 5 }).forward([x], context(reference, true));
    const expected = build([12, 7, 4, 2], (n, r, col, ch) => px(x, n, r, col + 1, ch));
    assert.deepEqual(Array.from(y.data), expected);
  });

  test('inference (and images smaller than the window) resize keeping the aspect ratio, as Keras does', () => {
    const expected = new Resizing(4, 3, { cropToAspectRatio: true }).forward([x], context()).data;
    assert.deepEqual(Array.from(new RandomCrop(4, 3).forward([x], context()).data), Array.from(expected));
    const small = new RandomCrop(8, 8).forward([x], context(reference, true));
    assert.deepEqual(small.shape, [12, 8, 8, 2]);
  });
});

describe('Resizing and CenterCrop: options, Keras JSON, .keras', () => {
  test('options are validated', () => {
    const throwsConfig = (make: () => unknown, pattern: RegExp) =>
      assert.throws(make, (e: Error) => e instanceof ConfigError && pattern.test(e.message), String(pattern));
    throwsConfig(() => new Resizing(0, 4), /'height'/);
    throwsConfig(() => new Resizing(4, 4, { interpolation: 'lanczos3' as never }), /'interpolation'/);
    throwsConfig(() => new Resizing(4, 4, { padToAspectRatio: true as never }), /'padToAspectRatio'.*cropToAspectRatio/s);
    throwsConfig(() => new CenterCrop(4, 4, { interpolation: 'nearest' } as never), /interpolation/);
  });

  test('Keras 3 names and keys; JSON round trip; output shapes', () => {
    const resizing = layerToKeras(new Resizing(8, 6, { cropToAspectRatio: true }));
    assert.equal(resizing.class_name, 'Resizing');
    assert.deepEqual(
      [resizing.config.height, resizing.config.width, resizing.config.interpolation, resizing.config.crop_to_aspect_ratio],
      [8, 6, 'bilinear', true],
    );
    const random = layerToKeras(new RandomCrop(5, 4, { seed: 7 }));
    assert.deepEqual([random.class_name, random.config.height, random.config.width, random.config.seed], ['RandomCrop', 5, 4, 7]);
    assert.deepEqual(layerToKeras(layerFromKeras(JSON.parse(JSON.stringify(random)))), random);
    const crop = layerToKeras(new CenterCrop(5, 4));
    assert.deepEqual(
      [crop.class_name, crop.config.height, crop.config.width, crop.config.data_format],
      ['CenterCrop', 5, 4, 'channels_last'],
    );
    for (const json of [resizing, crop]) assert.deepEqual(layerToKeras(layerFromKeras(JSON.parse(JSON.stringify(json)))), json);
    assert.deepEqual(new Resizing(8, 6).computeOutputShape([null, 20, 30, 3]), [null, 8, 6, 3]);
  });

  test('a model that resizes and crops its input saves to .keras and loads with the same predictions', async () => {
    const model = new Sequential([
      new Resizing(8, 8, { inputShape: [12, 10, 1] }),
      new RandomCrop(7, 7, { seed: 1 }),
      new CenterCrop(6, 6),
      new Flatten(),
      new Dense(2, { activation: 'softmax' }),
    ]);
    model.backendOverride = reference;
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const x = batch([4, 12, 10, 1], 5);
    await model.fit(x, { data: Float32Array.from([0, 1, 1, 0]), shape: [4] }, { epochs: 1, batchSize: 2, verbose: 0 });
    const path = join(dir, 'resized.keras');
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
