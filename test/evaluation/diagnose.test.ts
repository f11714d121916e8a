// diagnose() on synthetic histories of each kind, built to sit clearly on one side of the documented thresholds
// (DIAGNOSE_DEFAULTS), with and without validation data; plus the text form and bad input. Real training runs that
// overfit and underfit are in diagnose-real.test.ts.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, ValueError } from '../../src/errors.js';
import { diagnose, formatDiagnosis } from '../../src/evaluation/diagnose.js';
import { History } from '../../src/training/history.js';

const overfit = {
  loss: [1.0, 0.7, 0.5, 0.35, 0.25, 0.18, 0.12, 0.08],
  val_loss: [1.0, 0.75, 0.6, 0.55, 0.58, 0.63, 0.7, 0.78],
};
const underfit = {
  loss: [2.0, 1.9, 1.85, 1.83, 1.82, 1.82, 1.81, 1.81],
  val_loss: [1.95, 1.88, 1.84, 1.83, 1.83, 1.82, 1.82, 1.82],
  accuracy: [0.2, 0.28, 0.31, 0.33, 0.34, 0.34, 0.35, 0.35],
  val_accuracy: [0.22, 0.29, 0.31, 0.33, 0.33, 0.34, 0.34, 0.34],
};
const healthy = {
  loss: [1.0, 0.5, 0.35, 0.3, 0.28, 0.27, 0.265, 0.262],
  val_loss: [0.9, 0.5, 0.4, 0.36, 0.35, 0.345, 0.344, 0.344],
  accuracy: [0.7, 0.82, 0.87, 0.89, 0.9, 0.9, 0.91, 0.91],
  val_accuracy: [0.72, 0.82, 0.85, 0.87, 0.88, 0.88, 0.88, 0.88],
};
const falling = {
  loss: [1.0, 0.9, 0.81, 0.73, 0.66, 0.59],
  val_loss: [1.0, 0.91, 0.82, 0.74, 0.67, 0.6],
};

describe('diagnose: synthetic histories', () => {
  test('overfitting: validation loss turns while training loss falls', () => {
    const d = diagnose(overfit);
    assert.equal(d.verdict, 'overfitting');
    assert.equal(d.facts.bestEpoch, 4);
    assert.match(d.headline, /^overfitting: Validation loss turned at epoch 4/);
    assert.match(d.evidence[0]!, /rose 41\.8% to 0\.7800 over the next 4 epochs/);
    const remedies = d.remedies.join('\n');
    for (const word of [/augmentation/, /Dropout/, /L2/, /smaller model/, /EarlyStopping/, /lower learning rate/]) {
      assert.match(remedies, word);
    }
    assert.match(remedies, /best epoch here was 4/);
  });

  test('overfitting from the accuracy gap when validation loss has stalled', () => {
    const d = diagnose({
      loss: [0.9, 0.5, 0.3, 0.2, 0.1, 0.05],
      val_loss: [0.9, 0.7, 0.62, 0.6, 0.6, 0.6],
      accuracy: [0.7, 0.85, 0.92, 0.96, 0.98, 0.99],
      val_accuracy: [0.7, 0.76, 0.79, 0.8, 0.8, 0.8],
    });
    assert.equal(d.verdict, 'overfitting');
    assert.match(d.headline, /Training accuracy 0\.9900 is 19\.0% above validation accuracy 0\.8000/);
  });

  test('underfitting: a plateau at low accuracy with no gap', () => {
    const d = diagnose(underfit);
    assert.equal(d.verdict, 'underfitting');
    assert.match(d.headline, /plateau while training accuracy is only 0\.3500/);
    const remedies = d.remedies.join('\n');
    for (const word of [/bigger model/, /More epochs/, /Less dropout/, /higher learning rate/, /normalisation/]) {
      assert.match(remedies, word);
    }
  });

  test('healthy: validation at its best, levelling off, small gap', () => {
    const d = diagnose(healthy);
    assert.equal(d.verdict, 'healthy');
    assert.deepEqual(d.limitations, []);
  });

  test('not yet converged: both losses still falling about 10% per epoch', () => {
    const d = diagnose(falling);
    assert.equal(d.verdict, 'not yet converged');
    assert.match(d.remedies[0]!, /more epochs/);
  });

  test('diverging: NaN loss, and an exploding loss', () => {
    const nan = diagnose({ loss: [1, 0.8, Number.NaN], val_loss: [1, 0.9, Number.NaN] });
    assert.equal(nan.verdict, 'diverging');
    assert.equal(nan.facts.nonFiniteEpoch, 3);
    assert.match(nan.headline, /NaN or infinite at epoch 3 of 3/);
    const exploding = diagnose({ loss: [1, 0.8, 0.9, 2.5, 8] });
    assert.equal(exploding.verdict, 'diverging');
    assert.match(exploding.headline, /10\.0x its minimum/);
    assert.match(exploding.remedies.join('\n'), /Lower the learning rate/);
  });

  test('one epoch is too few to judge', () => {
    assert.equal(diagnose({ loss: [0.5], val_loss: [0.6] }).verdict, 'not yet converged');
  });

  test('thresholds are options: a 42% rise is not overfitting when valRise is 0.5', () => {
    assert.equal(diagnose(overfit, { valRise: 0.5 }).verdict, 'healthy');
    assert.equal(diagnose(overfit, { minEpochsSinceBest: 5 }).verdict, 'healthy');
  });
});

