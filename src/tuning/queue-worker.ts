// A `convkit tune-worker`: takes trial jobs from the BullMQ queue and trains them. The training runs in a worker
// thread (thread-runner.ts) so this thread keeps renewing the job's lock while the trial computes; a worker that
// dies stops renewing, and after `lockDuration` BullMQ's stalled-job check (run by every live worker) puts the
// trial back in the queue for another one. Data is loaded once per data description and kept while jobs use it.

import { readFileSync, rmSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { makePrivateTempDir } from '../io/atomic-write.js';
import {
  importQueueLibraries,
  MODEL_TTL_SECONDS,
  modelKey,
  parseRedisUrl,
  QUEUE_NAME,
  ready,
  type TrialJob,
  type TrialJobResult,
} from './queue.js';
import { ThreadRunner } from './thread-runner.js';
import { loadTrainingData } from './training-data.js';

export interface TuneWorkerOptions {
  /** redis://host:port */
  queue: string;
  /** Replaces the jobs' dataset folder (the IDX files, or the image folder) with this machine's copy. */
  dataDir?: string;
  /** Compute threads for a trial (default: all processors). */
  threads?: number;
  backend?: string;
  /** Milliseconds a job's lock lasts without renewal before the job counts as stalled. Default 30000. */
  lockDuration?: number;
  /** Milliseconds between stalled-job checks. Default: lockDuration. */
  stalledInterval?: number;
  log?: (line: string) => void;
}

export interface TuneWorkerHandle {
  /** Stops taking jobs, waits for the current one, disconnects. */
  close(): Promise<void>;
}

/** Connects to the queue and starts taking trials. */
export async function startTuneWorker(options: TuneWorkerOptions): Promise<TuneWorkerHandle> {
  const connection = parseRedisUrl(options.queue);
  const { bullmq, connect, probe } = await importQueueLibraries();
  await probe(connection, options.queue);
  const log = options.log ?? ((line: string) => console.log(line));
  const name = `${hostname()}:${process.pid}`;
  const temp = makePrivateTempDir('tune-worker');
  let current: { key: string; runner: ThreadRunner } | null = null;

  const runnerFor = async (job: TrialJob): Promise<ThreadRunner> => {
    const data = { ...job.data };
    if (options.dataDir !== undefined) {
      if (data.data !== undefined) data.data = options.dataDir;
      else data.dataDir = options.dataDir;
    }
    const key = JSON.stringify([data, job.setup]);
    if (current?.key === key) return current.runner;
    await current?.runner.close();
    current = null;
    const loaded = await loadTrainingData(data);
    log(`loaded ${loaded.description}`);
    const runner = new ThreadRunner(loaded, job.setup, {
      workers: 1,
      threads: options.threads ?? availableParallelism(),
      backend: options.backend,
    });
    current = { key, runner };
    return runner;
  };

  const lockDuration = options.lockDuration ?? 30000;
  const client = connect(connection);
  const worker = new bullmq.Worker(
    QUEUE_NAME,
    async (job) => {
      const payload = job.data as TrialJob;
      const { trial } = payload;
      log(`trial ${trial.id} (job ${job.id}) started`);
      const runner = await runnerFor(payload);
      const modelPath = payload.wantModel ? join(temp, `${job.id}.keras`) : null;
      const outcome = await runner.run(
        trial,
        (epoch, logs) => void job.updateProgress({ epoch, logs }).catch(() => {}),
        modelPath,
      );
      if (modelPath !== null) {
        const client = await worker.getBackend().client;
        await client.set(modelKey(job.id!), readFileSync(modelPath).toString('base64'), { EX: MODEL_TTL_SECONDS });
        rmSync(modelPath, { force: true });
      }
      log(`trial ${trial.id} (job ${job.id}) finished`);
      const result: TrialJobResult = { history: outcome.history, worker: name, model: modelPath !== null };
      return result;
    },
    {
      connection: client,
      concurrency: 1,
      lockDuration,
      stalledInterval: options.stalledInterval ?? lockDuration,
      // A trial whose worker was lost goes back to the queue; a second loss of the same trial fails it.
      maxStalledCount: 2,
    },
  );
  worker.on('failed', (job, error) => log(`trial job ${job?.id ?? '?'} failed: ${error.message}`));
  try {
    await ready(worker, options.queue);
  } catch (error) {
    client.disconnect();
    void worker.close(true).catch(() => {});
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
  log(`tune-worker ${name} waiting for trials on ${options.queue} (queue '${QUEUE_NAME}')`);
  return {
    async close() {
      await worker.close();
      client.disconnect();
      await current?.runner.close();
      rmSync(temp, { recursive: true, force: true });
    },
  };
}
