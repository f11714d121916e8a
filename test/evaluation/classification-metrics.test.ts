// Classification metrics against hand-computed matrices (a class never predicted, a class with no samples) and
// against scikit-learn itself on the same random predictions: confusion_matrix, precision_recall_fscore_support
// (per class, macro, weighted) and classification_report's text, character for character.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, ValueError } from '../../src/errors.js';
import {
  classificationReport,
  confusionMatrix,
  formatClassificationReport,
  mostConfused,
  pairwiseSum,
  pythonFixed,
} from '../../src/evaluation/classification-metrics.js';
import { need, skipUnless } from '../helpers/requirements.js';
import { missingSklearn, runPython } from '../helpers/sklearn.js';

// Classes 0..3: class 2 is never predicted, class 3 never occurs.
const yTrue = [0, 0, 0, 1, 1, 2, 2, 2, 2];
const yPred = [0, 1, 3, 1, 0, 0, 1, 0, 3];

function close(actual: number, expected: number, what: string) {
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: expected ${expected}, received ${actual}`);
}

describe('confusionMatrix and classificationReport by hand', () => {
  test('matrix rows are true classes, columns predicted', () => {
    assert.deepEqual(confusionMatrix(yTrue, yPred), [
      [1, 1, 0, 1],
      [1, 1, 0, 0],
      [2, 1, 0, 1],
      [0, 0, 0, 0],
    ]);
    assert.deepEqual(confusionMatrix([0, 1, 1], [0, 1, 0], { numClasses: 3 }), [
      [1, 0, 0],
      [1, 1, 0],
      [0, 0, 0],
    ]);
  });

  test('a class never predicted and a class with no samples give 0 (zero_division=0), never NaN', () => {
    const r = classificationReport(yTrue, yPred, { classNames: ['a', 'b', 'c', 'd'] });
    const expected = [
      // precision, recall, F1 (2tp / (2tp + fp + fn)), support
      [1 / 4, 1 / 3, 2 / 7, 3],
      [1 / 3, 1 / 2, 2 / 5, 2],
      [0, 0, 0, 4], // never predicted: precision 0/0 -> 0
      [0, 0, 0, 0], // no samples: recall 0/0 -> 0; predicted twice, so precision 0/2
    ];
    r.classes.forEach((c, i) => {
      const [p, rc, f, s] = expected[i]!;
      close(c.precision, p!, `${c.name} precision`);
      close(c.recall, rc!, `${c.name} recall`);
      close(c.f1Score, f!, `${c.name} f1`);
      assert.equal(c.support, s);
    });
    close(r.accuracy, 2 / 9, 'accuracy');
    close(r.macroAvg.precision, (1 / 4 + 1 / 3) / 4, 'macro precision');
    close(r.macroAvg.recall, (1 / 3 + 1 / 2) / 4, 'macro recall');
    close(r.macroAvg.f1Score, (2 / 7 + 2 / 5) / 4, 'macro f1');
    close(r.weightedAvg.precision, (3 / 4 + 2 / 3) / 9, 'weighted precision');
    close(r.weightedAvg.recall, 2 / 9, 'weighted recall');
    close(r.weightedAvg.f1Score, ((3 * 2) / 7 + (2 * 2) / 5) / 9, 'weighted f1');
    assert.equal(r.macroAvg.support, 9);
  });

  test('zeroDivision 1 fills the undefined ratios with 1; F1 of a class with neither samples nor predictions is 1', () => {
    const r = classificationReport(yTrue, yPred, { numClasses: 4, zeroDivision: 1 });
    assert.equal(r.classes[2]!.precision, 1); // 0/0
    assert.equal(r.classes[2]!.f1Score, 0); // recall 0: 2 * 1 * 0 / 1
    assert.equal(r.classes[3]!.recall, 1); // 0/0
    assert.equal(r.classes[3]!.precision, 0); // 0/2
    const empty = classificationReport([0, 0], [0, 0], { numClasses: 2, zeroDivision: 1 });
    assert.deepEqual(empty.classes[1], { name: '1', precision: 1, recall: 1, f1Score: 1, support: 0 });
  });

  test('the report text has sklearn layout', () => {
    const text = formatClassificationReport(classificationReport(yTrue, yPred, { classNames: ['a', 'b', 'c', 'd'] }));
    assert.equal(
      text,
      [
        '              precision    recall  f1-score   support',
        '',
        '           a       0.25      0.33      0.29         3',
        '           b       0.33      0.50      0.40         2',
        '           c       0.00      0.00      0.00         4',
        '           d       0.00      0.00      0.00         0',
        '',
        '    accuracy                           0.22         9',
        '   macro avg       0.15      0.21      0.17         9',
        'weighted avg       0.16      0.22      0.18         9',
        '',
      ].join('\n'),
    );
  });

  test('most-confused pairs: off-diagonal counts, largest first', () => {
    const pairs = mostConfused(confusionMatrix(yTrue, yPred), ['a', 'b', 'c', 'd'], 3);
    assert.deepEqual(
      pairs.map((p) => [p.trueName, p.predictedName, p.count]),
      [
        ['c', 'a', 2],
        ['a', 'b', 1],
        ['a', 'd', 1],
      ],
    );
  });

  test('bad labels and options are named', () => {
    assert.throws(
      () => confusionMatrix([0, 1], [0]),
      (e: Error) => e instanceof ValueError && /yPred/.test(e.message),
    );
    assert.throws(
      () => confusionMatrix([0, 1.5], [0, 1]),
      (e: Error) => e instanceof ValueError && /yTrue\[1\]/.test(e.message),
    );
    assert.throws(() => confusionMatrix([0, 3], [0, 1], { numClasses: 3 }), /yTrue\[1\].*\[0, 2\]/);
    assert.throws(() => classificationReport([0], [0], { zero_division: 1 } as never), ConfigError);
    assert.throws(() => classificationReport([0], [0], { zeroDivision: 2 as never }), /zeroDivision/);
    assert.throws(() => classificationReport([0, 1], [0, 1], { classNames: ['x'], numClasses: 2 }), /classNames/);
  });
});

describe('numeric details that make sklearn text match', () => {
  test('pythonFixed rounds exact ties to even, like format(x, ".2f")', () => {
    assert.equal(pythonFixed(0.125, 2), '0.12');
    assert.equal(pythonFixed(0.375, 2), '0.38');
    assert.equal(pythonFixed(2.5, 0), '2');
    assert.equal(pythonFixed(3.5, 0), '4');
    assert.equal(pythonFixed(0.1 + 0.2, 2), '0.30');
    assert.equal(pythonFixed(0.145, 2), '0.14'); // 0.145 is stored just below the tie
    assert.equal(pythonFixed(0.0625, 3), '0.062');
  });

  test('pairwiseSum equals a plain sum for short arrays and stays close for long ones', () => {
    assert.equal(pairwiseSum([1, 2, 3]), 6);
    const long = Array.from({ length: 1000 }, (_, i) => 1 / (i + 1));
    const plain = long.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(pairwiseSum(long) - plain) < 1e-12);
  });
});

/** A seeded stream of uniform numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random predictions: mostly right, some classes never predicted and some never true. */
function randomCase(seed: number, n: number, k: number) {
  const next = random(seed);
  const yT: number[] = [];
  const yP: number[] = [];
  for (let i = 0; i < n; i++) {
    let t = Math.floor(next() * k);
    if (t === k - 1) t = 0; // the last class never occurs
    let p = next() < 0.55 ? t : Math.floor(next() * k);
    if (p === 1) p = 2; // class 1 is never predicted
    yT.push(t);
    yP.push(p);
  }
  return { yT, yP };
}

const SKLEARN = `
import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support, classification_report
out = []
for c in data:
    labels = list(range(c['k']))
    cm = confusion_matrix(c['yTrue'], c['yPred'], labels=labels).tolist()
    per = precision_recall_fscore_support(c['yTrue'], c['yPred'], labels=labels, zero_division=c['zd'], average=None)
    avg = {a: list(precision_recall_fscore_support(c['yTrue'], c['yPred'], labels=labels, zero_division=c['zd'], average=a)[:3]) for a in ('macro', 'weighted')}
    text = classification_report(c['yTrue'], c['yPred'], labels=labels, target_names=c['names'], digits=c['digits'], zero_division=c['zd'])
    d = classification_report(c['yTrue'], c['yPred'], labels=labels, target_names=c['names'], zero_division=c['zd'], output_dict=True)
    out.append({'cm': cm, 'per': [a.tolist() for a in per], 'avg': avg, 'text': text, 'accuracy': d['accuracy']})
print(json.dumps(out))
`;

describe('against scikit-learn', { skip: skipUnless(missingSklearn) }, () => {
  test('confusion_matrix, precision_recall_fscore_support and classification_report text are equal', () => {
    need(missingSklearn);
    const cases = [
      { seed: 1, n: 500, k: 10, zd: 0 as const, digits: 2 },
      { seed: 2, n: 777, k: 10, zd: 1 as const, digits: 4 },
      { seed: 3, n: 40, k: 3, zd: 0 as const, digits: 3 },
      { seed: 4, n: 3000, k: 150, zd: 0 as const, digits: 2 }, // > 128 classes: numpy's recursive pairwise sum
      { seed: 5, n: 64, k: 8, zd: 1 as const, digits: 2 }, // small counts: exact ties like 0.125 occur
    ].map((c) => {
      const { yT, yP } = randomCase(c.seed, c.n, c.k);
      const names = Array.from({ length: c.k }, (_, i) => (i % 3 === 0 ? `class ${i} long name` : `c${i}`));
      return { ...c, yTrue: yT, yPred: yP, names };
    });
    const reference = runPython<
      { cm: number[][]; per: number[][]; avg: Record<string, number[]>; text: string; accuracy: number }[]
    >(SKLEARN, cases);
    cases.forEach((c, i) => {
      const ref = reference[i]!;
      const label = `case ${i} (k=${c.k}, zero_division=${c.zd})`;
      assert.deepEqual(confusionMatrix(c.yTrue, c.yPred, { numClasses: c.k }), ref.cm, label);
      const report = classificationReport(c.yTrue, c.yPred, { classNames: c.names, zeroDivision: c.zd });
      const [p, r, f, s] = ref.per as [number[], number[], number[], number[]];
      report.classes.forEach((row, j) => {
        assert.equal(row.precision, p[j], `${label} precision[${j}]`);
        assert.equal(row.recall, r[j], `${label} recall[${j}]`);
        assert.equal(row.f1Score, f[j], `${label} f1[${j}]`);
        assert.equal(row.support, s[j], `${label} support[${j}]`);
      });
      assert.deepEqual(
        [report.macroAvg.precision, report.macroAvg.recall, report.macroAvg.f1Score],
        ref.avg.macro,
        `${label} macro`,
      );
      assert.deepEqual(
        [report.weightedAvg.precision, report.weightedAvg.recall, report.weightedAvg.f1Score],
        ref.avg.weighted,
        `${label} weighted`,
      );
      assert.equal(report.accuracy, ref.accuracy, `${label} accuracy`);
      assert.equal(formatClassificationReport(report, c.digits), ref.text, `${label} text`);
    });
  });
});
