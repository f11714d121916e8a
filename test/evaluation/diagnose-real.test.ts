// diagnose() on real short training runs on Fashion-MNIST (../shared/data), seeded: a wide MLP on 200 images
// memorises them (validation loss turns, training accuracy far above validation) and a model squeezed through a
// 2-unit bottleneck cannot fit even its training data. Each run takes a few seconds; the verdicts were checked on
// several seeds before fixing one.

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { byteRows } from '../../src/cli/common.js';
import { fashionMnist, normalize } from '../../src/datasets/index.js';
import { diagnose } from '../../src/evaluation/diagnose.js';
import { Dense } from '../../src/layers/dense.js';
import { Flatten } from '../../src/layers/flatten.js';
import { Sequential } from '../../src/models/sequential.js';
import type { Tensor } from '../../src/tensor.js';
import { Adam } from '../../src/training/optimizers/index.js';
import { setRandomSeed } from '../../src/training/seed.js';
import { missingFile, need, SHARED_DATA, skipUnless } from '../helpers/requirements.js';

const FASHION = `${SHARED_DATA}fashion-mnist`;

describe('diagnose on real Fashion-MNIST runs', { skip: skipUnless(missingFile(FASHION)) }, () => {
  let data: { x: (n: number) => Tensor; y: (n: number) => { data: Uint8Array; shape: number[] }; val: [Tensor, Tensor] };
  before(async () => {
    if (missingFile(FASHION)) return;
    const [[xTrain, yTrain], [xTest, yTest]] = await fashionMnist.loadData({ path: FASHION });
    const valY = byteRows(yTest, 0, 500);
    data = {
      x: (n) => normalize(byteRows(xTrain, 0, n)),
      y: (n) => byteRows(yTrain, 0, n),
      val: [normalize(byteRows(xTest, 0, 500)), { data: Float32Array.from(valY.data), shape: valY.shape }],
    };
  });

  test('a wide MLP on 200 images overfits', async () => {
    need(missingFile(FASHION));
    setRandomSeed(1);
    const model = new Sequential([
      new Flatten({ inputShape: [28, 28, 1] }),
      new Dense(512, { activation: 'relu' }),
      new Dense(10, { activation: 'softmax' }),
    ]);
    model.compile({ optimizer: new Adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const history = await model.fit(data.x(200), data.y(200), { epochs: 15, validationData: data.val, verbose: 0 });
    const d = diagnose(history);
    assert.equal(d.verdict, 'overfitting', d.evidence.join('\n'));
    assert.ok(d.facts.bestEpoch! < 15, `validation loss turned before the end (best epoch ${d.facts.bestEpoch})`);
    assert.ok(d.facts.finalAccuracy! - d.facts.finalValAccuracy! > 0.15, 'training accuracy far above validation');
  });

  test('a 2-unit bottleneck underfits', async () => {
    need(missingFile(FASHION));
    setRandomSeed(1);
    const model = new Sequential([
      new Flatten({ inputShape: [28, 28, 1] }),
      new Dense(2),
      new Dense(10, { activation: 'softmax' }),
    ]);
    model.compile({ optimizer: new Adam(1e-2), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const history = await model.fit(data.x(1000), data.y(1000), { epochs: 10, validationData: data.val, verbose: 0 });
    const d = diagnose(history);
    assert.equal(d.verdict, 'underfitting', d.evidence.join('\n'));
    assert.ok(d.facts.finalAccuracy! < 0.8);
  });
});
