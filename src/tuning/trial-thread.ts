// The body of a trial worker thread (thread-runner.ts starts it): maps the shared uint8 data, sets its own
// backend and compute-thread budget, then trains the trials it is sent one at a time, posting each epoch's logs
// and the outcome back. A failing trial is reported, not fatal: the thread takes the next one.

import { parentPort, workerData } from 'node:worker_threads';
import { type BackendName, getBackend, setBackend } from '../backend/registry.js';
import '../node.js';
import { type DatasetTrialSetup, runDatasetTrial } from './dataset-trial.js';
import type { TrialSpec } from './strategies.js';
import type { TrainingData } from './training-data.js';

export interface TrialThreadData {
  data: TrainingData;
  setup: DatasetTrialSetup;
  /** Compute threads for this worker's kernels. */
  threads: number;
  backend?: BackendName;
}

export type TrialThreadRequest = { trial: TrialSpec; modelPath: string | null };
export type TrialThreadReply =
  | { type: 'epoch'; id: string; epoch: number; logs: Record<string, number> }
  | { type: 'done'; id: string; history: Record<string, number[]> }
  | { type: 'error'; id: string; message: string };

const port = parentPort;
if (port) {
  const { data, setup, threads, backend } = workerData as TrialThreadData;
  if (backend !== undefined) setBackend(backend);
  getBackend().setThreads(threads);
  // One trial at a time: the runner never sends a second one before the first is done.
  port.on('message', async ({ trial, modelPath }: TrialThreadRequest) => {
    const post = (reply: TrialThreadReply) => port.postMessage(reply);
    try {
      const outcome = await runDatasetTrial(
        data,
        setup,
        trial,
        (epoch, logs) => post({ type: 'epoch', id: trial.id, epoch, logs }),
        modelPath,
      );
      post({ type: 'done', id: trial.id, history: outcome.history });
    } catch (error) {
      post({ type: 'error', id: trial.id, message: error instanceof Error ? error.message : String(error) });
    }
  });
}
