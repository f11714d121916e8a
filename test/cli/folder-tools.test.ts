// `convkit split` and `convkit dataset-info` as a user runs them: real processes, printed tables, exit codes, and
// refusals reported without a stack trace.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { missingFile, need, SHARED_DATA, skipUnless } from '../helpers/requirements.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-cli-folders-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const CATS_DOGS = join(SHARED_DATA, 'cats-dogs');

function convkit(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli folder tools', () => {
  const src = join(dir, 'photos');
  for (const [c, n] of [
    ['cats', 20],
    ['dogs', 10],
  ] as const) {
    mkdirSync(join(src, c), { recursive: true });
    for (let i = 0; i < n; i++) writeFileSync(join(src, c, `${c}.${i}.jpg`), `${c} ${i}`);
  }

  test('split: dry run prints the per-class table and writes nothing; a real run writes it; a busy target is refused', () => {
    const out = join(dir, 'split');
    const dry = convkit('split', src, '--out', out, '--val', '0.2', '--test', '0.1', '--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    // cats 20 -> validation 4, test 2, train 14; dogs 10 -> 2, 1, 7.
    assert.match(dry.stdout, /dry run: would write 30 files/);
    assert.match(dry.stdout, /cats\s+14\s+4\s+2\s+20/);
    assert.match(dry.stdout, /dogs\s+7\s+2\s+1\s+10/);
    assert.equal(existsSync(out), false);

    const run = convkit('split', src, '--out', out, '--val', '0.2', '--test', '0.1', '--seed', '1');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /copied and verified 30 files/);
    assert.equal(readdirSync(join(out, 'train', 'cats')).length, 14);
    assert.equal(readdirSync(join(out, 'test', 'dogs')).length, 1);

    const again = convkit('split', src, '--out', out);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /splitFolders: the target folder .* is not empty.*--force/);
    assert.doesNotMatch(again.stderr, /\n\s+at /);
    const forced = convkit('split', src, '--out', out, '--force');
    assert.equal(forced.code, 1);
    assert.match(forced.stderr, /already exist.*never overwrites/);

    const bad = convkit('split', src, '--out', join(dir, 'x'), '--val', '1.5');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--val: expected a number >= 0 and < 1, received '1.5'/);
    const two = convkit('split', src, '--out', join(dir, 'x'), '--move', '--link');
    assert.equal(two.code, 1);
    assert.match(two.stderr, /choose one of --copy, --move, --link/);
    assert.equal(existsSync(join(dir, 'x')), false);
  });

  test('dataset-info on ../shared/data/cats-dogs prints classes, counts per split and sizes', {
    skip: skipUnless(missingFile(CATS_DOGS)),
  }, () => {
    need(missingFile(CATS_DOGS));
    const r = convkit('dataset-info', CATS_DOGS);
    assert.equal(r.code, 0, r.stderr);
    const count = (split: string, c: string) => readdirSync(join(CATS_DOGS, split, c)).length;
    assert.match(r.stdout, /2884 files, 2 classes, splits test, train, validation/);
    assert.match(
      r.stdout,
      new RegExp(`cats\\s+${count('test', 'cats')}\\s+${count('train', 'cats')}\\s+${count('validation', 'cats')}`),
    );
    assert.match(r.stdout, /image size \(width x height\): min \d+x\d+, median \d+x\d+, max \d+x\d+/);
    assert.match(r.stdout, /formats: jpeg 2884/);
    assert.match(r.stdout, /duplicate groups: 0/);
    const missing = convkit('dataset-info', join(dir, 'nope'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /datasetInfo: folder not found/);
  });
});
