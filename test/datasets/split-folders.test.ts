// splitFolders on folders the test makes: per-class sizes computed by hand, determinism, no file lost (checksums),
// refusals before any write, dry runs, and a real mid-way failure under --move that must leave the source intact.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { planSplit, splitFolders } from '../../src/datasets/split-folders.js';
import { ConfigError, IOError } from '../../src/errors.js';

const root = mkdtempSync(join(tmpdir(), 'convkit-split-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Every file under `dir` (relative path -> SHA-256). */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

const CLASSES = { a: 10, b: 7, c: 3 };
let made = 0;
/** A fresh source folder: class a 10 files, b 7, c 3, each with distinct bytes; plus a loose README. */
function makeSource(): string {
  const src = join(root, `src-${made++}`);
  for (const [c, n] of Object.entries(CLASSES)) {
    mkdirSync(join(src, c), { recursive: true });
    for (let i = 0; i < n; i++)
      writeFileSync(join(src, c, `${c}-${String(i).padStart(2, '0')}.jpg`), `${c} image ${i} ${'x'.repeat(i * 37)}`);
  }
  writeFileSync(join(src, 'README.txt'), 'not a class');
  return src;
}

/** Split -> class -> sorted file names, as found on disk. */
function layout(out: string): Record<string, Record<string, string[]>> {
  const result: Record<string, Record<string, string[]>> = {};
  for (const split of readdirSync(out).sort()) {
    result[split] = {};
    for (const c of readdirSync(join(out, split)).sort()) result[split]![c] = readdirSync(join(out, split, c)).sort();
  }
  return result;
}

describe('splitFolders', () => {
  test('stratifies per class with the hand-computed sizes and loses no file (checksums)', () => {
    const src = makeSource();
    const before = tree(src);
    const out = join(root, 'out-strat');
    const report = splitFolders(src, { out, val: 0.2, test: 0.1, seed: 42 });
    // a: 10 -> val round(2.0)=2, test round(1.0)=1, train 7; b: 7 -> 1 (1.4), 1 (0.7), 5; c: 3 -> 1 (0.6), 0 (0.3), 2.
    const expected = { train: { a: 7, b: 5, c: 2 }, validation: { a: 2, b: 1, c: 1 }, test: { a: 1, b: 1, c: 0 } };
    assert.deepEqual(report.counts, expected);
    const onDisk = layout(out);
    for (const [split, perClass] of Object.entries(expected)) {
      for (const [c, n] of Object.entries(perClass)) assert.equal(onDisk[split]?.[c]?.length ?? 0, n, `${split}/${c}`);
    }
    assert.equal(report.verified, 20);
    // The union of the outputs is exactly the inputs: each class file once, same bytes; the source is untouched.
    const outputs = tree(out);
    const byName = new Map([...outputs].map(([p, h]) => [p.split('/').slice(1).join('/'), h]));
    assert.equal(outputs.size, 20);
    for (const [p, h] of before) if (p !== 'README.txt') assert.equal(byName.get(p), h, p);
    assert.deepEqual(tree(src), before);
    assert.deepEqual(report.ignored, ['README.txt']);
  });

  test('the same seed gives the same split, another seed a different one', () => {
    const src = makeSource();
    const assign = (seed: number) =>
      planSplit(src, { out: join(root, `never-${seed}`), seed })
        .files.map((f) => `${f.split}:${relative(src, f.source)}`)
        .sort();
    assert.deepEqual(assign(42), assign(42));
    assert.notDeepEqual(assign(42), assign(7));
    const out1 = join(root, 'det-1');
    const out2 = join(root, 'det-2');
    splitFolders(src, { out: out1, seed: 3 });
    splitFolders(src, { out: out2, seed: 3 });
    assert.deepEqual(layout(out1), layout(out2));
  });

  test('refuses a non-empty target before writing; --force never overwrites an existing file', () => {
    const src = makeSource();
    const out = join(root, 'busy');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'mine');
    assert.throws(
      () => splitFolders(src, { out }),
      (e: Error) => e instanceof IOError && /not empty/.test(e.message),
    );
    assert.deepEqual(readdirSync(out), ['keep.txt']);
    // A file of the same name waits in every split: wherever a-03.jpg would go, it is refused, nothing written.
    for (const split of ['train', 'validation', 'test']) {
      mkdirSync(join(out, split, 'a'), { recursive: true });
      writeFileSync(join(out, split, 'a', 'a-03.jpg'), 'mine too');
    }
    const collisionBefore = tree(out);
    assert.throws(() => splitFolders(src, { out, force: true }), /already exists.*never overwrites/);
    assert.deepEqual(tree(out), collisionBefore);
    // With --force and no collision the split goes in beside keep.txt.
    for (const split of ['train', 'validation', 'test']) rmSync(join(out, split), { recursive: true });
    const report = splitFolders(src, { out, force: true });
    assert.equal(readFileSync(join(out, 'keep.txt'), 'utf8'), 'mine');
    assert.equal(tree(out).size, 21);
    assert.equal(report.verified, 20);
  });

  test('a dry run plans the same split and writes nothing', () => {
    const src = makeSource();
    const out = join(root, 'dry');
    const dry = splitFolders(src, { out, dryRun: true, mode: 'move' });
    assert.equal(dry.dryRun, true);
    assert.equal(dry.files.length, 20);
    assert.throws(() => statSync(out), /ENOENT/);
    assert.equal(tree(src).size, 21);
  });

  test('--move with a failure mid-way removes what it wrote and leaves the source intact; then moves for real', () => {
    const src = makeSource();
    const before = tree(src);
    const out = join(root, 'move-fail');
    // A plain file where the folder test/b must go: classes a and b's train and validation files are written
    // first, then making test/b fails (ENOTDIR/EEXIST) in the middle of the run.
    mkdirSync(join(out, 'test'), { recursive: true });
    writeFileSync(join(out, 'test', 'b'), 'in the way');
    assert.throws(
      () => splitFolders(src, { out, mode: 'move', force: true, val: 0.2, test: 0.2 }),
      (e: Error) => e instanceof IOError && /failed at .*b-\d\d\.jpg.*source folder is intact/.test(e.message),
    );
    assert.deepEqual(tree(src), before);
    assert.deepEqual([...tree(out).keys()], ['test/b']);
    assert.deepEqual(readdirSync(out).sort(), ['test']);

    rmSync(out, { recursive: true });
    const report = splitFolders(src, { out, mode: 'move' });
    assert.equal(report.verified, 20);
    const moved = new Map([...tree(out)].map(([p, h]) => [p.split('/').slice(1).join('/'), h]));
    for (const [p, h] of before) if (p !== 'README.txt') assert.equal(moved.get(p), h, p);
    assert.deepEqual([...tree(src).keys()], ['README.txt']);
  });

  test('--link makes hard links to the source files', () => {
    const src = makeSource();
    const out = join(root, 'linked');
    const report = splitFolders(src, { out, mode: 'link' });
    for (const f of report.files) assert.equal(statSync(f.target).ino, statSync(f.source).ino);
  });

  test('bad options are refused by name before any work', () => {
    const src = makeSource();
    const out = join(root, 'never');
    assert.throws(() => splitFolders(src, { out, val: 0.6, test: 0.5 }), /'val \+ test'.*below 1/);
    assert.throws(
      () => splitFolders(src, { out, val: Number.NaN }),
      (e: Error) => e instanceof ConfigError && /'val'/.test(e.message),
    );
    assert.throws(() => splitFolders(src, { out, seed: 1.5 }), /'seed'/);
    assert.throws(() => splitFolders(src, { out, vall: 0.1 } as never), /unknown option 'vall'.*Did you mean 'val'/);
    assert.throws(() => splitFolders(src, { out: join(src, 'inside') }), /outside the source folder/);
    assert.throws(() => splitFolders(join(root, 'missing'), { out }), /source folder not found/);
    assert.throws(() => statSync(out), /ENOENT/);
  });
});
