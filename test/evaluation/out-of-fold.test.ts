// joinEvaluations: evaluations of the parts of a dataset, joined, equal the evaluation of the whole dataset at once
// with the same model (the independent expectation): confusion matrix, accuracy, report, most-confused pairs, top
// losses with their positions, concatenated predictions, and the loss as the sample-weighted mean.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ClassifierEvaluation, evaluateClassifier } from '../../src/evaluation/evaluate-classifier.js';
import { joinEvaluations } from '../../src/evaluation/out-of-fold.js';
import { Dense } from '../../src/layers/dense.js';
import { Sequential } from '../../src/models/sequential.js';
import type { Tensor } from '../../src/tensor.js';
import { sliceRows } from '../../src/tensor-ops.js';
import { setRandomSeed } from '../../src/training/seed.js';
import { close } from '../helpers/close.js';

describe('evaluation: joinEvaluations (out-of-fold)', () => {
  test('parts joined equal the whole evaluated at once', async () => {
    setRandomSeed(11);
    const n = 97;
    const x: Tensor = { data: Float32Array.from({ length: n * 6 }, (_, i) => Math.sin(i * 1.7) * 2), shape: [n, 6] };
    const y: Tensor = { data: Float32Array.from({ length: n }, (_, i) => (i * 7) % 4), shape: [n] };
    const model = new Sequential([
      new Dense(8, { inputShape: [6], activation: 'relu' }),
      new Dense(4, { activation: 'softmax' }),
    ]);
    const classNames = ['a', 'b', 'c', 'd'];
    const options = { classNames, print: false, topK: 2, topLosses: 12 } as const;
    const whole = await evaluateClassifier(model, [x, y], options);
    const cuts = [0, 30, 31, n];
    const parts: ClassifierEvaluation[] = [];
    for (let k = 0; k + 1 < cuts.length; k++) {
      parts.push(
        await evaluateClassifier(model, [sliceRows(x, cuts[k]!, cuts[k + 1]!), sliceRows(y, cuts[k]!, cuts[k + 1]!)], options),
      );
    }
    const joined = joinEvaluations(parts);
    assert.equal(joined.numSamples, n);
    assert.deepEqual(joined.confusionMatrix, whole.confusionMatrix);
    assert.equal(joined.accuracy, whole.accuracy);
    assert.deepEqual(joined.classificationReport, whole.classificationReport);
    assert.deepEqual(joined.mostConfused, whole.mostConfused);
    assert.deepEqual(joined.predictions.yPred, whole.predictions.yPred);
    assert.deepEqual(joined.predictions.probabilities, whole.predictions.probabilities);
    assert.deepEqual(
      joined.topLosses.map((t) => t.index),
      whole.topLosses.map((t) => t.index),
    );
    close([joined.loss], [whole.loss], 1e-6, 'loss');
    close([joined.topK!.accuracy], [whole.topK!.accuracy], 1e-12, 'top-2 accuracy');
    assert.throws(() => joinEvaluations([]), /joinEvaluations: invalid 'parts'/);
    assert.throws(() => joinEvaluations([parts[0]!, { ...parts[1]!, classNames: ['w', 'x', 'y', 'z'] }]), /same classes/);
  });
});
