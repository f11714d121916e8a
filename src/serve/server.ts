// serve(): starts an HTTP server speaking TensorFlow Serving's REST API for one or more models, each in its own
// inference worker thread behind a dynamic batcher, plus the web page. Returns a handle whose close() finishes
// the requests in flight, then stops the workers. Model paths come from the caller, never from requests.

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { serve as listen } from '@hono/node-server';
import { ConfigError, describe, invalid } from '../errors.js';
import { readLabelsSync } from '../io/labels.js';
import type { Model } from '../models/model.js';
import { modelToKeras } from '../models/model-config.js';
import { checkOptions, isPlainObject } from '../options.js';
import { type BatcherOptions, DEFAULT_BATCHING, defaultMaxBatchSize } from './batcher.js';
import { PREPROCESS_NAMES, type PreprocessName, preprocessingOf } from './image-input.js';
import { ModelWorker } from './model-worker.js';
import { buildApp } from './routes.js';
import { ServedModel } from './served-model.js';
import { WebAssets } from './web-assets.js';
import type { ModelSource } from './worker-protocol.js';

/** One model to serve: a file convkit reads, or a model in memory; with its class names and image preprocessing. */
export interface ModelSpec {
  model: string | Model;
  /** Class names in output order, or the path of a labels file ("index name" lines work too). */
  labels?: string[] | string;
  preprocess?: PreprocessName;
  /** With preprocess 'none': pixel * scale + offset (default 1/255 and 0). */
  scale?: number;
  offset?: number;
}

export interface ServeOptions {
  /** Default 8501 (TensorFlow Serving's REST port); 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1: only this machine can connect unless told otherwise. */
  host?: string;
  /** When set, /v1 and /api requests need `Authorization: Bearer <token>`. */
  token?: string;
  /**
   * Rows per batch at most; 1 turns batching off. Default: 32, less for models whose batch activations would exceed
   * 160 MiB (MobileNetV2 at 224x224: 4), see defaultMaxBatchSize.
   */
  maxBatchSize?: number;
  /**
   * How long an idle model waits for others to join the first waiting request (default 0: greedy, requests that
   * arrive while the model is busy still batch together; a wait only pays when one batch costs much less than its
   * rows one by one, see docs/benchmarks.md).
   */
  batchTimeoutMs?: number;
  /** Rows allowed to wait per model before requests are refused with 503 (default 4096). */
  maxQueuedRows?: number;
  /** Request bodies larger than this get 413 (default 16 MiB). */
  maxBodyBytes?: number;
  /** A request not answered within this gets 503 (default 30 s); also the limit for receiving a request. */
  requestTimeoutMs?: number;
  /** How long close() waits for requests in flight before cutting connections (default 10 s). */
  shutdownTimeoutMs?: number;
  /** Serve the web page at / (default true). */
  web?: boolean;
  backend?: 'native' | 'reference';
  threads?: number;
  /** Where unexpected server faults are reported (default console.error). */
  logError?: (message: string) => void;
}

export interface ServerHandle {
  /** http://host:port */
  url: string;
  port: number;
  host: string;
  models: string[];
  /** Batches of each size formed so far, per model. */
  batchSizes(): Record<string, Record<number, number>>;
  /** The largest batch each model's batcher forms (the option, or the default for its activation size). */
  maxBatchSizes: Record<string, number>;
  /** How late the server's event loop ran since start, in ms: inference off the loop keeps these small. */
  eventLoopDelay(): { mean: number; p50: number; p99: number; max: number };
  /** Stops accepting connections, answers the requests in flight, then stops the workers. */
  close(): Promise<void>;
}

const OPTION_KEYS = [
  'port',
  'host',
  'token',
  'maxBatchSize',
  'batchTimeoutMs',
  'maxQueuedRows',
  'maxBodyBytes',
  'requestTimeoutMs',
  'shutdownTimeoutMs',
  'web',
  'backend',
  'threads',
  'logError',
];
const SPEC_KEYS = ['model', 'labels', 'preprocess', 'scale', 'offset'];
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function integerOption(options: ServeOptions, key: keyof ServeOptions, fallback: number, min: number, max: number): number {
  const value = options[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(invalid('serve', key, `an integer from ${min} to ${max}`, value));
  }
  return value;
}

