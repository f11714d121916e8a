// k-fold splits: disjoint and covering folds, stratification checked against scikit-learn's StratifiedKFold on the
// same labels (its per-fold class counts, computed by /usr/bin/python3), seeds reproduce, bad options are refused.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { type FoldIndices, kFold, stratifiedKFold } from '../../src/tuning/folds.js';
import { need, PYTHON, skipUnless } from '../helpers/requirements.js';

const missingSklearn: string | null = (() => {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  try {
    execFileSync(PYTHON, ['-c', 'import sklearn'], { stdio: 'ignore' });
    return null;
  } catch {
    return `${PYTHON} cannot import sklearn (apt-get install python3-sklearn)`;
  }
})();

/** Imbalanced labels: class c has 7 + 13c (mod 29) samples, in a scrambled order. */
function unevenLabels(): number[] {
  const labels: number[] = [];
  for (let c = 0; c < 6; c++) for (let i = 0; i < 7 + ((13 * c) % 29); i++) labels.push(c);
  return labels.map((_, i) => labels[(i * 37) % labels.length]!);
}

function assertPartition(folds: FoldIndices[], n: number): void {
  const seen = new Int32Array(n);
  for (const fold of folds) {
    assert.equal(fold.train.length + fold.test.length, n);
    const test = new Set(fold.test);
    for (const i of fold.train) assert.ok(!test.has(i), `row ${i} is in both train and test`);
    for (const i of fold.test) seen[i]! += 1;
  }
  assert.deepEqual([...seen], new Array(n).fill(1), 'every row is held out exactly once');
}

/** counts[fold][class] of held-out rows. */
function classCounts(folds: { test: ArrayLike<number> }[], labels: number[], classes: number): number[][] {
  return folds.map((f) => {
    const counts = new Array(classes).fill(0);
    for (const i of Array.from(f.test)) counts[labels[i]!] += 1;
    return counts;
  });
}

describe('k-fold splits', () => {
  test('kFold: disjoint, covering, sizes as scikit-learn (first n % k folds one larger)', () => {
    const folds = kFold(23, { folds: 5, seed: 3 });
    assertPartition(folds, 23);
    assert.deepEqual(
      folds.map((f) => f.test.length),
      [5, 5, 5, 4, 4],
    );
    const unshuffled = kFold(10, { folds: 3, shuffle: false });
    assert.deepEqual(
      unshuffled.map((f) => [...f.test]),
      [
        [0, 1, 2, 3],
        [4, 5, 6],
        [7, 8, 9],
      ],
    );
  });

  test('stratifiedKFold: disjoint, covering, each class within 1 of count/k in every fold', () => {
    const labels = unevenLabels();
    const folds = stratifiedKFold(labels, { folds: 5, seed: 7 });
    assertPartition(folds, labels.length);
    const counts = classCounts(folds, labels, 6);
    for (let c = 0; c < 6; c++) {
      const expected = labels.filter((l) => l === c).length / 5;
      for (const row of counts) assert.ok(Math.abs(row[c]! - expected) < 1, `class ${c}: ${row[c]} vs ${expected}`);
    }
    const sizes = folds.map((f) => f.test.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `fold sizes ${sizes}`);
  });

  test('stratifiedKFold matches scikit-learn StratifiedKFold per-fold class counts', { skip: skipUnless(missingSklearn) }, () => {
    need(missingSklearn);
    const labels = unevenLabels();
    const script = [
      'import json, sys, numpy as np',
      'from sklearn.model_selection import StratifiedKFold',
      'y = np.array(json.loads(sys.stdin.read()))',
      'out = []',
      'for _, test in StratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(np.zeros(len(y)), y):',
      '    out.append(np.bincount(y[test], minlength=6).tolist())',
      'print(json.dumps(out))',
    ].join('\n');
    const sk = JSON.parse(execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(labels) }).toString()) as number[][];
    const ours = classCounts(stratifiedKFold(labels, { folds: 5, seed: 1 }), labels, 6);
    // Which fold gets the extra sample of a class is arbitrary; the multiset of counts per class must agree.
    for (let c = 0; c < 6; c++) {
      const sorted = (rows: number[][]) => rows.map((r) => r[c]!).sort((a, b) => a - b);
      assert.deepEqual(sorted(ours), sorted(sk), `class ${c}`);
    }
  });

  test('same seed, same folds; another seed, other folds', () => {
    const labels = unevenLabels();
    const a = stratifiedKFold(labels, { folds: 4, seed: 11 });
    const b = stratifiedKFold(labels, { folds: 4, seed: 11 });
    const c = stratifiedKFold(labels, { folds: 4, seed: 12 });
    assert.deepEqual(
      a.map((f) => [...f.test]),
      b.map((f) => [...f.test]),
    );
    assert.notDeepEqual(
      a.map((f) => [...f.test]),
      c.map((f) => [...f.test]),
    );
  });

  test('a class smaller than k is reported, not hidden', () => {
    const small: [number, number][] = [];
    stratifiedKFold([0, 0, 0, 0, 0, 1, 1], { folds: 3, seed: 1 }, (label, count) => small.push([label, count]));
    assert.deepEqual(small, [[1, 2]]);
  });

  test('bad options are refused by name', () => {
    assert.throws(() => kFold(10, { folds: 1 }), /kFold: invalid 'folds'. Expected an integer >= 2, received 1/);
    assert.throws(() => kFold(3, { folds: 4 }), /at most the number of samples \(3\), received 4/);
    assert.throws(
      () => stratifiedKFold([0, 1.5, 1], { folds: 2 }),
      /labels\[1\]'. Expected a class index.*received 1.5.*stratified: false/,
    );
  });
});
