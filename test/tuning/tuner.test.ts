// The search loop on a synthetic objective whose best point is known: random, grid and Hyperband find it, seeds
// reproduce, the files resume a search (finished trials skipped, unfinished ones rerun) and refuse a different one.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Params } from '../../src/tuning/search-space.js';
import { hyperbandBrackets, type TrialSpec } from '../../src/tuning/strategies.js';
import { readTrialRecords } from '../../src/tuning/trial-log.js';
import { type EpochReporter, type TuneOptions, tune } from '../../src/tuning/tuner.js';

const SPACE = {
  x: { type: 'uniform' as const, min: 0, max: 1, steps: 11 },
  k: { type: 'choice' as const, values: ['a', 'b', 'c'] },
  n: { type: 'int' as const, min: 1, max: 9 },
};

/** Best at x = 0.7, k = 'b', n = 6 (score 1). */
function score(p: Params): number {
  const x = p.x as number;
  const n = p.n as number;
  return 1 - (x - 0.7) ** 2 - (p.k === 'b' ? 0 : 0.3) - 0.01 * (n - 6) ** 2;
}

/** A trial of the synthetic objective: it improves with epochs and ranks configurations the same at every epoch. */
function syntheticRunner(calls: string[] = []) {
  return async (trial: TrialSpec, onEpoch: EpochReporter) => {
    calls.push(trial.id);
    const values: number[] = [];
    for (let e = 1; e <= trial.epochs; e++) {
      values.push(score(trial.params) - 0.5 / e);
      onEpoch(e - 1, { val_score: values[e - 1]! });
    }
    return { history: { val_score: values } };
  };
}

/** The options with the objective's default direction (Keras's 'auto' mode). */
function autoDirection(options: TuneOptions): TuneOptions {
  const { direction: _, ...rest } = options;
  return rest;
}

const base = (extra: Partial<TuneOptions>): TuneOptions => ({
  space: SPACE,
  epochs: 3,
  objective: 'val_score',
  direction: 'max',
  runner: syntheticRunner(),
  ...extra,
});