function sourceOf(model: string | Model, where: string): ModelSource {
  if (typeof model === 'string') return { path: model };
  if (model && typeof model === 'object' && typeof (model as Model).getWeights === 'function') {
    return { config: modelToKeras(model), weights: model.getWeights() };
  }
  throw new ConfigError(invalid('serve', where, 'a model file path or a Model', model));
}

function specOf(name: string, value: unknown): ModelSpec {
  if (!NAME.test(name)) {
    throw new ConfigError(
      invalid('serve', 'model name', 'letters, digits, ".", "_" or "-" (at most 64, not starting with a symbol)', name),
    );
  }
  if (typeof value === 'string' || (value && typeof value === 'object' && !isPlainObject(value)))
    return { model: value as string | Model };
  const spec = checkOptions<ModelSpec>(`serve: model '${name}'`, value, SPEC_KEYS);
  if (spec.model === undefined) throw new ConfigError(`serve: model '${name}' has no 'model'. Expected a file path or a Model.`);
  if (spec.preprocess !== undefined && !PREPROCESS_NAMES.includes(spec.preprocess)) {
    throw new ConfigError(
      invalid(`serve: model '${name}'`, 'preprocess', PREPROCESS_NAMES.map((p) => `'${p}'`).join(', '), spec.preprocess),
    );
  }
  if ((spec.scale !== undefined || spec.offset !== undefined) && (spec.preprocess ?? 'none') !== 'none') {
    throw new ConfigError(
      `serve: model '${name}': 'scale'/'offset' apply to preprocess 'none' only; '${spec.preprocess}' fixes its own scaling.`,
    );
  }
  return spec;
}

type BatchingSettings = Omit<BatcherOptions, 'maxBatchSize'> & { maxBatchSize: number | null };

async function startModel(name: string, spec: ModelSpec, options: ServeOptions, batching: BatchingSettings) {
  const worker = await ModelWorker.start(sourceOf(spec.model, `models.${name}`), {
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
  });
  try {
    const signature = worker.signature!;
    const labels =
      typeof spec.labels === 'string' ? readLabelsSync(spec.labels, `serve: labels of '${name}'`) : (spec.labels ?? null);
    const classes = signature.outputShape.length === 2 ? signature.outputShape[1] : null;
    if (labels && typeof classes === 'number' && labels.length !== classes) {
      throw new ConfigError(
        `serve: model '${name}' outputs ${classes} classes, but its labels name ${labels.length} (${describe(labels.slice(0, 5))}${labels.length > 5 ? ' ...' : ''}). Hint: give the labels file made for this model.`,
      );
    }
    const preprocessing = preprocessingOf(spec.preprocess ?? 'none', spec.scale, spec.offset);
    const maxBatchSize = batching.maxBatchSize ?? defaultMaxBatchSize(signature.activationBytesPerRow);
    return new ServedModel(name, worker, signature, labels, preprocessing, { ...batching, maxBatchSize });
  } catch (error) {
    await worker.close();
    throw error;
  }
}

/**
 * Serves models over HTTP with TensorFlow Serving's REST API, and the web page at /.
 * @example const server = await serve({ mnist: 'mnist.keras' }, { port: 8501 }); ... await server.close();
 */
