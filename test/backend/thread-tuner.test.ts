// The adaptive thread tuner on scripted step times (an injected clock, no real timing): which count it picks,
// when it re-checks, how it reacts to a change of load, and its argument errors.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ThreadTuner, type ThreadTunerOptions } from '../../src/backend/thread-tuner.js';
import { ConfigError } from '../../src/errors.js';

type Cost = (threads: number, step: number) => number;

/** Runs `steps` steps whose duration is cost(applied count, step index); returns the count applied at each step. */
function simulate(cost: Cost, steps: number, options: Partial<ThreadTunerOptions> = {}) {
  let clock = 0;
  let current = 0;
  const tuner = new ThreadTuner({
    candidates: [1, 2],
    apply: (count) => {
      current = count;
    },
    now: () => clock,
    ...options,
  });
  const applied: number[] = [];
  const run = (n: number, c: Cost = cost) => {
    for (let i = 0; i < n; i++) {
      tuner.begin();
      applied.push(current);
      clock += c(current, applied.length - 1);
      tuner.end();
    }
  };
  run(steps);
  return { tuner, applied, run };
}

const idle: Cost = (t) => (t === 2 ? 5 : 8); // 2 threads faster
const busy: Cost = (t) => (t === 2 ? 40 : 9); // a competing process: 2 threads much slower

