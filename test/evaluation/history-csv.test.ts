// Reading CSVLogger files back: files written by convkit's own CSVLogger (with and without validation, with a NaN
// loss), Keras's '\r\n' lines and 'NA' cells, appended runs, and malformed files.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CSVLogger } from '../../src/callbacks/csv-logger.js';
import { FormatError, NotFoundError } from '../../src/errors.js';
import { diagnose } from '../../src/evaluation/diagnose.js';
import { parseHistoryCsv, readHistoryCsv } from '../../src/evaluation/history-csv.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-history-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function logged(name: string, rows: Record<string, number>[]): Promise<string> {
  const path = join(dir, name);
  const logger = new CSVLogger(path);
  await logger.onTrainBegin();
  for (const [epoch, logs] of rows.entries()) await logger.onEpochEnd(epoch, logs);
  return path;
}

describe('readHistoryCsv', () => {
  test("reads CSVLogger's file back into fit's History shape", async () => {
    const loss = [1.0, 0.7, 0.5, 0.35, 0.25, 0.18, 0.12, 0.08];
    const valLoss = [1.0, 0.75, 0.6, 0.55, 0.58, 0.63, 0.7, 0.78];
    const path = await logged(
      'overfit.csv',
      loss.map((l, i) => ({ loss: l, val_loss: valLoss[i]!, learning_rate: 0.001 })),
    );
    const { history, epoch, notes } = readHistoryCsv(path);
    assert.deepEqual(history.loss, loss);
    assert.deepEqual(history.val_loss, valLoss);
    assert.deepEqual(epoch, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(notes, []);
    assert.equal(diagnose(history).verdict, 'overfitting');
  });

  test("a run without validation: CSVLogger's NA val_ columns are dropped", async () => {
    const path = await logged('train-only.csv', [{ loss: 1 }, { loss: 0.8 }, { loss: 0.7 }]);
    const { history } = readHistoryCsv(path);
    assert.deepEqual(Object.keys(history), ['loss']);
    assert.equal(diagnose(history).facts.hasValidation, false);
  });

  test("a NaN loss stays NaN (and diagnoses as diverging); Keras's \\r\\n lines", async () => {
    const path = await logged('nan.csv', [{ loss: 1 }, { loss: Number.NaN }]);
    const { history } = readHistoryCsv(path);
    assert.ok(Number.isNaN(history.loss![1]));
    assert.equal(diagnose(history).verdict, 'diverging');
    const keras = parseHistoryCsv('epoch,accuracy,loss,val_accuracy,val_loss\r\n0,0.5,1.2,0.55,1.1\r\n1,0.6,0.9,0.62,0.95\r\n');
    assert.deepEqual(keras.history.val_accuracy, [0.55, 0.62]);
  });

  test('appended runs: only the last run is read, with a note', () => {
    const r = parseHistoryCsv('epoch,loss\n0,1\n1,0.5\n0,2\n1,1.5\n2,1.2\n');
    assert.deepEqual(r.history.loss, [2, 1.5, 1.2]);
    assert.match(r.notes[0]!, /new run.*only the last run/);
  });

  test('a partly missing column is left out with a note', () => {
    const r = parseHistoryCsv('epoch,loss,val_loss\n0,1,NA\n1,0.5,0.6\n');
    assert.equal(r.history.val_loss, undefined);
    assert.match(r.notes[0]!, /'val_loss' is missing \(NA\) in 1 of 2 epochs/);
  });

  test('malformed files are refused with the reason', () => {
    assert.throws(
      () => parseHistoryCsv('', 'h.csv'),
      (e: Error) => e instanceof FormatError && /h\.csv: the file is empty/.test(e.message),
    );
    assert.throws(() => parseHistoryCsv('step,loss\n0,1\n'), /first column is "step"/);
    assert.throws(() => parseHistoryCsv('epoch,acc\n0,1\n'), /no 'loss' column/);
    assert.throws(() => parseHistoryCsv('epoch,loss\n'), /no epoch rows/);
    assert.throws(() => parseHistoryCsv('epoch,loss\n0,1,2\n'), /line 2 has 3 fields/);
    assert.throws(() => parseHistoryCsv('epoch,loss\n0,abc\n'), /line 2, column 'loss': "abc" is not a number/);
    assert.throws(() => readHistoryCsv(join(dir, 'missing.csv')), NotFoundError);
    const binary = join(dir, 'binary.csv');
    writeFileSync(binary, Buffer.from([0, 1, 2, 3]));
    assert.throws(
      () => readHistoryCsv(binary),
      (e: Error) => e instanceof FormatError && /binary, not text/.test(e.message),
    );
  });
});
