// `convkit augment-preview`: the grid PNG is read back with sharp and checked tile by tile against the source image
// (the first tile is the original; with --flip horizontal every other tile is the original or its exact mirror,
// computed here), the same seed writes the same file and another seed a different one, a folder gives one tile per
// image drawn, and bad flags are clear errors that write nothing.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';

const S = 16;
const GAP = 4;
const dir = mkdtempSync(join(tmpdir(), 'convkit-augprev-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function convkit(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'augment-preview', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const source = new Uint8Array(S * S * 3);
for (let i = 0; i < source.length; i++) source[i] = (i * 37 + 11) % 253;

/** Tile `t` of a 2-column grid as RGB bytes. */
function tileOf(grid: { data: Buffer; info: { width: number } }, t: number): number[] {
  const out: number[] = [];
  const top = GAP + Math.floor(t / 2) * (S + GAP);
  const left = GAP + (t % 2) * (S + GAP);
  for (let r = 0; r < S; r++) for (let c = 0; c < S * 3; c++) out.push(grid.data[((top + r) * grid.info.width + left) * 3 + c]!);
  return out;
}

function mirrored(pixels: number[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < S; r++) for (let c = S - 1; c >= 0; c--) out.push(...pixels.slice((r * S + c) * 3, (r * S + c) * 3 + 3));
  return out;
}

describe('cli augment-preview', () => {
  const image = join(dir, 'photo.png');
  before(async () => {
    await sharp(Buffer.from(source), { raw: { width: S, height: S, channels: 3 } })
      .png()
      .toFile(image);
    mkdirSync(join(dir, 'folder', 'a'), { recursive: true });
    for (let i = 0; i < 3; i++) await sharp(image).toFile(join(dir, 'folder', 'a', `${i}.png`));
  });

  test('one image with --flip horizontal: the original first, then originals or exact mirrors (both occur)', async () => {
    const out = join(dir, 'flip.png');
    const r = convkit(image, '--flip', 'horizontal', '--samples', '4', '--size', String(S), '--seed', '2', '--out', out);
    assert.equal(r.code, 0, r.stderr);
    const grid = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    assert.equal(grid.info.width, 2 * S + 3 * GAP);
    assert.equal(grid.info.height, 2 * S + 3 * GAP);
    const original = [...source];
    assert.deepEqual(tileOf(grid, 0), original);
    const kinds = [1, 2, 3].map((t) => {
      const tile = tileOf(grid, t);
      if (JSON.stringify(tile) === JSON.stringify(original)) return 'original';
      assert.deepEqual(tile, mirrored(original), `tile ${t} is neither the image nor its mirror`);
      return 'mirror';
    });
    assert.ok(kinds.includes('mirror'), kinds.join(','));
  });

  test('seeded: the same seed writes the same PNG, another seed a different one; a folder gives its images', () => {
    const args = [image, '--rotation', '30', '--zoom', '0.2', '--samples', '4', '--size', String(S)];
    const files = [1, 1, 2].map((seed, i) => {
      const out = join(dir, `seed-${i}.png`);
      assert.equal(convkit(...args, '--seed', String(seed), '--out', out).code, 0);
      return readFileSync(out);
    });
    assert.deepEqual(files[0], files[1]);
    assert.notDeepEqual(files[0], files[2]);
    const folder = convkit(join(dir, 'folder'), '--shift', '0.1', '--samples', '9', '--size', '8', '--out', join(dir, 'f.png'));
    assert.equal(folder.code, 0, folder.stderr);
    assert.match(folder.stdout, /3 samples of 8x8/);
  });

  test('no augmentation, a typo in --flip, or a non-PNG --out: a clear error and no file', () => {
    const cases: [string[], RegExp][] = [
      [[image, '--out', join(dir, 'none.png')], /at least one augmentation.*--rotation 20/],
      [[image, '--flip', 'horizontl', '--out', join(dir, 'typo.png')], /--flip.*horizontal \| vertical/],
      [[image, '--flip', 'horizontal', '--out', join(dir, 'grid.jpg')], /'\.png'/],
    ];
    for (const [args, pattern] of cases) {
      const r = convkit(...args);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, pattern);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.ok(!existsSync(args.at(-1)!));
    }
  });
});
