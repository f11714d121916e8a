// The CLI's shared option parser and error report, in process: accepted and refused values per rule, and the
// message printed for each kind of failure (never a stack unless CONVKIT_DEBUG is set).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { cliErrorMessage, numberOption, shapeOption } from '../../src/cli/option-values.js';
import { FormatError } from '../../src/errors.js';

describe('cli: option values', () => {
  test('numberOption accepts exactly the values its rule allows', () => {
    const table: [Parameters<typeof numberOption>[1], string, number | null][] = [
      [{}, '0.5', 0.5],
      [{}, '-3', -3],
      [{}, '1e-3', 0.001],
      [{}, 'abc', null],
      [{}, '', null],
      [{}, '  ', null],
      [{}, 'NaN', null],
      [{}, 'Infinity', null],
      [{ integer: true, min: 1 }, '3', 3],
      [{ integer: true, min: 1 }, '0', null],
      [{ integer: true, min: 1 }, '2.5', null],
      [{ min: 0, minExclusive: true }, '0', null],
      [{ min: 0, minExclusive: true }, '1e-9', 1e-9],
      [{ min: 0, max: 1, maxExclusive: true }, '0', 0],
      [{ min: 0, max: 1, maxExclusive: true }, '1', null],
      [{ integer: true, min: 0, max: 4294967295 }, '4294967296', null],
    ];
    for (const [rule, value, expected] of table) {
      const parse = numberOption('--x', rule);
      if (expected === null) assert.throws(() => parse(value), InvalidArgumentError, `${JSON.stringify(rule)} '${value}'`);
      else assert.equal(parse(value), expected, `${JSON.stringify(rule)} '${value}'`);
    }
  });

  test('shapeOption parses H,W,C with the same rule per part', () => {
    assert.deepEqual(shapeOption('--input-shape')('28, 28,1'), [28, 28, 1]);
    assert.throws(() => shapeOption('--input-shape')('28,28'), /expected three positive integers/);
    assert.throws(() => shapeOption('--input-shape')('28,-1,1'), /--input-shape: expected an integer >= 1, received '-1'/);
  });

  test('cliErrorMessage: convkit errors as they are, file errors explained, anything else named with a hint', () => {
    assert.equal(cliErrorMessage(new FormatError('bad file')), 'bad file');
    const eacces = Object.assign(new Error("EACCES: permission denied, open '/x'"), {
      code: 'EACCES',
      syscall: 'open',
      path: '/x',
    });
    assert.match(cliErrorMessage(eacces), /^open '\/x' failed: permission denied \(EACCES\)\. Hint:/);
    const saved = process.env.CONVKIT_DEBUG;
    delete process.env.CONVKIT_DEBUG;
    try {
      const message = cliErrorMessage(new TypeError('x is not a function'));
      assert.match(message, /^unexpected failure: TypeError: x is not a function\. Hint: .*CONVKIT_DEBUG=1/);
      assert.doesNotMatch(message, /\n\s+at /);
    } finally {
      if (saved !== undefined) process.env.CONVKIT_DEBUG = saved;
    }
  });
});
