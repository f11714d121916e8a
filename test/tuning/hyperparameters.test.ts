// KerasTuner-style hyperparameters declared in the build function: the space is discovered by calling it (defaults,
// then each Choice/Boolean alternative, so conditional parameters are found), the tuners find a synthetic
// objective's known best, seeds reproduce, a directory resumes, a real model's search picks the learning rate that
// learns (checked by evaluating the returned model), and bad declarations are refused naming the parameter.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { loadModel } from '../../src/io/load-model.js';
import { Dense } from '../../src/layers/dense.js';
import type { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import { take } from '../../src/tensor-ops.js';
import { discoverSpace, HyperParameters } from '../../src/tuning/hyperparameters.js';
import { GridSearch, Hyperband, RandomSearch } from '../../src/tuning/keras-tuner.js';
import { tune } from '../../src/tuning/tuner.js';
import { backend, toyData } from '../training/fixtures.js';

/** Declares a bit of everything; momentum only for SGD, depth only when extra and kind 'b' (nested conditions). */
function declare(hp: HyperParameters) {
  const units = hp.Int('units', { minValue: 32, maxValue: 256, step: 32 });
  const lr = hp.Float('lr', { minValue: 1e-4, maxValue: 1e-1, sampling: 'log' });
  const optimizer = hp.Choice('optimizer', ['adam', 'sgd']);
  const momentum = optimizer === 'sgd' ? hp.Float('momentum', { minValue: 0, maxValue: 0.9, step: 0.3 }) : 0;
  let depth = 0;
  if (hp.Boolean('extra')) depth = hp.Choice('kind', ['a', 'b']) === 'b' ? hp.Int('depth', { minValue: 1, maxValue: 3 }) : 0;
  hp.Fixed('batch', 32);
  return { units, lr, optimizer, momentum, depth };
}

/** Best (score 0) at units 192, lr 1e-2, SGD with momentum 0.9, no extra depth. */
function score(p: ReturnType<typeof declare>): number {
  return (
    -(((p.units - 192) / 224) ** 2) -
    (Math.log10(p.lr) + 2) ** 2 / 2 -
    (p.optimizer === 'sgd' ? (0.9 - p.momentum) * 1.5 : 1.5) -
    0.1 * p.depth
  );
}

const synthetic = { build: declare, fit: (_hp: HyperParameters, model: ReturnType<typeof declare>) => score(model) };
const objective = { name: 'score', direction: 'max' as const };

describe('KerasTuner-style hyperparameters', () => {
  test('discovery finds every parameter, conditional ones through the Choice/Boolean branches, with KerasTuner defaults', async () => {
    const found = await discoverSpace(declare);
    assert.deepEqual(
      found.space.parameters.map((p) => p.name),
      ['units', 'lr', 'optimizer', 'extra', 'batch', 'momentum', 'kind', 'depth'],
    );
    assert.deepEqual(found.conditional, ['momentum', 'kind', 'depth']);
    assert.deepEqual(found.defaults, {
      units: 32,
      lr: 1e-4,
      optimizer: 'adam',
      extra: false,
      batch: 32,
      momentum: 0,
      kind: 'a',
      depth: 1,
    });
    const spec = Object.fromEntries(found.space.parameters.map((p) => [p.name, p.spec]));
    assert.deepEqual(spec.units, { type: 'int', min: 32, max: 256, step: 32, log: false });
    assert.deepEqual(spec.lr, { type: 'loguniform', min: 1e-4, max: 1e-1 });
    assert.deepEqual(spec.momentum, { type: 'choice', values: [0, 0.3, 0.6, 0.9] });
    assert.deepEqual(spec.extra, { type: 'choice', values: [false, true] });
    assert.deepEqual(spec.batch, { type: 'fixed', value: 32 });
    assert.equal(found.builds, 4, 'defaults, sgd, extra, extra with kind b');
  });

  test('RandomSearch finds the known best region; the leaderboard top is the best trial', async () => {
    const tuner = new RandomSearch(synthetic, { objective, maxTrials: 300, seed: 4 });
    const result = await tuner.search(null, null, { verbose: 0 });
    assert.equal(result.trials.length, 300);
    const best = tuner.getBestHyperparameters()[0]!;
    assert.equal(best.get('optimizer'), 'sgd');
    assert.equal(best.get('momentum'), 0.9);
    assert.ok(Math.abs((best.get('units') as number) - 192) <= 32, `units ${best.get('units')}`);
    assert.ok(Math.abs(Math.log10(best.get('lr') as number) + 2) < 0.5, `lr ${best.get('lr')}`);
    const values = result.trials.map((t) => score(declare(new HyperParameters(t.params))));
    assert.equal(result.best!.value, Math.max(...values));
    // The best hyperparameters rebuild the best configuration (KerasTuner's hypermodel.build(best_hps)).
    assert.equal(score(declare(best)), result.best!.value);
  });

  test('GridSearch reaches the exact best point; Hyperband keeps it to the last rung', async () => {
    const discrete = (hp: HyperParameters) => ({
      units: hp.Int('units', { minValue: 32, maxValue: 256, step: 32 }),
      lr: hp.Float('lr', { minValue: 1e-4, maxValue: 1e-1, step: 10, sampling: 'log' }),
      optimizer: hp.Choice('optimizer', ['adam', 'sgd']),
      momentum: 0.9,
      depth: 0,
    });
    const grid = new GridSearch({ build: discrete, fit: (_hp, m) => score(m) }, { objective });
    const result = await grid.search(null, null, { verbose: 0 });
    assert.equal(result.trials.length, 8 * 4 * 2);
    assert.deepEqual(result.best!.params, { units: 192, lr: 0.01, optimizer: 'sgd' });

    const epochs: number[] = [];
    const band = new Hyperband(
      {
        build: declare,
        fit: (_hp, model, _x, _y, options) => {
          epochs.push(options.epochs);
          return { history: { score: Array.from({ length: options.epochs }, (_, e) => score(model) - 0.3 / (e + 1)) } } as never;
        },
      },
      { objective, maxEpochs: 9, factor: 3, maxTrials: 30, seed: 8 },
    );
    const banded = await band.search(null, null, { verbose: 0 });
    const firstRung = banded.trials.filter((t) => t.rung === 0);
    const trueBest = firstRung.reduce((a, b) => (b.value! - 0.3 / b.epochs > a.value! - 0.3 / a.epochs ? b : a));
    assert.equal(banded.best!.config, trueBest.config);
    assert.equal(banded.best!.epochs, 9);
    assert.ok(Math.max(...epochs) === 9 && epochs.reduce((a, b) => a + b, 0) < 30 * 9 * 0.6);
  });

  test('the same seed gives the same trials; a directory resumes without repeating finished trials', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-hp-'));
    try {
      let calls = 0;
      const counted = {
        build: declare,
        fit: (_hp: HyperParameters, m: ReturnType<typeof declare>) => {
          calls++;
          return score(m);
        },
      };
      const options = { objective, maxTrials: 6, seed: 21, directory: dir, projectName: 'p' };
      const first = await new RandomSearch(counted, options).search(null, null, { verbose: 0 });
      assert.equal(calls, 6);
      assert.ok(existsSync(join(dir, 'p', 'trials.jsonl')));
      const again = await new RandomSearch(counted, options).search(null, null, { verbose: 0 });
      assert.equal(calls, 6, 'finished trials are not trained again');
      assert.equal(again.resumed, 6);
      const fresh = await new RandomSearch(synthetic, { objective, maxTrials: 6, seed: 21 }).search(null, null, { verbose: 0 });
      const summary = (r: typeof first) => r.trials.map((t) => [t.id, t.params, t.seed, t.value]);
      assert.deepEqual(summary(again), summary(first));
      assert.deepEqual(summary(fresh), summary(first));
      const other = await new RandomSearch(synthetic, { objective, maxTrials: 6, seed: 22 }).search(null, null, { verbose: 0 });
      assert.notDeepEqual(summary(other), summary(first));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a real model: the search picks the learning rate that learns, and returns that trained model', async () => {
    const { x, y } = toyData(200);
    const build = (hp: HyperParameters): Model => {
      const model = new Sequential([
        new Dense({ units: hp.Int('units', { minValue: 4, maxValue: 8, step: 4 }), activation: 'tanh', inputShape: [6] }),
        new Dense({ units: 3, activation: 'softmax' }),
      ]);
      model.backendOverride = backend;
      model.compile({
        optimizer: { name: 'adam', learningRate: hp.Choice('lr', [1e-6, 0.05]) },
        loss: 'sparseCategoricalCrossentropy',
        metrics: ['accuracy'],
      });
      return model;
    };
    const dir = mkdtempSync(join(tmpdir(), 'convkit-hp-model-'));
    try {
      const tuner = new GridSearch(build, { objective: 'val_accuracy', seed: 3, directory: dir });
      const result = await tuner.search(x, y, { epochs: 6, batchSize: 16, validationSplit: 0.25, verbose: 0 });
      assert.equal(result.trials.length, 4);
      const lrOf = (lr: number) => result.trials.filter((t) => t.params.lr === lr).map((t) => t.value!);
      assert.equal(result.best!.params.lr, 0.05);
      assert.ok(Math.min(...lrOf(0.05)) > 0.8, `lr 0.05: ${lrOf(0.05)}`);
      assert.ok(Math.max(...lrOf(1e-6)) < Math.min(...lrOf(0.05)) - 0.2, `lr 1e-6: ${lrOf(1e-6)}`);
      // Independent check: the returned model, evaluated on the held-out last quarter, scores the objective.
      const [best] = await tuner.getBestModels();
      const rows = Array.from({ length: 50 }, (_, i) => 150 + i);
      const logs = (await best!.evaluate(take(x, rows), take(y, rows), { verbose: 0, returnDict: true })) as Record<
        string,
        number
      >;
      assert.equal(logs.accuracy, result.best!.value);
      const saved = await loadModel(join(dir, 'untitled_project', 'best.keras'));
      saved.backendOverride = backend;
      assert.deepEqual(await saved.predict(take(x, rows), { verbose: 0 }), await best!.predict(take(x, rows), { verbose: 0 }));
      assert.equal(tuner.resultsSummary().split('\n').length, 6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('tune() takes a build function as its space', async () => {
    const result = await tune({
      space: declare,
      trials: 5,
      epochs: 1,
      seed: 1,
      objective: 'score',
      direction: 'max',
      runner: async (trial) => ({ history: { score: [score(declare(new HyperParameters(trial.params)))] } }),
    });
    assert.equal(result.trials.length, 5);
    assert.ok(result.trials.every((t) => Object.keys(t.params).length === 8));
  });

  test('a parameter declared under a numeric condition is used at its default, with one warning', async () => {
    const build = (hp: HyperParameters) => {
      const x = hp.Float('x', { minValue: 0, maxValue: 1 });
      return { x, deep: x > 0.5 ? hp.Int('deep', { minValue: 2, maxValue: 9, default: 3 }) : 0 };
    };
    const warnings: string[] = [];
    const seen: number[] = [];
    const original = console.warn;
    console.warn = (message: string) => warnings.push(message);
    try {
      await new RandomSearch(
        {
          build,
          fit: (_hp, m) => {
            seen.push(m.deep);
            return m.x;
          },
        },
        { objective: 'score', maxTrials: 12, seed: 2 },
      ).search(null, null, { verbose: 0 });
    } finally {
      console.warn = original;
    }
    assert.ok(seen.includes(3) && seen.every((d) => d === 0 || d === 3), `${seen}`);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /'deep'.*default 3/);
  });

  test('bad declarations are refused before any training, naming the parameter and the value', async () => {
    const cases: [(hp: HyperParameters) => unknown, RegExp][] = [
      [
        (hp) => hp.Int('units', { minValue: 64, maxValue: 32 }),
        /hp\.Int\('units'\): invalid 'minValue'.*<= maxValue \(32\), received 64/,
      ],
      [
        (hp) => hp.Int('units', { minValue: 1.5, maxValue: 32 }),
        /hp\.Int\('units'\): invalid 'minValue'. Expected an integer, received 1.5/,
      ],
      [(hp) => hp.Int('units', { minValue: 1, maxValue: 32, step: 0 }), /hp\.Int\('units'\): invalid 'step'.*received 0/],
      [
        (hp) => hp.Int('units', { min: 1, max: 9 } as never),
        /hp\.Int\('units'\): unknown option 'min'.*Accepted options: minValue, maxValue/,
      ],
      [
        (hp) => hp.Float('lr', { minValue: 0, maxValue: 1, sampling: 'log' }),
        /hp\.Float\('lr'\): invalid 'minValue'.*> 0 with sampling 'log', received 0/,
      ],
      [
        (hp) => hp.Float('lr', { minValue: 1e-4, maxValue: 1, sampling: 'reverse_log' as never }),
        /hp\.Float\('lr'\): invalid 'sampling'.*'reverse_log'/,
      ],
      [(hp) => hp.Float('lr', { minValue: 0, maxValue: 1, default: 2 }), /hp\.Float\('lr'\): invalid 'default'.*received 2/],
      [
        (hp) => hp.Float('lr', { minValue: Number.NaN, maxValue: 1 }),
        /hp\.Float\('lr'\): invalid 'minValue'. Expected a finite number, received NaN/,
      ],
      [(hp) => hp.Choice('opt', []), /hp\.Choice\('opt'\): invalid 'values'.*non-empty list.*received \[\]/],
      [(hp) => hp.Choice('opt', ['adam', 3] as never), /hp\.Choice\('opt'\): invalid 'values\[1\]'.*string.*received 3/],
      [(hp) => hp.Choice('opt', ['adam', 'adam']), /hp\.Choice\('opt'\): invalid 'values\[1\]'.*not listed before/],
      [
        (hp) => hp.Choice('opt', ['adam', 'sgd'], { default: 'rmsprop' }),
        /hp\.Choice\('opt'\): invalid 'default'.*received "rmsprop"/,
      ],
      [(hp) => hp.Boolean('bn', { default: 1 as never }), /hp\.Boolean\('bn'\): invalid 'default'.*received 1/],
      [(hp) => hp.Fixed('f', {} as never), /hp\.Fixed\('f'\): invalid 'value'/],
      [(hp) => hp.Int('', { minValue: 1, maxValue: 2 }), /hp\.Int: invalid 'name'.*non-empty string/],
      [
        (hp) => [hp.Int('units', { minValue: 1, maxValue: 8 }), hp.Float('units', { minValue: 0, maxValue: 1 })],
        /hp\.Float\('units'\): 'units' is already declared as Int/,
      ],
      [() => 0, /declared no hyperparameters/],
    ];
    for (const [build, message] of cases) {
      let trained = false;
      const tuner = new RandomSearch(
        {
          build,
          fit: () => {
            trained = true;
            return 0;
          },
        },
        { objective: 'score', maxTrials: 2 },
      );
      await assert.rejects(
        tuner.search(null, null, { verbose: 0 }),
        (e: Error) => e instanceof ConfigError && message.test(e.message),
      );
      assert.equal(trained, false);
    }
    // The same declaration twice is one hyperparameter (and keys in another order are the same declaration).
    const hp = new HyperParameters({ units: 8 });
    assert.equal(hp.Int('units', { minValue: 1, maxValue: 8 }), 8);
    assert.equal(hp.Int('units', { maxValue: 8, minValue: 1 }), 8);
    assert.throws(() => new RandomSearch(declare, { objective: 'score', maxTrials: 0 }), /RandomSearch: invalid 'maxTrials'/);
    assert.throws(
      () => new Hyperband(declare, { maxEpochs: 3, iterations: 2 } as never),
      /Hyperband: unknown option 'iterations'/,
    );
    assert.throws(() => new RandomSearch(42 as never, { maxTrials: 1 }), /RandomSearch: invalid 'hypermodel'/);
    assert.throws(() => hp.get('nope'), /hp\.get: no hyperparameter 'nope'.*units/);
  });
});
