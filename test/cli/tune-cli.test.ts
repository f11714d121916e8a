// `convkit tune` and `convkit cv` as a user runs them: real processes on real MNIST rows. A search killed with
// SIGKILL mid-run resumes without repeating a finished trial; worker threads (--parallel 2) reproduce the
// single-process numbers bit for bit; bad spaces and options fail before any data is loaded; cv writes its report.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { missingFile, need, SHARED_DATA } from '../helpers/requirements.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-tune-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ARGS = ['--import', 'tsx', 'src/cli/main.ts'];

function convkit(...args: string[]) {
  const r = spawnSync(process.execPath, [...ARGS, ...args], { encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Record {
  id: string;
  status: string;
  value: number | null;
  history: { [k: string]: number[] };
}

function records(out: string): Record[] {
  const path = join(out, 'trials.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record);
}

const space = join(dir, 'space.json');
writeFileSync(
  space,
  JSON.stringify({
    lr: { type: 'loguniform', min: 3e-4, max: 3e-3 },
    filters: { type: 'int', min: 4, max: 8, step: 4 },
    denseUnits: { type: 'choice', values: [16, 32] },
  }),
);
const searchArgs = (out: string) => [
  'tune',
  '--space',
  space,
  '--dataset',
  'mnist',
  '--limit',
  '400',
  '--model',
  'mnist-cnn',
  '--trials',
  '10',
  '--epochs',
  '2',
  '--seed',
  '7',
  '--out',
  out,
];

describe('convkit tune', () => {
  test('killed mid-search, it resumes without repeating a finished trial; threads reproduce the numbers', async () => {
    const out = join(dir, 'killed');
    const child = spawn(process.execPath, [...ARGS, ...searchArgs(out)], { stdio: 'ignore' });
    let completedAtKill: string[] = [];
    try {
      const deadline = Date.now() + 180_000;
      while (Date.now() < deadline) {
        completedAtKill = records(out)
          .filter((r) => r.status === 'completed')
          .map((r) => r.id);
        if (completedAtKill.length >= 2) break;
        await sleep(25);
      }
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => child.once('exit', resolve));
    // Re-read after the process is gone: a record written between the last poll and the kill counts too.
    completedAtKill = records(out)
      .filter((r) => r.status === 'completed')
      .map((r) => r.id);
    assert.ok(completedAtKill.length >= 2, `two trials finished before the kill (${completedAtKill})`);
    assert.ok(completedAtKill.length < 10, 'the search was interrupted, not finished');

    const resumed = convkit(...searchArgs(out));
    assert.equal(resumed.code, 0, resumed.stderr);
    const started = [...resumed.stdout.matchAll(/trial (t\d+) started/g)].map((m) => m[1]!);
    for (const id of completedAtKill) assert.ok(!started.includes(id), `${id} finished before the kill and was run again`);
    assert.equal(started.length + completedAtKill.length, 10, `every unfinished trial ran once: ${started}`);
    assert.match(
      resumed.stdout,
      new RegExp(`Resumed: ${completedAtKill.length} trial\\(s\\) finished by an earlier run were not repeated`),
    );
    assert.match(resumed.stdout, /rank\s+trial\s+val_accuracy\s+epochs\s+time\s+parameters/);
    const final = records(out);
    assert.deepEqual(
      final.map((r) => r.id).sort(),
      Array.from({ length: 10 }, (_, i) => `t000${i}`.replace('t00010', 't0010')),
    );
    assert.ok(final.every((r) => r.status === 'completed'));
    assert.ok(existsSync(join(out, 'best.keras')));
    const best = JSON.parse(readFileSync(join(out, 'best.json'), 'utf8')) as { value: number; trial: string };
    assert.equal(best.value, Math.max(...final.map((r) => r.value!)));
    assert.ok(!existsSync(join(out, 'models')), 'no trial model left behind');

    // The same search in two worker threads, uninterrupted: identical histories, trial by trial.
    const threaded = join(dir, 'threads');
    const parallel = convkit(...searchArgs(threaded), '--parallel', '2');
    assert.equal(parallel.code, 0, parallel.stderr);
    assert.match(parallel.stdout, /2 worker threads/);
    const byId = new Map(records(threaded).map((r) => [r.id, r]));
    for (const r of final) assert.deepEqual(byId.get(r.id)!.history, r.history, r.id);
  });

  test('bad spaces and options fail before any data is loaded, naming the parameter', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'lr:\n  type: loguniform\n  min: 0\n  max: 0.01\n');
    let r = convkit('tune', '--space', bad, '--out', join(dir, 'o1'), '--trials', '2');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /space: invalid 'lr.min'. Expected a value > 0 for a loguniform parameter, received 0/);
    assert.doesNotMatch(r.stdout, /Data:/);
    const unknown = join(dir, 'unknown.json');
    writeFileSync(unknown, '{"dropout": {"type": "uniform", "min": 0, "max": 0.5}}');
    r = convkit('tune', '--space', unknown, '--model', 'lenet5', '--out', join(dir, 'o2'), '--trials', '2');
    assert.match(r.stderr, /invalid 'dropout'. Expected a parameter of the 'lenet5' template \(lr, optimizer, batchSize\)/);
    r = convkit('tune', '--space', space, '--strategy', 'grid', '--out', join(dir, 'o3'));
    assert.match(r.stderr, /invalid 'lr'. Expected a parameter grid search can enumerate/);
    r = convkit('tune', '--space', space, '--strategy', 'bayes', '--out', join(dir, 'o4'), '--trials', '2');
    assert.match(r.stderr, /'random', 'grid' or 'hyperband', received "bayes"/);
    r = convkit('tune', '--space', space, '--queue', 'http://localhost:6379', '--out', join(dir, 'o5'), '--trials', '2');
    assert.match(r.stderr, /--queue: invalid URL. Expected redis:\/\/host:port/);
    r = convkit('tune', '--space', join(dir, 'nope.json'), '--out', join(dir, 'o6'), '--trials', '2');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nope.json/);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
  });

  test('a search with a different --trials in the same folder is refused', () => {
    const out = join(dir, 'killed');
    const r = convkit(...searchArgs(out).map((a) => (a === '10' ? '11' : a)));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /holds a different search \(trials: 10 before, 11 now\).*new --out folder/);
  });
});

