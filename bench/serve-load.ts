// Load benchmark of `convkit serve` on loopback: a model behind the server (a separate process, as deployed), hit by N
// concurrent clients posting one input each (TensorFlow Serving's `:predict`, row format) for a fixed time. Reports
// requests/s, p50/p99 latency, errors, the batch sizes the dynamic batcher formed, the server's event-loop delay and
// the latency of status requests sent during the load (is the server still responsive?). Compared in the same run:
// greedy batching (the default), batching with a 5 ms wait, batching off, and one client at a time. Two models:
// `mnist` (the seeds' MNIST CNN, one 28x28 digit as nested lists) and `teachable-machine` (the cat/dog MobileNetV2
// 0.35 export, one cat photo as {"b64": JPEG}, preprocessed by the server): `bench/serve-load.ts [mnist|teachable-machine]`.
// Bounded: CONVKIT_BENCH_SERVE_SECONDS (default 30) per configuration, 127.0.0.1 only, every server stopped at the
// end. CONVKIT_BENCH_SERVE_ARGS adds flags to every server (e.g. '--threads 1').

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mnistCnn } from '../src/applications/seed-models.js';
import { mnist } from '../src/datasets/index.js';
import { saveModel } from '../src/io/keras-file.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = join(root, '..', 'shared', 'data');
const KERAS_MNIST = join(SHARED, 'keras-mnist', 'classic-cnn', 'mnist_cnn.keras');
const TM_MODEL = join(SHARED, 'teachable-machine', 'cat-dog-11Maximus11', 'keras_model.h5');
const TM_PHOTO = join(SHARED, 'cats-dogs', 'validation', 'cats', 'cat.10.jpg');

export type ServeBenchModel = 'mnist' | 'teachable-machine';

/** The served model's name in the URLs. */
const NAME = 'bench';

interface Config {
  name: string;
  clients: number;
  serveArgs: string[];
}

interface Result {
  config: Config;
  requests: number;
  errors: number;
  seconds: number;
  latencies: number[];
  probes: number[];
  batchSizes: Record<string, number>;
  loopDelay: { p50: number; p99: number; max: number };
  load: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Starts `convkit serve` (TypeScript sources through tsx) on a free port; resolves with its URL. */
async function startServer(model: string, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'serve',
      model,
      '--name',
      NAME,
      '--port',
      '0',
      '--no-web',
      ...args,
      ...(process.env.CONVKIT_BENCH_SERVE_ARGS ?? '').split(' ').filter(Boolean),
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (match) resolve(match[1]!);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`convkit serve exited (${code}): ${out}`)));
  });
  return { child, url };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function runConfig(model: string, config: Config, body: string, seconds: number): Promise<Result> {
  const { child, url } = await startServer(model, config.serveArgs);
  try {
    const predict = `${url}/v1/models/${NAME}:predict`;
    // Warm-up: the first batches pay for buffer allocation and oneDNN primitive creation.
    for (let i = 0; i < 20; i++) await (await fetch(predict, { method: 'POST', body })).text();
    const before = (await (await fetch(`${url}/api/stats`)).json()) as { batchSizes: Record<string, Record<string, number>> };
    const latencies: number[] = [];
    const probes: number[] = [];
    let errors = 0;
    const start = performance.now();
    const end = start + seconds * 1000;
    const client = async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          const response = await fetch(predict, { method: 'POST', body });
          const text = await response.text();
          if (response.status !== 200 || !text.startsWith('{"predictions":[[')) errors++;
          else latencies.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    };
    // A status request every 100 ms alongside the load: answered from the event loop, never queued behind inference.
    const probe = async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await (await fetch(`${url}/v1/models/${NAME}`)).text();
        probes.push(performance.now() - t);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await Promise.all([...Array.from({ length: config.clients }, client), probe()]);
    const elapsed = (performance.now() - start) / 1000;
    const after = (await (await fetch(`${url}/api/stats`)).json()) as {
      batchSizes: Record<string, Record<string, number>>;
      eventLoopDelayMs: { p50: number; p99: number; max: number };
    };
    const batchSizes: Record<string, number> = {};
    for (const [size, n] of Object.entries(after.batchSizes[NAME]!)) {
      const formed = n - (before.batchSizes[NAME]![size] ?? 0);
      if (formed > 0) batchSizes[size] = formed;
    }
    return {
      config,
      requests: latencies.length,
      errors,
      seconds: elapsed,
      latencies: latencies.sort((a, b) => a - b),
      probes: probes.sort((a, b) => a - b),
      batchSizes,
      loopDelay: after.eventLoopDelayMs,
      load: loadavg()[0]!,
    };
  } finally {
    await stopServer(child);
  }
}

