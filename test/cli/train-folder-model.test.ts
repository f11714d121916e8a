// `convkit train --data <dir> --model <file>`: a .keras file made here (Rescaling first, so pixels go in as 0-255)
// sets the image size, trains, and the saved model tells the two colours apart; a Teachable Machine Keras 2 .h5
// full model (../shared/data, by path) trains on six cats-dogs photos linked by path with --scale/--offset, and
// its classifier weights move; mismatched classes or image size are clear errors before training.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { loadModel } from '../../src/io/load-model.js';
import { Dense } from '../../src/layers/dense.js';
import { Flatten } from '../../src/layers/flatten.js';
import { Rescaling } from '../../src/layers/rescaling.js';
import { Sequential } from '../../src/models/sequential.js';
import { argMax } from '../../src/tensor-ops.js';
import { missingFile, need, SHARED_DATA, skipUnless } from '../helpers/requirements.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-train-model-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function convkit(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'train', ...args], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TM = join(SHARED_DATA, 'teachable-machine', 'cat-dog-11Maximus11', 'keras_model.h5');
const CATS_DOGS = join(SHARED_DATA, 'cats-dogs', 'train');

describe('cli train --data --model <file>', () => {
  const data = join(dir, 'photos');
  const modelPath = join(dir, 'start.keras');
  before(async () => {
    for (const [name, base] of [
      ['dark', 40],
      ['light', 215],
    ] as const) {
      mkdirSync(join(data, name), { recursive: true });
      for (let i = 0; i < 10; i++) {
        const v = base + ((i * 7) % 25) - 12;
        await sharp({ create: { width: 12, height: 9, channels: 3, background: { r: v, g: v, b: v } } })
          .png()
          .toFile(join(data, name, `${i}.png`));
      }
    }
    const start = new Sequential([
      new Rescaling(1 / 255, { inputShape: [8, 8, 3] }),
      new Flatten(),
      new Dense(2, { activation: 'softmax' }),
    ]);
    await start.save(modelPath);
    await new Sequential([
      new Rescaling(1 / 255, { inputShape: [8, 8, 3] }),
      new Flatten(),
      new Dense(3, { activation: 'softmax' }),
    ]).save(join(dir, 'three.keras'));
  });

  test('a .keras file sets the image size; pixels go in unscaled to its Rescaling; the result separates the classes', async () => {
    const out = join(dir, 'trained.keras');
    const r = convkit(
      '--data',
      data,
      '--model',
      modelPath,
      '--epochs',
      '30',
      '--batch-size',
      '4',
      '--lr',
      '0.05',
      '--seed',
      '1',
      '--out',
      out,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Images 8x8 rgb, pixels 0-255 \(the model starts with Rescaling\)/);
    const model = await loadModel(out);
    const x = new Float32Array(2 * 8 * 8 * 3);
    x.fill(40, 0, 192);
    x.fill(215, 192);
    const predictions = await model.predict({ data: x, shape: [2, 8, 8, 3] }, { verbose: 0 });
    assert.deepEqual(Array.from(argMax(predictions).data), [0, 1]);
  });

  test('a model whose outputs or input size do not fit the folder is refused before training', () => {
    const three = convkit('--data', data, '--model', join(dir, 'three.keras'), '--out', join(dir, 'x.keras'));
    assert.notEqual(three.code, 0);
    assert.match(three.stderr, /2 outputs for the folder's classes \(dark, light\).*3/);
    const size = convkit('--data', data, '--model', modelPath, '--image-size', '16,16', '--out', join(dir, 'x.keras'));
    assert.notEqual(size.code, 0);
    assert.match(size.stderr, /--image-size.*8,8.*16,16/);
    assert.doesNotMatch(three.stderr + size.stderr, /\n\s+at /);
  });

  test('a Teachable Machine .h5 full model trains on cats-dogs photos (by path) with --scale/--offset', {
    skip: skipUnless(missingFile(TM) ?? missingFile(CATS_DOGS)),
  }, async () => {
    need(missingFile(TM) ?? missingFile(CATS_DOGS));
    const few = join(dir, 'few');
    for (const name of ['cats', 'dogs']) {
      mkdirSync(join(few, name), { recursive: true });
      for (const file of readdirSync(join(CATS_DOGS, name)).sort().slice(0, 3))
        symlinkSync(join(CATS_DOGS, name, file), join(few, name, file));
    }
    const out = join(dir, 'tm.keras');
    const args = [
      '--data',
      few,
      '--model',
      TM,
      '--epochs',
      '1',
      '--batch-size',
      '6',
      '--scale',
      String(1 / 127.5),
      '--offset',
      '-1',
      '--lr',
      '0.01',
    ];
    const r = convkit(...args, '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Images 224x224 rgb, pixels \* 0\.00784\d* \+ -1/);
    const before = await loadModel(TM);
    const after = await loadModel(out);
    assert.equal(after.countParams(), before.countParams());
    const last = (m: typeof before) => m.trainableWeights.at(-1)!.value;
    const moved = last(after).some((v, i) => Math.abs(v - last(before)[i]!) > 1e-7);
    assert.ok(moved, 'the classifier weights changed');
  });
});