export async function serve(
  models: string | Model | Record<string, string | Model | ModelSpec>,
  rawOptions?: ServeOptions,
): Promise<ServerHandle> {
  const options = checkOptions<ServeOptions>('serve', rawOptions, OPTION_KEYS);
  const entries: [string, ModelSpec][] =
    typeof models === 'string' || !isPlainObject(models)
      ? [['model', specOf('model', models)]]
      : Object.entries(models).map(([name, value]) => [name, specOf(name, value)]);
  if (entries.length === 0) throw new ConfigError(invalid('serve', 'models', 'at least one model', models));
  const port = integerOption(options, 'port', 8501, 0, 65535);
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '')
    throw new ConfigError(invalid('serve', 'host', 'an address such as 127.0.0.1', host));
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token.length < 8)) {
    throw new ConfigError(
      invalid('serve', 'token', 'a string of at least 8 characters', options.token ? '(too short)' : options.token),
    );
  }
  const batching = {
    maxBatchSize: options.maxBatchSize === undefined ? null : integerOption(options, 'maxBatchSize', 0, 1, 4096),
    batchTimeoutMs: integerOption(options, 'batchTimeoutMs', DEFAULT_BATCHING.batchTimeoutMs, 0, 10_000),
    maxQueuedRows: integerOption(options, 'maxQueuedRows', DEFAULT_BATCHING.maxQueuedRows, 1, 1_000_000),
  };
  const maxBodyBytes = integerOption(options, 'maxBodyBytes', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024);
  const requestTimeoutMs = integerOption(options, 'requestTimeoutMs', 30_000, 1, 3_600_000);
  const shutdownTimeoutMs = integerOption(options, 'shutdownTimeoutMs', 10_000, 0, 3_600_000);
  const web = options.web === false ? null : new WebAssets();
  const logError = options.logError ?? ((message: string) => console.error(message));

  // Models load one after the other: each worker reads its file and builds its model (memory peaks stay low).
  const served = new Map<string, ServedModel>();
  try {
    for (const [name, spec] of entries) served.set(name, await startModel(name, spec, options, batching));
  } catch (error) {
    await Promise.all([...served.values()].map((m) => m.worker.close()));
    throw error;
  }

  // How late timers fire on this thread: the evidence that inference (in the workers) leaves the loop free.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const ms = (ns: number) => Number((ns / 1e6).toFixed(3));
  const eventLoopDelay = () => ({
    mean: ms(loopDelay.mean),
    p50: ms(loopDelay.percentile(50)),
    p99: ms(loopDelay.percentile(99)),
    max: ms(loopDelay.max),
  });
  const batchSizes = () =>
    Object.fromEntries([...served.values()].map((m) => [m.name, Object.fromEntries(m.batcher.batchSizes)]));
  const maxBatchSizes = Object.fromEntries([...served.values()].map((m) => [m.name, m.batcher.maxBatchSize]));
  let closing = false;
  const app = buildApp({
    stats: () => ({ batchSizes: batchSizes(), maxBatchSizes, eventLoopDelayMs: eventLoopDelay() }),
    models: served,
    token: options.token ?? null,
    maxBodyBytes,
    requestTimeoutMs,
    web,
    closing: () => closing,
    logError,
  });
  const server = listen({ fetch: app.fetch, port, hostname: host }) as Server;
  server.requestTimeout = requestTimeoutMs;
  server.headersTimeout = Math.min(requestTimeoutMs, 60_000);
  try {
    await new Promise<void>((resolve, reject) => {
      if (server.listening) resolve();
      server.once('listening', resolve);
      server.once('error', reject);
    });
  } catch (error) {
    await Promise.all([...served.values()].map((m) => m.worker.close()));
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new ConfigError(
        `serve: port ${port} on ${host} is already in use. Hint: choose another --port (0 picks a free one).`,
      );
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new ConfigError(invalid('serve', 'host', 'an address of this machine', host));
    throw error;
  }
  const address = server.address() as AddressInfo;
  let closed: Promise<void> | null = null;

  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    port: address.port,
    host: address.address,
    models: [...served.keys()],
    batchSizes,
    maxBatchSizes,
    eventLoopDelay,
    close: () => {
      closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const cut = setTimeout(() => server.closeAllConnections(), shutdownTimeoutMs);
        await stopped;
        clearTimeout(cut);
        await Promise.all([...served.values()].map((m) => m.worker.close()));
        loopDelay.disable();
      })();
      return closed;
    },
  };
}
