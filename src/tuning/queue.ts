// What the tune coordinator and its queue workers share: the BullMQ and ioredis imports (optional peer
// dependencies, loaded only when --queue is used), the Redis URL parsing, the queue name and the job payload. BullMQ's Redis client
// retries a refused connection forever; `ready()` turns that into one clear error after a few seconds.

import { ConfigError, describe } from '../errors.js';
import type { DatasetTrialSetup } from './dataset-trial.js';
import type { TrialSpec } from './strategies.js';
import type { DataSpec } from './training-data.js';

export const QUEUE_NAME = 'convkit-tune';
/** Where a worker leaves a trial's .keras bytes (base64) for the coordinator; expires if nobody collects them. */
export const modelKey = (jobId: string) => `convkit-tune-model:${jobId}`;
export const MODEL_TTL_SECONDS = 7 * 24 * 3600;

/** A trial job: everything a worker on another machine needs to train it. */
export interface TrialJob {
  trial: TrialSpec;
  data: DataSpec;
  setup: DatasetTrialSetup;
  /** Send the trained model back (the coordinator keeps the best). */
  wantModel: boolean;
}

export interface TrialJobResult {
  history: Record<string, number[]>;
  worker: string;
  /** Set when the model's bytes wait under modelKey(jobId). */
  model: boolean;
}

export interface RedisConnection {
  host: string;
  port: number;
  db?: number;
  username?: string;
  password?: string;
}

/** redis://[user:password@]host[:port][/db] as connection options. */
export function parseRedisUrl(url: string): RedisConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`--queue: invalid URL. Expected redis://host:port, received ${describe(url)}.`);
  }
  if (parsed.protocol !== 'redis:') {
    throw new ConfigError(
      `--queue: invalid URL. Expected redis://host:port, received ${describe(url)} (protocol '${parsed.protocol}').`,
    );
  }
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) {
    throw new ConfigError(`--queue: invalid database in ${describe(url)}. Expected a number after the '/', received '${db}'.`);
  }
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(db !== '' ? { db: Number(db) } : {}),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
  };
}

export type BullMQ = typeof import('bullmq');

/** BullMQ and a factory of Redis connections (one per BullMQ object: workers and event readers block on theirs). */
export interface QueueLibraries {
  bullmq: BullMQ;
  connect(connection: RedisConnection): import('ioredis').Redis;
  /** Connects once without retrying, so an unreachable server is one clear error (BullMQ would retry forever). */
  probe(connection: RedisConnection, url: string): Promise<void>;
}

/** Imports BullMQ and ioredis (optional peer dependencies), or explains how to install them. */
export async function importQueueLibraries(): Promise<QueueLibraries> {
  try {
    const bullmq = await import('bullmq');
    const { Redis } = await import('ioredis');
    // BullMQ requires maxRetriesPerRequest null on its connections (blocking commands must not time out).
    const probe = async (connection: RedisConnection, url: string) => {
      const client = new Redis({
        ...connection,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        connectTimeout: 10000,
      });
      let reason = '';
      client.on('error', (e: Error) => {
        reason = e.message;
      });
      try {
        await client.connect();
        await client.ping();
      } catch (error) {
        throw new ConfigError(
          `--queue: cannot reach Redis at ${url} (${reason || (error as Error).message}). Hint: start it (redis-server --port ${connection.port}) or check the host and port.`,
        );
      } finally {
        client.disconnect();
      }
    };
    return { bullmq, probe, connect: (connection) => new Redis({ ...connection, maxRetriesPerRequest: null }) };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new ConfigError(
        '--queue needs the optional packages bullmq and ioredis, which are not installed. Hint: run `npm install bullmq ioredis` in your project (the Redis server itself runs anywhere --queue points at).',
      );
    }
    throw error;
  }
}

/** Waits until a BullMQ object is connected, or fails clearly after `ms` (BullMQ would otherwise retry forever). */
export async function ready(
  thing: { waitUntilReady(): Promise<unknown>; on(event: 'error', fn: (e: Error) => void): unknown },
  url: string,
  ms = 10000,
): Promise<void> {
  let lastError = '';
  thing.on('error', (e) => {
    lastError = e.message;
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ConfigError(
            `--queue: cannot reach Redis at ${url} (${lastError || 'no answer'} after ${ms / 1000} s). Hint: start it (redis-server --port 6379) or check the host and port.`,
          ),
        ),
      ms,
    );
  });
  try {
    await Promise.race([thing.waitUntilReady(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
