// `convkit train --data <dir>` end to end: a real process trains a seed model on class folders the test writes
// with sharp (two solid colours, slightly varied), logs validation metrics from the seeded split, and the saved
// model, loaded back, tells the two colours apart. Also the --image-size check.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { loadModel } from '../../src/io/keras-file.js';
import { argMax } from '../../src/tensor-ops.js';
import { convkit } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-train-folder-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('cli train --data', () => {
  const data = join(dir, 'photos');
  before(async () => {
    for (const [name, base] of [
      ['dark', 40],
      ['light', 215],
    ] as const) {
      mkdirSync(join(data, name), { recursive: true });
      for (let i = 0; i < 12; i++) {
        const v = base + ((i * 7) % 25) - 12;
        await sharp({ create: { width: 12, height: 9, channels: 3, background: { r: v, g: v, b: v } } })
          .png()
          .toFile(join(data, name, `${i}.png`));
      }
    }
  });

  test('trains a seed model on class folders with a seeded validation split and saves it', async () => {
    const out = join(dir, 'folder.keras');
    const csv = join(dir, 'folder.csv');
    const args = ['--data', data, '--image-size', '8,8', '--model', 'mlp', '--epochs', '20', '--batch-size', '8', '--lr', '0.01'];
    const r = convkit('train', ...args, '--validation-split', '0.25', '--seed', '3', '--csv', csv, '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /18 images: dark \d+, light \d+; 6 for validation/);
    assert.match(r.stdout, /Classes \(label order\): dark, light/);
    const [header, ...rows] = readFileSync(csv, 'utf8').trim().split('\n');
    assert.ok(header!.split(',').includes('val_accuracy'), header);
    assert.equal(rows.length, 20);
    const model = await loadModel(out);
    // Solid grey images scaled by 1/255, as the command scales them: dark is class 0, light class 1.
    const x = new Float32Array(2 * 8 * 8 * 3);
    x.fill(40 / 255, 0, 192);
    x.fill(215 / 255, 192);
    const predictions = await model.predict({ data: x, shape: [2, 8, 8, 3] }, { verbose: 0 });
    assert.deepEqual(Array.from(argMax(predictions).data), [0, 1]);
  });

  test('--image-size must be two positive integers; a missing folder is a clear error', () => {
    const bad = convkit('train', '--data', data, '--image-size', '8,8,3');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--image-size: expected two positive integers 'H,W'/);
    const missing = convkit('train', '--data', join(dir, 'nope'), '--image-size', '8,8', '--out', join(dir, 'x.keras'));
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /invalid 'directory'.*No such folder/);
    assert.doesNotMatch(missing.stderr, /\n\s+at /);
  });
});
