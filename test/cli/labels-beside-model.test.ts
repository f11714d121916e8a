// The labels.txt beside a model file (as Teachable Machine exports keras_model.h5 and labels.txt together) names the
// classes for predict, explain and serve when --labels is not given, as it already does for evaluate and report;
// --labels still wins. Checked on the real Teachable Machine cat/dog export and a copy of it with other labels.

import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { modelSpecs, type ServeCommandOptions } from '../../src/cli/serve.js';
import { convkit } from '../helpers/cli.js';
import { missingFile, need, SHARED_DATA, skipUnless } from '../helpers/requirements.js';

const TM = `${SHARED_DATA}teachable-machine/cat-dog-11Maximus11/`;
const CAT = `${SHARED_DATA}cats-dogs/test/cats/cat.1.jpg`;
const missing = missingFile(`${TM}keras_model.h5`) ?? missingFile(CAT);
const dir = mkdtempSync(join(tmpdir(), 'convkit-labels-beside-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const serveOptions = (labels: string[]): ServeCommandOptions => ({
  ...{ model: [], labels, preprocess: [], port: 0, host: '127.0.0.1', maxBatchSize: 8, batchTimeoutMs: 0 },
  ...{ maxBodyMb: 8, requestTimeoutMs: 1000, web: false },
});

describe('labels.txt beside the model', { skip: skipUnless(missing) }, () => {
  test('predict and explain name the classes from it; --labels wins; a mismatched file is refused', () => {
    need(missing);
    const p = convkit('predict', `${TM}keras_model.h5`, CAT, '--preprocess', 'teachable-machine', '--json');
    assert.equal(p.code, 0, p.stderr);
    assert.equal((JSON.parse(p.stdout.trim()) as { label: string }).label, 'Cat');
    assert.match(p.stderr, /Class names from .*cat-dog-11Maximus11\/labels\.txt/);

    // A copy of the model with its own labels.txt; --labels given explicitly overrides it.
    copyFileSync(`${TM}keras_model.h5`, join(dir, 'keras_model.h5'));
    writeFileSync(join(dir, 'labels.txt'), '0 Gato\n1 Cachorro\n');
    writeFileSync(join(dir, 'english.txt'), 'Kitty\nDoggy\n');
    const copy = join(dir, 'keras_model.h5');
    const own = convkit('predict', copy, CAT, '--preprocess', 'teachable-machine', '--json');
    assert.equal((JSON.parse(own.stdout.trim()) as { label: string }).label, 'Gato');
    const given = convkit(
      'predict',
      copy,
      CAT,
      '--preprocess',
      'teachable-machine',
      '--json',
      '--labels',
      join(dir, 'english.txt'),
    );
    assert.equal((JSON.parse(given.stdout.trim()) as { label: string }).label, 'Kitty');
    assert.doesNotMatch(given.stderr, /Class names from/);

    const out = join(dir, 'cam.png');
    const e = convkit('explain', copy, CAT, '--preprocess', 'teachable-machine', '--class', 'Gato', '--out', out);
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stdout, /Class names from .*labels\.txt/);

    writeFileSync(join(dir, 'labels.txt'), '0 a\n1 b\n2 c\n');
    const wrong = convkit('predict', copy, CAT, '--preprocess', 'teachable-machine');
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /labels\.txt names 3 classes, but the model outputs 2/);
  });

  test('serve takes it as the model spec labels unless --labels names a file', () => {
    need(missing);
    const specs = modelSpecs(`${TM}keras_model.h5`, serveOptions([]));
    assert.deepEqual(Object.values(specs)[0]!.labels, `${TM}labels.txt`);
    const given = modelSpecs(`${TM}keras_model.h5`, serveOptions([join(dir, 'english.txt')]));
    assert.deepEqual(Object.values(given)[0]!.labels, join(dir, 'english.txt'));
    const none = modelSpecs(join(SHARED_DATA, 'keras-mnist/classic-cnn/mnist_cnn.keras'), serveOptions([]));
    assert.equal(Object.values(none)[0]!.labels, undefined);
  });
});