describe('diagnose without validation data', () => {
  test('says it cannot see overfitting, and still judges training', () => {
    const d = diagnose({ loss: overfit.loss.slice(0, 5).concat([0.24, 0.238, 0.237]) });
    assert.equal(d.verdict, 'healthy');
    assert.match(d.limitations[0]!, /No validation data: overfitting cannot be seen/);
    assert.match(d.limitations[1]!, /only validation data can show/);
    assert.equal(diagnose({ loss: underfit.loss, accuracy: underfit.accuracy }).verdict, 'underfitting');
    assert.equal(diagnose({ loss: falling.loss }).verdict, 'not yet converged');
    // Without accuracy, "poor" means the loss fell less than 30% from its first epoch.
    assert.equal(diagnose({ loss: [2.0, 1.8, 1.7, 1.69, 1.69, 1.69] }).verdict, 'underfitting');
  });

  test("CSVLogger's NaN validation columns (no validation run) count as no validation", () => {
    const d = diagnose({ loss: falling.loss, val_loss: falling.loss.map(() => Number.NaN) });
    assert.equal(d.facts.hasValidation, false);
    assert.equal(d.verdict, 'not yet converged');
  });
});

describe('diagnose input and output', () => {
  test("fit()'s History works, and learning-rate reductions are reported", async () => {
    const h = new History();
    await h.onTrainBegin();
    overfit.loss.forEach((loss, i) => {
      void h.onEpochEnd(i, { loss, val_loss: overfit.val_loss[i]!, learning_rate: i < 5 ? 0.001 : 0.0001 });
    });
    const d = diagnose(h);
    assert.equal(d.verdict, 'overfitting');
    assert.deepEqual(d.facts.learningRateDrops, [[6, 0.0001]]);
    assert.ok(d.evidence.some((e) => /learning rate was reduced to 0\.0001 at epoch 6/.test(e)));
  });

  test('the text starts with the verdict line', () => {
    const text = formatDiagnosis(diagnose(overfit));
    const lines = text.split('\n');
    assert.equal(lines[0], 'Diagnosis: overfitting');
    assert.match(lines[1]!, /^ {2}- Validation loss turned at epoch 4/);
    assert.ok(lines.includes('What to try:'));
  });

  test('bad input is named', () => {
    assert.throws(
      () => diagnose({ val_loss: [1] } as never),
      (e: Error) => e instanceof ValueError && /'loss' series/.test(e.message),
    );
    assert.throws(() => diagnose({ loss: [] }), /at least one epoch/);
    assert.throws(() => diagnose({ loss: [1, 'x'] } as never), /history\.loss/);
    assert.throws(
      () => diagnose(overfit, { val_rise: 0.1 } as never),
      (e: Error) => e instanceof ConfigError && /valRise/.test(e.message),
    );
    assert.throws(() => diagnose(overfit, { valRise: -1 }), /valRise/);
  });
});
