// Augmentation in the data pipeline (dataset.map(augmentation(layers, { seed }))) on a folder this test writes
// with sharp: a horizontal flip is exact (each image is its original or its mirror, computed here by hand, and both
// occur), labels pass through, the same seed gives the same batches and another seed others, a 90-degree rotation
// matches a hand rotation, and fit trains on the mapped dataset.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { imageDatasetFromDirectory } from '../../src/datasets/image-directory.js';
import { ConfigError } from '../../src/errors.js';
import { Dense } from '../../src/layers/dense.js';
import { Flatten } from '../../src/layers/flatten.js';
import { RandomFlip } from '../../src/layers/random-flip.js';
import { RandomRotation } from '../../src/layers/random-rotation.js';
import { Rescaling } from '../../src/layers/rescaling.js';
import { Sequential } from '../../src/models/sequential.js';
import { augmentation } from '../../src/preprocessing/augmentation.js';
import type { Batch } from '../../src/training/data.js';

const SIZE = 6;
let root: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'convkit-augpipe-'));
  for (const [c, name] of ['a', 'b'].entries()) {
    mkdirSync(join(root, name));
    for (let i = 0; i < 6; i++) {
      // Asymmetric pixels, so a mirror or a rotation is never the image itself.
      const data = Buffer.alloc(SIZE * SIZE * 3);
      for (let p = 0; p < data.length; p++) data[p] = (p * 13 + i * 29 + c * 71) % 251;
      await sharp(data, { raw: { width: SIZE, height: SIZE, channels: 3 } })
        .png()
        .toFile(join(root, name, `${i}.png`));
    }
  }
});

after(() => rmSync(root, { recursive: true, force: true }));

async function epoch(ds: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of ds) out.push({ x: b.x, y: b.y });
  return out;
}

/** Image i of a batch as [h][w][c] numbers. */
function image(batch: Batch, i: number): number[] {
  const x = batch.x as { data: Float32Array };
  return [...x.data.subarray(i * SIZE * SIZE * 3, (i + 1) * SIZE * SIZE * 3)];
}

function mirror(pixels: number[]): number[] {
  const out = new Array<number>(pixels.length);
  for (let r = 0; r < SIZE; r++)
    for (let c = 0; c < SIZE; c++)
      for (let k = 0; k < 3; k++) out[(r * SIZE + c) * 3 + k] = pixels[(r * SIZE + (SIZE - 1 - c)) * 3 + k]!;
  return out;
}

/** Counter-clockwise quarter turn (Keras: a positive factor rotates counter-clockwise). */
function quarterTurn(pixels: number[]): number[] {
  const out = new Array<number>(pixels.length);
  for (let r = 0; r < SIZE; r++)
    for (let c = 0; c < SIZE; c++)
      for (let k = 0; k < 3; k++) out[(r * SIZE + c) * 3 + k] = pixels[(c * SIZE + (SIZE - 1 - r)) * 3 + k]!;
  return out;
}

describe('augmentation in the data pipeline', () => {
  const options = { imageSize: [SIZE, SIZE] as [number, number], batchSize: 4, shuffle: false };

  test('RandomFlip through map: every image is its original or its exact mirror, both occur, labels unchanged', async () => {
    const plain = await epoch(await imageDatasetFromDirectory(root, options));
    const flipped = await epoch(
      (await imageDatasetFromDirectory(root, options)).map(augmentation([new RandomFlip('horizontal')], { seed: 3 })),
    );
    let mirrored = 0;
    let kept = 0;
    plain.forEach((batch, b) => {
      assert.deepEqual([...flipped[b]!.y.data], [...batch.y.data]);
      for (let i = 0; i < batch.y.shape[0]!; i++) {
        const got = image(flipped[b]!, i);
        if (JSON.stringify(got) === JSON.stringify(image(batch, i))) kept++;
        else {
          assert.deepEqual(got, mirror(image(batch, i)));
          mirrored++;
        }
      }
    });
    assert.ok(mirrored > 0 && kept > 0, `mirrored ${mirrored}, kept ${kept}`);
  });

  test('the same seed gives the same batches, another seed others; a quarter turn matches a hand rotation', async () => {
    const layers = () => [new RandomFlip('horizontal'), new RandomRotation(0.1)];
    const run = async (seed: number) =>
      epoch((await imageDatasetFromDirectory(root, options)).map(augmentation(layers(), { seed })));
    assert.deepEqual(await run(5), await run(5));
    assert.notDeepEqual(await run(5), await run(6));
    const plain = await epoch(await imageDatasetFromDirectory(root, options));
    const turned = await epoch(
      (await imageDatasetFromDirectory(root, options)).map(augmentation([new RandomRotation([0.25, 0.25])], { seed: 1 })),
    );
    for (let i = 0; i < 4; i++) {
      const want = quarterTurn(image(plain[0]!, i));
      image(turned[0]!, i).forEach((v, k) => {
        assert.ok(Math.abs(v - want[k]!) < 1e-3, `pixel ${k}: ${v} vs ${want[k]}`);
      });
    }
  });

  test('fit trains on a mapped dataset; bad arguments are refused', async () => {
    const train = (await imageDatasetFromDirectory(root, { ...options, shuffle: true, seed: 1 })).map(
      augmentation([new RandomFlip('horizontal')], { seed: 2 }),
    );
    const model = new Sequential([
      new Rescaling(1 / 255, { inputShape: [SIZE, SIZE, 3] }),
      new Flatten(),
      new Dense(2, { activation: 'softmax' }),
    ]);
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const history = await model.fit(train, { epochs: 2, verbose: 0 });
    assert.equal(history.history.loss!.length, 2);
    assert.ok(history.history.loss!.every(Number.isFinite));
    assert.throws(() => augmentation([]), ConfigError);
    assert.throws(() => augmentation([new RandomFlip()], { seed: 1.5 }), /seed/);
    assert.throws(() => augmentation([new RandomFlip()], { sed: 1 } as never), /unknown option 'sed'/);
  });
});
