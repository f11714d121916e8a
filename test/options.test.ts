// The shared options rule (src/options.ts): unknown keys, Keras spellings, near-miss typos, non-object options and
// positional arguments, checked on the helper itself; the Keras-habit table in keras-habits.test.ts checks that
// every public options object goes through it.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../src/errors.js';
import { camelCase, checkOptions, isPlainObject, suggestKey, withPositional } from '../src/options.js';

const FIT = ['epochs', 'batchSize', 'validationSplit', 'callbacks'];

function rejects(run: () => unknown, pattern: RegExp): void {
  assert.throws(run, (e: unknown) => e instanceof ConfigError && pattern.test(e.message));
}

describe('options: checkOptions', () => {
  test('accepted keys pass through unchanged; undefined gives {}', () => {
    const options = { epochs: 2, batchSize: 8 };
    assert.equal(checkOptions('fit', options, FIT), options);
    assert.deepEqual(checkOptions('fit', undefined, FIT), {});
  });

  test('an unknown key names the key and lists every accepted one', () => {
    rejects(
      () => checkOptions('fit', { foo: 1 }, FIT),
      /^fit: unknown option 'foo'\. Accepted options: epochs, batchSize, validationSplit, callbacks\.$/,
    );
  });

  test('Keras snake_case and aliases get "did you mean"', () => {
    rejects(() => checkOptions('fit', { batch_size: 64 }, FIT), /unknown option 'batch_size'\. Did you mean 'batchSize'\?/);
    rejects(() => checkOptions('fit', { validation_split: 0.1 }, FIT), /Did you mean 'validationSplit'\?/);
    rejects(() => checkOptions('fit', { nb_epoch: 3 }, FIT), /Did you mean 'epochs'\?/);
    rejects(
      () => checkOptions('Adam', { lr: 1e-4 }, ['learningRate', 'beta1']),
      /unknown option 'lr'\. Did you mean 'learningRate'\?/,
    );
    rejects(() => checkOptions('Adam', { beta_1: 0.8 }, ['learningRate', 'beta1']), /Did you mean 'beta1'\?/);
  });

  test('near-miss typos get a suggestion, unrelated names do not', () => {
    assert.equal(suggestKey('kernalSize', ['filters', 'kernelSize']), 'kernelSize');
    assert.equal(suggestKey('epoch', FIT), 'epochs');
    assert.equal(suggestKey('zzz', FIT), null);
    assert.equal(camelCase('restore_best_weights'), 'restoreBestWeights');
  });

  test('keys set to undefined count as absent (spread options stay usable)', () => {
    assert.doesNotThrow(() => checkOptions('fit', { epochs: 1, batch_size: undefined }, FIT));
  });

  test('a number, string, array or class instance where an options object belongs is refused', () => {
    for (const bad of [64, 'adam', [1, 2], new Date(0), null, new Float32Array(2)]) {
      rejects(() => checkOptions('fit', bad, FIT), /^fit: invalid 'options'\. Expected an options object \{ epochs, batchSize/);
    }
    assert.ok(isPlainObject(Object.create(null)));
  });
});

describe('options: withPositional', () => {
  const DENSE = ['units', 'activation', 'useBias'];

  test('positional values take Keras order; a trailing object is the options', () => {
    assert.deepEqual(withPositional('Dense', [128, { activation: 'relu' }], ['units', 'activation'], DENSE), {
      units: 128,
      activation: 'relu',
    });
    assert.deepEqual(withPositional('Dense', [10, 'softmax'], ['units', 'activation'], DENSE), {
      units: 10,
      activation: 'softmax',
    });
    assert.deepEqual(withPositional('Dense', [{ units: 4 }], ['units', 'activation'], DENSE), { units: 4 });
    assert.deepEqual(withPositional('Dense', [7, undefined], ['units', 'activation'], DENSE), { units: 7 });
  });

  test('too many positional values, or a value given twice, throw', () => {
    rejects(
      () => withPositional('Dense', [128, 'relu', true], ['units', 'activation'], DENSE),
      /^Dense: too many positional arguments\. Expected at most 2 \(units, activation\).*received 128, "relu", true/,
    );
    rejects(
      () => withPositional('Flatten', [2], [], ['name']),
      /Flatten: too many positional arguments\. Expected only an options object/,
    );
    rejects(() => withPositional('Dense', [128, { units: 64 }], ['units'], DENSE), /'units' given twice: positionally \(128\)/);
    rejects(
      () => withPositional('Dense', [128, { unit: 4 }], ['units'], DENSE),
      /unknown option 'unit'\. Did you mean 'units'\?/,
    );
  });
});
