// `convkit serve`: serves saved models with TensorFlow Serving's REST API and the web page, until SIGTERM or
// Ctrl-C, then finishes the requests in flight and exits 0. Only parses options and calls serve().

import { basename } from 'node:path';
import { ConfigError, describe } from '../errors.js';
import { labelsFileFor } from '../io/labels.js';
import { PREPROCESS_NAMES, type PreprocessName } from '../serve/image-input.js';
import { type ModelSpec, serve } from '../serve/server.js';
import type { GlobalOptions } from './common.js';

export interface ServeCommandOptions extends GlobalOptions {
  name?: string;
  model: string[];
  labels: string[];
  preprocess: string[];
  scale?: number;
  offset?: number;
  port: number;
  host: string;
  token?: string;
  maxBatchSize?: number;
  batchTimeoutMs: number;
  maxBodyMb: number;
  requestTimeoutMs: number;
  web: boolean;
}

/** A model name from a file name: `mnist_cnn.keras` -> `mnist_cnn`. */
function nameFromPath(path: string): string {
  const stem = basename(path).replace(/\.(keras|h5|json)$/i, '');
  const name = stem.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return name === '' ? 'model' : name.slice(0, 64);
}

/** `value` for every model, or `name=value` for one; later ones win. */
function perModel(flag: string, values: string[], names: string[]): Map<string, string> {
  const result = new Map<string, string>();
  for (const value of values) {
    const at = value.indexOf('=');
    const name = at > 0 ? value.slice(0, at) : null;
    if (name !== null && names.includes(name)) result.set(name, value.slice(at + 1));
    else if (name !== null && !value.includes('/') && names.length > 1) {
      throw new ConfigError(`${flag}: unknown model ${describe(name)} in ${describe(value)}. Models: ${names.join(', ')}.`);
    } else for (const n of names) result.set(n, value);
  }
  return result;
}

export function modelSpecs(modelPath: string | undefined, options: ServeCommandOptions): Record<string, ModelSpec> {
  const paths = new Map<string, string>();
  if (modelPath !== undefined) paths.set(options.name ?? nameFromPath(modelPath), modelPath);
  else if (options.name !== undefined)
    throw new ConfigError('--name: names the positional model; with --model give name=path instead.');
  for (const entry of options.model) {
    const at = entry.indexOf('=');
    if (at <= 0 || at === entry.length - 1) {
      throw new ConfigError(`--model: expected name=path such as mnist=mnist.keras, received ${describe(entry)}.`);
    }
    const name = entry.slice(0, at);
    if (paths.has(name))
      throw new ConfigError(`--model: the name ${describe(name)} is given twice. Each model needs its own name.`);
    paths.set(name, entry.slice(at + 1));
  }
  if (paths.size === 0) {
    throw new ConfigError('serve: no model given. Expected a model file (convkit serve model.keras) or --model name=path.');
  }
  const names = [...paths.keys()];
  const labels = perModel('--labels', options.labels, names);
  const preprocess = perModel('--preprocess', options.preprocess, names);
  const specs: Record<string, ModelSpec> = {};
  for (const [name, path] of paths) {
    const p = preprocess.get(name);
    if (p !== undefined && !PREPROCESS_NAMES.includes(p as PreprocessName)) {
      throw new ConfigError(`--preprocess: expected ${PREPROCESS_NAMES.join(' | ')} (or name=value), received ${describe(p)}.`);
    }
    const spec: ModelSpec = { model: path };
    // Without --labels, the labels.txt beside the model file (as Teachable Machine exports them) names the classes.
    const l = labels.get(name) ?? labelsFileFor(path, undefined) ?? undefined;
    if (l !== undefined) spec.labels = l;
    if (l !== undefined && !labels.has(name)) console.log(`Class names of '${name}' from ${l}`);
    if (p !== undefined) spec.preprocess = p as PreprocessName;
    if ((p ?? 'none') === 'none') {
      if (options.scale !== undefined) spec.scale = options.scale;
      if (options.offset !== undefined) spec.offset = options.offset;
    }
    specs[name] = spec;
  }
  return specs;
}

export async function serveCommand(modelPath: string | undefined, options: ServeCommandOptions): Promise<void> {
  const specs = modelSpecs(modelPath, options);
  const token = options.token ?? process.env.CONVKIT_SERVE_TOKEN;
  if (options.backend !== undefined && options.backend !== 'native' && options.backend !== 'reference') {
    throw new ConfigError(`--backend: invalid value. Expected 'native' or 'reference', received ${describe(options.backend)}.`);
  }
  const server = await serve(specs, {
    port: options.port,
    host: options.host,
    ...(options.maxBatchSize === undefined ? {} : { maxBatchSize: options.maxBatchSize }),
    batchTimeoutMs: options.batchTimeoutMs,
    maxBodyBytes: Math.round(options.maxBodyMb * 1024 * 1024),
    requestTimeoutMs: options.requestTimeoutMs,
    web: options.web,
    ...(token ? { token } : {}),
    ...(options.backend ? { backend: options.backend as 'native' | 'reference' } : {}),
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
  });
  // Handlers first, then the lines a caller waits for: a SIGTERM sent on reading them must not meet the default action.
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      console.log(`${signal}: finishing requests in flight, then exiting.`);
      server.close().then(resolve, resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  for (const name of server.models) {
    const rows = server.maxBatchSizes[name]!;
    const batching = rows === 1 ? 'batching off' : `batches of up to ${rows} rows`;
    console.log(`Serving '${name}' (${specs[name]!.model as string}, ${batching}) at ${server.url}/v1/models/${name}`);
  }
  if (options.web) console.log(`Web page: ${server.url}/`);
  if (token) console.log('Requests to /v1 and /api need the header "Authorization: Bearer <token>".');
  console.log('Press Ctrl-C (or send SIGTERM) to stop; requests in flight are answered first.');
  await stopped;
  console.log('Stopped.');
}
