// Bad-input corpus through the `convkit` command line (src/cli/main.ts, run as test/cli runs it): each argument
// -> non-zero exit, the words stderr must say, no stack trace, and (for output paths) no training started.
// Runs two processes at a time.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { readKerasArchive } from '../../src/io/keras-file.js';
import { writeZip } from '../../src/io/zip.js';

const KERAS_FILE = '../shared/data/keras-mnist/classic-cnn/mnist_cnn.keras';
const dir = mkdtempSync(join(tmpdir(), 'convkit-bad-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function convkit(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** [args, what stderr must say] */
const cases: [string[], RegExp][] = [
  [['summary', '/dev/zero'], /loadModel: '\/dev\/zero' is a character device/],
  [
    ['summary', at('huge.keras')],
    /'.*huge\.keras' is too large\. Expected a model file \(\.keras, Keras \.h5, or TF\.js model\.json or its folder\) of at most 2\.0 GiB/,
  ],
  [['summary', at('flip.keras')], /entry 'model\.weights\.h5' fails its CRC-32 check/],
  [['summary', at('cut-weights.keras')], /could not be opened as HDF5.*\(truncated file: eof = 900000/],
  [['predict', KERAS_FILE, at('pipe.png')], /loadImage: '.*pipe\.png' is a FIFO \(named pipe\)/],
  [['predict', KERAS_FILE, at('digit.png'), '--scale', 'abc'], /--scale: expected a finite number, received 'abc'/],
  [['predict', KERAS_FILE, at('digit.png'), '--offset', 'abc'], /--offset: expected a finite number, received 'abc'/],
  [['predict', KERAS_FILE, at('digit.png'), '--offset', ''], /--offset: expected a finite number, received ''/],
  [['predict', KERAS_FILE, at('digit.png'), '--top', '2.5'], /--top: expected an integer >= 1, received '2\.5'/],
  [
    ['--threads', '1000', 'summary', '--model', 'mlp'],
    new RegExp(`--threads: expected an integer >= 1 and <= ${availableParallelism()}`),
  ],
  [['summary', '--model', 'mlp', '--input-shape', '28,0,1'], /--input-shape: expected an integer >= 1, received '0'/],
  [['summary', '--model', 'mlp', '--input-shape', '28,28'], /--input-shape: expected three positive integers 'H,W,C'/],
  [['train', '--lr', 'Infinity'], /--lr: expected a number > 0, received 'Infinity'/],
  [['train', '--seed', '-1'], /--seed: expected an integer >= 0 and <= 4294967295, received '-1'/],
  [
    ['train', '--out', '/sys/convkit-model.keras'],
    /--out: cannot write '\/sys\/convkit-model\.keras': permission denied \(EACCES\)/,
  ],
  [['train', '--out', at('a-folder.keras')], /--out: cannot write '.*a-folder\.keras': it is a folder/],
  [
    ['train', '--out', at('plain-file/model.keras')],
    /--out: cannot write '.*plain-file\/model\.keras': a part of the path is a file/,
  ],
  [['train', '--out', at('model.h5')], /--out: invalid path '.*model\.h5'\. Expected a name ending in '\.keras'/],
  [['train', '--out', at('ok.keras'), '--csv', at('a-folder.keras')], /--csv: cannot write '.*a-folder\.keras': it is a folder/],
  [
    ['train', '--limit', '5', '--validation-split', '0.1', '--out', at('ok.keras')],
    /received 0\.1 of 5 samples, which leaves no validation rows/,
  ],
];

describe('bad input: the convkit CLI', () => {
  const results = new Map<string, Run>();

  before(async () => {
    mkdirSync(at('a-folder.keras'));
    writeFileSync(at('plain-file'), 'not a folder');
    writeFileSync(at('huge.keras'), '');
    truncateSync(at('huge.keras'), 3 * 2 ** 30); // sparse: no disk used
    const original = readFileSync(KERAS_FILE);
    const flipped = Uint8Array.from(original);
    flipped[20_000] = flipped[20_000]! ^ 1;
    writeFileSync(at('flip.keras'), flipped);
    // A .keras whose zip is intact but whose weights entry is the first 900,000 bytes of the real one.
    const archive = readKerasArchive(original, KERAS_FILE);
    writeFileSync(
      at('cut-weights.keras'),
      writeZip({ 'config.json': JSON.stringify(archive.config), 'model.weights.h5': archive.weights.subarray(0, 900_000) }),
    );
    assert.equal(spawnSync('mkfifo', [at('pipe.png')]).status, 0);
    await sharp(Buffer.alloc(28 * 28, 128), { raw: { width: 28, height: 28, channels: 1 } })
      .png()
      .toFile(at('digit.png'));
    const queue = [...cases];
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) results.set(c[0].join(' '), await convkit(c[0]));
    };
    await Promise.all([worker(), worker()]);
  });

  for (const [args, message] of cases) {
    test(`convkit ${args.join(' ')}`, () => {
      const run = results.get(args.join(' '))!;
      assert.notEqual(run.code, 0, `exit code ${run.code}\n${run.stdout}`);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /\n\s+at .+:\d+:\d+/, 'a stack trace reached the user');
      assert.doesNotMatch(run.stderr, /HDF5-DIAG/);
      assert.doesNotMatch(run.stdout, /Epoch|Training/, 'training started before the error');
    });
  }
});
