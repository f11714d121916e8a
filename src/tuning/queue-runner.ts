// Runs `convkit tune` trials on other machines through a BullMQ queue on Redis: each trial becomes a job whose id
// is fixed by the search and the trial (so a resumed coordinator finds the jobs it sent before instead of sending
// them again), any number of `convkit tune-worker` processes take them, and BullMQ's stalled-job check hands the
// trial of a lost worker to another one. Epoch logs arrive as job progress; the model's bytes come back through a
// Redis key. The coordinator stays the only writer of the --out files.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWriteBytes } from '../io/atomic-write.js';
import type { DatasetTrialSetup } from './dataset-trial.js';
import { importQueueLibraries, modelKey, parseRedisUrl, QUEUE_NAME, ready, type TrialJob, type TrialJobResult } from './queue.js';
import type { TrialSpec } from './strategies.js';
import type { DataSpec } from './training-data.js';
import { SEARCH_JSON } from './trial-log.js';
import type { EpochReporter, TrialOutcome, TrialRunner } from './tuner.js';

type Queue = import('bullmq').Queue;
type QueueEvents = import('bullmq').QueueEvents;

export interface QueueRunnerOptions {
  data: DataSpec;
  setup: DatasetTrialSetup;
  /** The search folder: its search.json names the search, so job ids differ between searches. */
  out: string;
}

export class QueueRunner implements TrialRunner {
  /** Every trial of a wave goes to the queue at once; the workers' number sets the pace. */
  readonly concurrency = Number.MAX_SAFE_INTEGER;
  private readonly progress = new Map<string, EpochReporter>();

  private constructor(
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly options: QueueRunnerOptions,
    private readonly clients: { disconnect(): void }[],
  ) {
    events.on('progress', ({ jobId, data }) => {
      const p = data as { epoch?: number; logs?: Record<string, number> };
      if (typeof p?.epoch === 'number' && p.logs) this.progress.get(jobId)?.(p.epoch, p.logs);
    });
  }

  /** Connects to Redis (failing clearly when it is unreachable or BullMQ is not installed). */
  static async connect(url: string, options: QueueRunnerOptions): Promise<QueueRunner> {
    const connection = parseRedisUrl(url);
    const { bullmq, connect, probe } = await importQueueLibraries();
    await probe(connection, url);
    const clients = [connect(connection), connect(connection)];
    const queue = new bullmq.Queue(QUEUE_NAME, { connection: clients[0]! });
    const events = new bullmq.QueueEvents(QUEUE_NAME, { connection: clients[1]! });
    const runner = new QueueRunner(queue, events, options, clients);
    try {
      await ready(queue, url);
      await ready(events, url);
    } catch (error) {
      // Never connected: a graceful close would wait for the connection too.
      for (const client of clients) client.disconnect();
      void Promise.allSettled([queue.close(), events.close()]);
      throw error;
    }
    return runner;
  }

  /** Job ids: a hash of the search's search.json (written before the first trial) and the trial id. */
  private jobId(trial: TrialSpec): string {
    const search = readFileSync(join(this.options.out, SEARCH_JSON));
    return `${createHash('sha256').update(search).digest('hex').slice(0, 16)}-${trial.id}`;
  }

  async run(trial: TrialSpec, onEpoch: EpochReporter, modelPath: string | null): Promise<TrialOutcome> {
    const jobId = this.jobId(trial);
    const payload: TrialJob = { trial, data: this.options.data, setup: this.options.setup, wantModel: modelPath !== null };
    this.progress.set(jobId, onEpoch);
    const job = await this.queue.add('trial', payload, { jobId, attempts: 1 });
    try {
      const raw = (await job.waitUntilFinished(this.events)) as TrialJobResult | string;
      const result = (typeof raw === 'string' ? JSON.parse(raw) : raw) as TrialJobResult;
      const client = await this.queue.getBackend().client;
      if (result.model) {
        const base64 = await client.get(modelKey(jobId));
        if (base64 !== null && modelPath !== null) await atomicWriteBytes(modelPath, Buffer.from(base64, 'base64'));
        await client.del(modelKey(jobId));
      }
      return { history: result.history, worker: result.worker };
    } finally {
      this.progress.delete(jobId);
      // The outcome goes into the coordinator's trial log; the job need not stay in Redis.
      await job.remove().catch(() => {});
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    // BullMQ leaves connections it was given open; ours would keep the process alive.
    for (const client of this.clients) client.disconnect();
  }
}