describe('convkit cv', () => {
  test('prints per-fold metrics and mean ± std, writes cv.json and cv.csv', () => {
    const out = join(dir, 'cv');
    const cv = ['cv', '--dataset', 'mnist', '--limit', '300', '--model', 'mlp', '--folds', '3', '--epochs', '1', '--seed', '3'];
    const r = convkit(...cv, '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /fold\s+train\s+held out\s+loss\s+accuracy\s+time/);
    assert.match(r.stdout, /mean ± std\s+\d\.\d{4} ± \d\.\d{4}\s+\d\.\d{4} ± \d\.\d{4}/);
    const report = JSON.parse(readFileSync(join(out, 'cv.json'), 'utf8')) as {
      folds: { trainSize: number; testSize: number; metrics: { accuracy: number }; history: { loss: number[] } }[];
      mean: { accuracy: number };
    };
    assert.deepEqual(
      report.folds.map((f) => [f.trainSize, f.testSize]),
      [
        [200, 100],
        [200, 100],
        [200, 100],
      ],
    );
    const mean = report.folds.reduce((t, f) => t + f.metrics.accuracy, 0) / 3;
    assert.ok(Math.abs(report.mean.accuracy - mean) < 1e-12);
    const csv = readFileSync(join(out, 'cv.csv'), 'utf8').trim().split('\n');
    assert.equal(csv[0], 'fold,train,held_out,loss,accuracy,seconds');
    assert.equal(csv.length, 6);
    assert.match(csv[4]!, /^mean,,,/);
    // Same seed, same numbers.
    const again = convkit(...cv);
    assert.equal(again.code, 0, again.stderr);
    const line = (s: string) => s.split('\n').find((l) => l.startsWith('mean ± std'));
    assert.equal(line(again.stdout), line(r.stdout));
  });

  test('bad model names and fold counts are refused clearly', () => {
    let r = convkit('cv', '--model', 'mnist-cn', '--limit', '100');
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /--model: invalid 'model'. Expected a seed model \(mnist-cnn, .*\) or a model file \(.keras, .h5, TF.js model.json\), received "mnist-cn"/,
    );
    r = convkit('cv', '--folds', '1');
    assert.match(r.stderr, /--folds: expected an integer >= 2, received '1'/);
    r = convkit('cv', '--model', join(dir, 'missing.keras'));
    assert.match(r.stderr, /No such file. A model file gives the architecture/);
  });

  test('--model takes a Keras 2 .h5 file as the architecture (fresh weights per fold)', () => {
    const h5 = `${SHARED_DATA}keras-mnist/classic-cnn/mnist_cnn.h5`;
    need(missingFile(h5));
    const out = join(dir, 'cv-h5');
    const r = convkit(
      'cv',
      '--dataset',
      'mnist',
      '--limit',
      '200',
      '--model',
      h5,
      '--folds',
      '2',
      '--epochs',
      '1',
      '--seed',
      '5',
      '--out',
      out,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /2-fold cross-validation of .*mnist_cnn\.h5/);
    const report = JSON.parse(readFileSync(join(out, 'cv.json'), 'utf8')) as { folds: { metrics: { accuracy: number } }[] };
    assert.equal(report.folds.length, 2);
    // Fresh weights and 100 training images for one epoch: far from the pretrained file's 98.76%.
    for (const fold of report.folds) assert.ok(fold.metrics.accuracy < 0.9, `fold accuracy ${fold.metrics.accuracy}`);
  });
});