describe('tune on a synthetic objective', () => {
  test('random search finds the region of the known best, and ranks by the objective', async () => {
    const result = await tune(base({ strategy: 'random', trials: 60, seed: 5 }));
    assert.equal(result.trials.length, 60);
    assert.equal(result.direction, 'max');
    const auto = await tune(
      autoDirection(
        base({
          strategy: 'random',
          trials: 2,
          seed: 5,
          objective: 'val_accuracy',
          runner: async () => ({ history: { val_accuracy: [0.5] } }),
        }),
      ),
    );
    assert.equal(auto.direction, 'max', "an accuracy is maximised by default, as Keras's 'auto' mode");
    const best = result.best!;
    assert.equal(best.params.k, 'b');
    assert.ok(Math.abs((best.params.x as number) - 0.7) < 0.15, `x = ${best.params.x}`);
    const trueBest = Math.max(...result.trials.map((t) => score(t.params)));
    assert.equal(score(best.params), trueBest, 'the leaderboard top is the best of the trials');
    for (let i = 1; i < result.leaderboard.length; i++)
      assert.ok(result.leaderboard[i - 1]!.value! >= result.leaderboard[i]!.value!);
  });

  test('grid search finds exactly the best grid point', async () => {
    const result = await tune(base({ strategy: 'grid', seed: 1, epochs: 1 }));
    assert.equal(result.trials.length, 11 * 3 * 9);
    const best = result.best!;
    assert.ok(Math.abs((best.params.x as number) - 0.7) < 1e-12);
    assert.equal(best.params.k, 'b');
    assert.equal(best.params.n, 6);
  });

  test('hyperband keeps the best configuration to the last rung and spends fewer epochs', async () => {
    const result = await tune(base({ strategy: 'hyperband', trials: 30, epochs: 9, seed: 3 }));
    const firstRung = result.trials.filter((t) => t.rung === 0);
    assert.equal(new Set(firstRung.map((t) => t.config)).size, 30);
    const bestConfig = firstRung.reduce((a, b) => (score(b.params) > score(a.params) ? b : a));
    assert.equal(result.best!.config, bestConfig.config);
    assert.equal(result.best!.epochs, 9);
    const spent = result.trials.reduce((t, r) => t + r.epochs, 0);
    assert.ok(spent < 30 * 9 * 0.6, `${spent} epochs`);
    // A promoted trial repeats its configuration and seed, so its first epochs equal the lower rung's.
    const promoted = result.trials.find((t) => t.rung === 1)!;
    const lower = result.trials.find((t) => t.config === promoted.config && t.rung === 0)!;
    assert.equal(promoted.seed, lower.seed);
    assert.deepEqual(promoted.history.val_score!.slice(0, lower.epochs), lower.history.val_score);
  });

  test("the baseline trains the defaults with the space's fixed parameters, for the most epochs", async () => {
    const seen: TrialSpec[] = [];
    const result = await tune(
      base({
        space: { ...SPACE, batchSize: 32, opt: { type: 'fixed', value: 'sgd' } },
        strategy: 'hyperband',
        trials: 6,
        epochs: 9,
        seed: 2,
        baseline: true,
        runner: async (trial, onEpoch) => {
          seen.push(trial);
          return syntheticRunner()(trial, onEpoch);
        },
      }),
    );
    const baseline = result.trials.find((t) => t.id === 'baseline')!;
    assert.deepEqual(baseline.params, { batchSize: 32, opt: 'sgd' }, 'fixed settings hold for the baseline too');
    assert.equal(baseline.epochs, 9);
    assert.equal(seen[0]!.id, 'baseline', 'trained first, so a short search still has its comparison');
    for (const t of result.trials) assert.equal(t.params.batchSize, 32);
  });

  test('hyperband brackets follow Li et al. for 81 epochs, eta 3', () => {
    const brackets = hyperbandBrackets(81, 3);
    assert.deepEqual(
      brackets.map((b) => b.configs),
      [81, 34, 15, 8, 5],
    );
    assert.deepEqual(
      brackets[0]!.rungs.map((r) => [r.runs, r.epochs]),
      [
        [81, 1],
        [27, 3],
        [9, 9],
        [3, 27],
        [1, 81],
      ],
    );
  });

  test('same seed, same trials and values; another seed, other trials', async () => {
    const a = await tune(base({ strategy: 'random', trials: 8, seed: 11 }));
    const b = await tune(base({ strategy: 'random', trials: 8, seed: 11 }));
    const c = await tune(base({ strategy: 'random', trials: 8, seed: 12 }));
    const summary = (r: typeof a) => r.trials.map((t) => [t.id, t.params, t.seed, t.value]);
    assert.deepEqual(summary(a), summary(b));
    assert.notDeepEqual(summary(a), summary(c));
  });

  test('a loss objective is minimised; a missing objective names the logged metrics', async () => {
    const result = await tune(
      autoDirection(
        base({
          strategy: 'random',
          trials: 10,
          seed: 2,
          objective: 'val_loss',
          runner: async (t) => ({ history: { val_loss: [1 - score(t.params)] } }),
        }),
      ),
    );
    assert.equal(result.direction, 'min');
    assert.equal(result.best!.value, Math.min(...result.trials.map((t) => 1 - score(t.params))));
    await assert.rejects(
      tune(base({ strategy: 'random', trials: 2, seed: 2, objective: 'val_acc' })),
      /invalid 'objective'. Expected one of the metrics the trials log \(val_score\), received "val_acc"/,
    );
  });

  test('a failing trial is recorded and the search goes on; NaN never ranks first', async () => {
    const result = await tune(
      base({
        strategy: 'random',
        trials: 4,
        seed: 2,
        runner: async (t) => {
          if (t.config === 1) throw new Error('out of memory');
          return { history: { val_score: [t.config === 2 ? Number.NaN : score(t.params)] } };
        },
      }),
    );
    assert.deepEqual(
      result.trials.map((t) => t.status),
      ['completed', 'failed', 'completed', 'completed'],
    );
    assert.equal(result.trials[1]!.error, 'out of memory');
    assert.equal(result.trials[2]!.value, null);
    assert.equal(result.leaderboard.at(-1)!.config, 2);
  });

  test('resume: finished trials are skipped, unfinished ones rerun; a different search is refused', async () => {
    const out = mkdtempSync(join(tmpdir(), 'convkit-tune-'));
    try {
      const first: string[] = [];
      await tune(base({ strategy: 'random', trials: 5, seed: 4, out, runner: syntheticRunner(first), saveBestModel: false }));
      assert.deepEqual(first, ['t0000', 't0001', 't0002', 't0003', 't0004']);
      // As if the process had died during t0003 and before t0004 started.
      const lines = readFileSync(join(out, 'trials.jsonl'), 'utf8').trim().split('\n');
      const t3 = JSON.parse(lines[3]!);
      t3.status = 'running';
      writeFileSync(join(out, 'trials.jsonl'), `${[...lines.slice(0, 3), JSON.stringify(t3)].join('\n')}\n`);
      const second: string[] = [];
      const resumed = await tune(
        base({ strategy: 'random', trials: 5, out, runner: syntheticRunner(second), saveBestModel: false }),
      );
      assert.deepEqual(second, ['t0003', 't0004']);
      assert.equal(resumed.resumed, 3);
      assert.equal(resumed.seed, 4, 'the seed of the first run is reused');
      assert.deepEqual(
        readTrialRecords(out).map((r) => [r.id, r.status]),
        ['t0000', 't0001', 't0002', 't0003', 't0004'].map((id) => [id, 'completed']),
      );
      assert.match(
        readFileSync(join(out, 'trials.csv'), 'utf8'),
        /^trial,config,rung,status,epochs,seed,seconds,value,x,k,n,epoch,val_score\n/,
      );
      await assert.rejects(
        tune(base({ strategy: 'random', trials: 5, epochs: 4, out, runner: syntheticRunner() })),
        /holds a different search \(epochs: 3 before, 4 now\)/,
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('bad options are refused before any trial runs', async () => {
    let ran = 0;
    const runner = async () => {
      ran++;
      return { history: {} };
    };
    await assert.rejects(
      tune(base({ strategy: 'grid', space: { lr: { type: 'uniform', min: 0, max: 1 } }, runner })),
      /Add "steps"/,
    );
    await assert.rejects(tune(base({ strategy: 'random', runner })), /'trials'. Expected a number of trials for random search/);
    await assert.rejects(
      tune(base({ strategy: 'anneal' as never, trials: 2, runner })),
      /'strategy'. Expected 'random', 'grid', 'hyperband', received "anneal"/,
    );
    await assert.rejects(
      tune({ ...base({ trials: 2, runner }), trial: 3 } as never),
      /tune: unknown option 'trial'. Did you mean 'trials'/,
    );
    assert.equal(ran, 0);
  });
});
