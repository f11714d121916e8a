// The adaptive default thread count wired into training on the native backend: fit tries the candidate counts
// and its results match the reference whatever count runs; an explicit count (setThreads, --threads,
// OMP_NUM_THREADS) is honoured.
// Behaviour only: which counts are applied and what is computed, never how long it takes.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Backend } from '../../src/backend/backend.js';
import { autoThreadCandidates } from '../../src/backend/openmp-env.js';
import { Callback } from '../../src/callbacks/callback.js';
import { applyGlobalOptions } from '../../src/cli/common.js';
import { BatchNormalization } from '../../src/layers/batch-normalization.js';
import { Conv2D } from '../../src/layers/conv2d.js';
import { Dense } from '../../src/layers/dense.js';
import { DepthwiseConv2D } from '../../src/layers/depthwise-conv2d.js';
import { Flatten } from '../../src/layers/flatten.js';
import { Sequential } from '../../src/models/sequential.js';
import { Adam } from '../../src/training/optimizers/index.js';
import { setRandomSeed } from '../../src/training/seed.js';
import { expectClose, native, skip } from '../helpers/native-compare.js';
import { backend as reference, seeded } from './fixtures.js';

const N = 8 * 20; // 20 batches of 8: the tuner's first exploration (12 steps) plus steps at its choice
const x = { data: seeded(N * 10 * 10, 5), shape: [N, 10, 10, 1] };
const y = { data: Float32Array.from({ length: N }, (_, i) => i % 3), shape: [N] };

/** A spy over a backend: records the counts the adaptive default applies and the count in use at each batch. */
function spyOn(b: Backend): { spy: Backend; applied: number[] } {
  const applied: number[] = [];
  const spy: Backend = {
    ...b,
    applyAutoThreads(count) {
      applied.push(count);
      b.applyAutoThreads(count);
    },
  };
  return { spy, applied };
}

class ThreadsPerBatch extends Callback {
  seen: number[] = [];
  constructor(private readonly b: Backend) {
    super();
  }
  override async onTrainBatchEnd(): Promise<void> {
    this.seen.push(this.b.getThreads());
  }
}

/**
 * Every kind of kernel whose sums are split among threads: conv 1 -> 16 (the hand-written one-channel kernels),
 * conv 16 -> 16 (Winograd), batch norm, a strided depthwise conv (oneDNN direct), dense.
 */
async function train(b: Backend, callbacks: Callback[] = []): Promise<Float32Array[]> {
  setRandomSeed(99);
  const model = new Sequential([
    new Conv2D({ filters: 16, kernelSize: 3, activation: 'relu', inputShape: [10, 10, 1] }),
    new Conv2D({ filters: 16, kernelSize: 3, activation: 'relu', padding: 'same' }),
    new BatchNormalization({}),
    new DepthwiseConv2D({ kernelSize: 3, strides: 2, padding: 'same' }),
    new Flatten(),
    new Dense({ units: 3, activation: 'softmax' }),
  ]);
  model.backendOverride = b;
  model.compile({ optimizer: new Adam({ learningRate: 1e-3 }), loss: 'sparseCategoricalCrossentropy' });
  await model.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0, callbacks });
  return model.getWeights();
}

describe('adaptive thread count on the native backend', { skip }, () => {
  test('the default offers 1, powers of two and every processor; a fixed count offers none', () => {
    native.setThreads('auto');
    assert.deepEqual(native.autoThreadCandidates(), autoThreadCandidates(availableParallelism(), {}));
    assert.deepEqual(autoThreadCandidates(2, {}), [1, 2]);
    assert.deepEqual(autoThreadCandidates(6, {}), [1, 2, 4, 6]);
    assert.deepEqual(autoThreadCandidates(1, {}), []);
    assert.deepEqual(autoThreadCandidates(8, { OMP_NUM_THREADS: '3' }), []);
    native.setThreads(1);
    assert.deepEqual(native.autoThreadCandidates(), []);
    native.setThreads('auto');
    assert.equal(native.getThreads(), availableParallelism());
  });

  test('fit tries every candidate count, and the weights match the reference backend', async () => {
    native.setThreads('auto');
    const { spy, applied } = spyOn(native);
    const perBatch = new ThreadsPerBatch(native);
    const got = await train(spy, [perBatch]);
    const want = await train(reference);
    const candidates = native.autoThreadCandidates();
    assert.ok(candidates.length >= 2, `this test needs 2+ processors; candidates ${candidates}`);
    assert.deepEqual([...new Set(applied)].sort(), [...candidates].sort());
    // Exploration: 1 thread first (1 warm-up + 5 timed steps), then more; the count in use follows.
    assert.deepEqual(perBatch.seen.slice(0, 12), applied.slice(0, 12));
    for (let i = 0; i < want.length; i++) expectClose(`weight ${i}`, got[i]!, want[i]!, 2e-4, 2e-3);
  });

  test('results have the same bits at every thread count, so the adaptive choice cannot change them', async () => {
    const runs: Float32Array[][] = [];
    try {
      for (const count of [1, 2, 3]) {
        native.setThreads(count);
        runs.push(await train(native));
      }
    } finally {
      native.setThreads('auto');
    }
    runs.push(await train(native));
    for (let r = 1; r < runs.length; r++)
      for (let i = 0; i < runs[0]!.length; i++) {
        const a = runs[0]![i]!;
        const b = runs[r]![i]!;
        const first = a.findIndex((v, j) => !Object.is(v, b[j]));
        assert.equal(first, -1, `run ${r} weight ${i}: index ${first} differs (${a[first]} vs ${b[first]})`);
      }
  });

  test('an explicit setThreads is honoured: fit applies no other count', async () => {
    native.setThreads(1);
    try {
      const { spy, applied } = spyOn(native);
      const perBatch = new ThreadsPerBatch(native);
      await train(spy, [perBatch]);
      assert.deepEqual(applied, []);
      assert.deepEqual(perBatch.seen, Array(20).fill(1));
    } finally {
      native.setThreads('auto');
    }
  });

  test("the CLI's --threads fixes the count; without it the default stays adaptive", () => {
    try {
      assert.equal(applyGlobalOptions({ backend: 'native', threads: 1 }), 'native');
      assert.deepEqual(native.autoThreadCandidates(), []);
      assert.equal(native.getThreads(), 1);
    } finally {
      native.setThreads('auto');
    }
    applyGlobalOptions({ backend: 'native' });
    assert.ok(native.autoThreadCandidates().length >= 2);
  });

  test("setThreads rejects 0 and names 'auto' as the alternative", () => {
    assert.throws(() => native.setThreads(0), /setThreads: invalid 'count'. Expected a positive integer or 'auto', received 0/);
  });
});

/** Loads the native backend in a child with `env` and reports its thread count and candidates. */
function childLoad(env: Record<string, string>) {
  const nativeTs = pathToFileURL('src/backend/native.ts').href;
  const code = `
    import { loadNativeBackend } from '${nativeTs}';
    const b = loadNativeBackend();
    console.log(JSON.stringify({ threads: b.getThreads(), candidates: b.autoThreadCandidates() }));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { threads: number; candidates: number[] };
}

describe('OMP_NUM_THREADS and the native addon', { skip }, () => {
  test('OMP_NUM_THREADS fixes the count: the addon uses it and nothing adapts', () => {
    assert.deepEqual(childLoad({ OMP_NUM_THREADS: '1' }), { threads: 1, candidates: [] });
  });
});
