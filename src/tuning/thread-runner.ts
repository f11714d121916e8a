// Runs `convkit tune` trials in worker threads of this process: K threads, each training one trial at a time with
// its own compute-thread budget (cores / K), all reading one copy of the data through SharedArrayBuffers. A thread
// that dies (out of memory, a crash in native code) fails its trial and is replaced. Not here: several machines
// (queue-runner.ts).

import { Worker } from 'node:worker_threads';
import type { BackendName } from '../backend/registry.js';
import { BackendError, ConfigError, invalid } from '../errors.js';
import type { DatasetTrialSetup } from './dataset-trial.js';
import type { TrialSpec } from './strategies.js';
import { sharedCopy, type TrainingData } from './training-data.js';
import type { TrialThreadData, TrialThreadReply } from './trial-thread.js';
import type { EpochReporter, TrialOutcome, TrialRunner } from './tuner.js';

export interface ThreadRunnerOptions {
  /** Trials at once (worker threads). */
  workers: number;
  /** Compute threads per worker. */
  threads: number;
  backend?: string | undefined;
}

interface Slot {
  worker: Worker;
  name: string;
  busy: { id: string; onEpoch: EpochReporter; resolve: (o: TrialOutcome) => void; reject: (e: Error) => void } | null;
}

/**
 * Starts the worker body: the compiled .js next to this file; or, when convkit runs from its TypeScript sources
 * through tsx (tests, examples), the .ts source behind tsx's loader, which worker threads do not inherit.
 */
function startWorker(workerData: TrialThreadData): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./trial-thread.js', import.meta.url), { workerData });
  const source = new URL('./trial-thread.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(boot, { eval: true, workerData });
}

export class ThreadRunner implements TrialRunner {
  readonly concurrency: number;
  private readonly slots: Slot[] = [];
  private readonly init: TrialThreadData;

  constructor(data: TrainingData, setup: DatasetTrialSetup, options: ThreadRunnerOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) {
      throw new ConfigError(invalid('ThreadRunner', 'workers', 'a positive integer', options.workers));
    }
    this.concurrency = options.workers;
    const backend = options.backend as BackendName | undefined;
    this.init = {
      data: { ...data, x: sharedCopy(data.x), y: sharedCopy(data.y) },
      setup,
      threads: Math.max(1, options.threads),
      ...(backend !== undefined ? { backend } : {}),
    };
  }

  private spawn(index: number): Slot {
    const slot: Slot = { worker: startWorker(this.init), name: `thread ${index + 1}`, busy: null };
    slot.worker.on('message', (reply: TrialThreadReply) => {
      const job = slot.busy;
      if (!job || reply.id !== job.id) return;
      if (reply.type === 'epoch') job.onEpoch(reply.epoch, reply.logs);
      else {
        slot.busy = null;
        if (reply.type === 'done') job.resolve({ history: reply.history, worker: slot.name });
        else job.reject(new Error(reply.message));
      }
    });
    const lost = (why: string) => {
      const job = slot.busy;
      slot.busy = null;
      this.slots[index] = this.spawn(index);
      job?.reject(new BackendError(`tune: ${slot.name} stopped during trial ${job.id} (${why}).`));
    };
    slot.worker.on('error', (error) => lost(error.message));
    slot.worker.on('exit', (code) => {
      if (slot.busy) lost(`exit code ${code}`);
    });
    return slot;
  }

  run(trial: TrialSpec, onEpoch: EpochReporter, modelPath: string | null): Promise<TrialOutcome> {
    while (this.slots.length < this.concurrency) this.slots.push(this.spawn(this.slots.length));
    const slot = this.slots.find((s) => s.busy === null);
    if (!slot) return Promise.reject(new Error(`ThreadRunner: all ${this.concurrency} threads are busy.`));
    return new Promise<TrialOutcome>((resolve, reject) => {
      slot.busy = { id: trial.id, onEpoch, resolve, reject };
      slot.worker.postMessage({ trial, modelPath });
    });
  }

  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    for (const s of slots) s.busy = null;
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