function describeBatches(sizes: Record<string, number>): string {
  const entries = Object.entries(sizes).map(([s, n]) => [Number(s), n] as const);
  const batches = entries.reduce((t, [, n]) => t + n, 0);
  const rows = entries.reduce((t, [s, n]) => t + s * n, 0);
  const common = [...entries]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([s, n]) => `${s}×${n}`)
    .join(', ');
  return `mean ${(rows / Math.max(1, batches)).toFixed(1)} (most: ${common})`;
}

/** The model file, the request body and the extra serve flags for a benchmark model. */
async function workload(
  kind: ServeBenchModel,
  dir: string,
): Promise<{ model: string; body: string; args: string[]; what: string }> {
  if (kind === 'teachable-machine') {
    const photo = readFileSync(TM_PHOTO).toString('base64');
    return {
      model: TM_MODEL,
      body: JSON.stringify({ instances: [{ b64: photo }] }),
      args: ['--preprocess', 'teachable-machine'],
      what: 'Teachable Machine\'s cat/dog MobileNetV2 0.35 (224x224), one JPEG cat photo per request as {"b64": ...} (decoded and preprocessed by the server)',
    };
  }
  let model = KERAS_MNIST;
  if (!existsSync(model)) {
    model = join(dir, 'mnist-cnn.keras'); // same architecture, untrained: the speed is the same
    await saveModel(mnistCnn(), model);
  }
  const [, [xTest]] = await mnist.loadData();
  const digit = Array.from({ length: 28 }, (_, r) => Array.from({ length: 28 }, (_, c) => [xTest.data[r * 28 + c]! / 255]));
  return {
    model,
    body: JSON.stringify({ instances: [digit] }),
    args: [],
    what: 'the Keras-trained MNIST CNN, one 28x28 digit per request as nested lists',
  };
}

const GREEDY = ['--max-batch-size', '32', '--batch-timeout-ms', '0'];
const WAIT_5MS = ['--max-batch-size', '32', '--batch-timeout-ms', '5'];
const OFF = ['--max-batch-size', '1'];

/** Runs the five configurations on one model and returns a markdown table. */
export async function runServeLoadBench(
  kind: ServeBenchModel = 'mnist',
  seconds = Number(process.env.CONVKIT_BENCH_SERVE_SECONDS ?? 30),
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'convkit-serve-bench-'));
  try {
    const { model, body, args, what } = await workload(kind, dir);
    const configs: Config[] = [
      { name: '50 clients, greedy batching (max 32, no wait: the default)', clients: 50, serveArgs: [...args, ...GREEDY] },
      { name: '50 clients, batching with a 5 ms wait (max 32)', clients: 50, serveArgs: [...args, ...WAIT_5MS] },
      { name: '50 clients, batching off', clients: 50, serveArgs: [...args, ...OFF] },
      { name: '1 client, batching off', clients: 1, serveArgs: [...args, ...OFF] },
      { name: '1 client, greedy batching (the default)', clients: 1, serveArgs: [...args, ...GREEDY] },
      { name: '1 client, batching with a 5 ms wait', clients: 1, serveArgs: [...args, ...WAIT_5MS] },
    ];
    const results: Result[] = [];
    for (const config of configs) results.push(await runConfig(model, config, body, seconds));
    const single = results.find((r) => r.config.name === '1 client, batching off')!;
    const base = single.requests / single.seconds;
    const lines = [
      `${seconds} s per configuration; server: \`convkit serve\` (native backend, one inference worker), ${what}; clients: ` +
        `Node fetch in another process, all on 127.0.0.1. Probe: \`GET /v1/models/${NAME}\` every 100 ms during the load.`,
      '',
      '| configuration | requests/s | vs 1 client unbatched | p50 ms | p99 ms | errors | batch sizes formed | probe p99 ms | server event-loop delay p99 / max ms | load |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ];
    for (const r of results) {
      const rate = r.requests / r.seconds;
      lines.push(
        `| ${r.config.name} | ${rate.toFixed(rate < 100 ? 1 : 0)} | ${(rate / base).toFixed(2)}x | ${percentile(r.latencies, 50).toFixed(1)} | ` +
          `${percentile(r.latencies, 99).toFixed(1)} | ${r.errors} | ${describeBatches(r.batchSizes)} | ${percentile(r.probes, 99).toFixed(1)} | ` +
          `${r.loopDelay.p99.toFixed(1)} / ${r.loopDelay.max.toFixed(1)} | ${r.load.toFixed(1)} |`,
      );
    }
    return lines.join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const kind = process.argv[2] ?? 'mnist';
  if (kind !== 'mnist' && kind !== 'teachable-machine') {
    throw new Error(`bench/serve-load.ts: expected 'mnist' or 'teachable-machine', received '${kind}'.`);
  }
  console.log(await runServeLoadBench(kind));
}