describe('ThreadTuner', () => {
  test('explores fewest threads first (1 warm-up + 5 timed steps each), then keeps the faster count', () => {
    const { tuner, applied } = simulate(idle, 20);
    assert.deepEqual(applied.slice(0, 12), [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
    assert.deepEqual(applied.slice(12), Array(8).fill(2));
    const s = tuner.state();
    assert.equal(s.phase, 'chosen');
    assert.equal(s.chosen, 2);
    assert.deepEqual([...s.measured.entries()].sort(), [
      [1, 8],
      [2, 5],
    ]);
  });

  test('picks fewer threads when they measure faster (a busy machine)', () => {
    const { tuner, applied } = simulate((t, i) => (t === 2 ? 10 + (i % 3) : 9), 30);
    assert.equal(tuner.state().chosen, 1);
    assert.deepEqual(applied.slice(12), Array(18).fill(1));
  });

  test('compares medians: one slow outlier (a GC pause) does not decide', () => {
    const outlier: Cost = (t, i) => (t === 2 ? (i === 8 ? 500 : 5) : 8);
    assert.equal(simulate(outlier, 12, { giveUpRatio: 1000 }).tuner.state().chosen, 2);
  });

  test('the first step at each count is not timed (plans are built there)', () => {
    const firstIsSlow: Cost = (t, i) => (i === 0 || i === 6 ? 1000 : t === 2 ? 5 : 8);
    const { tuner } = simulate(firstIsSlow, 12);
    assert.deepEqual([...tuner.state().measured.entries()].sort(), [
      [1, 8],
      [2, 5],
    ]);
  });

  test('a tie goes to fewer threads; more threads must be at least minGain (10%) faster', () => {
    assert.equal(simulate(() => 7, 12).tuner.state().chosen, 1);
    assert.equal(simulate((t) => (t === 2 ? 9.5 : 10), 12).tuner.state().chosen, 1); // 5% faster: not enough
    assert.equal(simulate((t) => (t === 2 ? 8.5 : 10), 12).tuner.state().chosen, 2); // 15% faster
    assert.equal(simulate((t) => (t === 2 ? 9.5 : 10), 12, { minGain: 0 }).tuner.state().chosen, 2);
  });

  test('rare long stalls at the chosen multi-thread count trigger a re-check (mean of the last 8 steps)', () => {
    const { tuner, run } = simulate(idle, 12, { recheckEvery: 1000 });
    assert.equal(tuner.state().chosen, 2);
    run(8, (_t, i) => (i % 8 === 0 ? 100 : 5)); // median unchanged (5 ms), one 100 ms stall in 8
    assert.equal(tuner.state().phase, 'exploring');
  });

  test('a hopeless candidate is dropped after one timed step (giveUpRatio), and re-checks skip the warm-up', () => {
    // 1 thread: 1 warm-up + 5 timed (9 ms); 2 threads: 1 warm-up + 1 timed (40 > 3 x 9) -> chosen 1 after 8 steps.
    const { tuner, applied } = simulate(busy, 8, { recheckEvery: 50 });
    assert.deepEqual(applied, [1, 1, 1, 1, 1, 1, 2, 2]);
    assert.equal(tuner.state().chosen, 1);
    // The re-check: 5 timed steps at the choice, then ONE at 2 threads.
    const again = simulate(busy, 8 + 50 + 6, { recheckEvery: 50 });
    assert.deepEqual(again.applied.slice(8 + 50), [1, 1, 1, 1, 1, 2]);
    assert.equal(again.tuner.state().phase, 'chosen');
    assert.equal(again.tuner.state().decisions, 2);
  });

  test('re-checks after recheckEvery steps; the interval doubles while the choice holds, up to maxRecheckEvery', () => {
    const { tuner, run } = simulate(idle, 12, { recheckEvery: 10, maxRecheckEvery: 40 });
    const intervals: number[] = [];
    for (let k = 0; k < 4; k++) {
      intervals.push(tuner.state().stepsUntilRecheck);
      run(tuner.state().stepsUntilRecheck + 10); // a re-check: 5 timed steps per count, no warm-up
      assert.equal(tuner.state().phase, 'chosen');
      assert.equal(tuner.state().decisions, k + 2);
    }
    assert.deepEqual(intervals, [10, 20, 40, 40]);
  });

  test('a re-check that finds the load changed switches, and the interval starts over', () => {
    const { tuner, run } = simulate(idle, 12, { recheckEvery: 10, driftRatio: 100 });
    run(20); // one agreeing re-check: interval 20
    assert.equal(tuner.state().stepsUntilRecheck, 20);
    run(20 + 10, busy); // re-check under load: 5 steps at 2 threads (40 ms), then 5 at 1 thread (9 ms): switch
    assert.equal(tuner.state().chosen, 1);
    assert.ok(tuner.state().stepsUntilRecheck <= 10);
  });

  test('when steps at the chosen count slow down by driftRatio, it re-checks before the schedule', () => {
    const { tuner, applied, run } = simulate(idle, 12, { recheckEvery: 1000 });
    assert.equal(tuner.state().chosen, 2);
    run(8, busy); // 8 steps at 40 ms > 1.5 x 5 ms: drift detected at the 8th
    assert.equal(tuner.state().phase, 'exploring');
    run(20, busy);
    assert.equal(tuner.state().chosen, 1);
    assert.ok(applied.length < 1000);
  });

  test('at 1 thread a slowdown waits for the scheduled re-check (more load does not make more threads win)', () => {
    const { tuner, run } = simulate(busy, 8, { recheckEvery: 1000 });
    assert.equal(tuner.state().chosen, 1);
    run(50, () => 30); // 1-thread steps 3x slower than measured
    assert.equal(tuner.state().phase, 'chosen');
    assert.equal(tuner.state().decisions, 1);
  });

  test('without end() (the step threw) nothing is recorded; end() without begin() is ignored', () => {
    let clock = 0;
    const tuner = new ThreadTuner({ candidates: [1, 2], apply: () => {}, now: () => clock, warmupSteps: 0 });
    tuner.end();
    tuner.begin();
    clock += 1000; // this step throws: no end()
    for (let i = 0; i < 5; i++) {
      tuner.begin();
      clock += 5;
      tuner.end();
    }
    assert.equal(tuner.state().measured.get(1), 5);
  });

  test('more than two candidates: explores all, picks the fastest', () => {
    const cost: Cost = (t) => ({ 1: 9, 2: 6, 4: 7 })[t]!;
    const { tuner, applied } = simulate(cost, 18, { candidates: [4, 1, 2] });
    assert.deepEqual([...new Set(applied.slice(0, 18))], [1, 2, 4]);
    assert.equal(tuner.state().chosen, 2);
  });

  test('bad options throw ConfigError naming the option', () => {
    const apply = () => {};
    assert.throws(
      () => new ThreadTuner({ candidates: [2, 2], apply }),
      (e: Error) => {
        return e instanceof ConfigError && /'candidates'/.test(e.message);
      },
    );
    assert.throws(() => new ThreadTuner({ candidates: [0, 2], apply }), /'candidates'/);
    assert.throws(() => new ThreadTuner({ candidates: [1, 2], apply, samplesPerCandidate: 0 }), /'samplesPerCandidate'/);
    assert.throws(() => new ThreadTuner({ candidates: [1, 2], apply, warmupSteps: -1 }), /'warmupSteps'/);
    assert.throws(() => new ThreadTuner({ candidates: [1, 2], apply, driftRatio: 1 }), /'driftRatio'/);
    assert.throws(() => new ThreadTuner({ candidates: [1, 2], apply, giveUpRatio: Number.NaN }), /'giveUpRatio'/);
    assert.throws(() => new ThreadTuner({ candidates: [1, 2], apply, minGain: 1 }), /'minGain'/);
    const unknown = { candidates: [1, 2], apply, recheckEvry: 10 } as ThreadTunerOptions;
    assert.throws(() => new ThreadTuner(unknown), /ThreadTuner: unknown option 'recheckEvry'. Did you mean 'recheckEvery'\?/);
  });
});
