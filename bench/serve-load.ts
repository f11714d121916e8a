// Load benchmark of `convkit serve` on loopback: a model behind the server (a separate process, as deployed), hit by N
// concurrent clients posting one input each (TensorFlow Serving's `:predict`, row format) for a fixed time. Reports
// requests/s, p50/p99 latency, errors, the batch sizes the dynamic batcher formed, the server's event-loop delay and
// the latency of status requests sent during the load (is the server still responsive?). Compared in the same run:
// the defaults (greedy batching, the largest batch set by the model's activation size), greedy batching up to 32,
// batching with a 5 ms wait, batching off, and one client at a time. Two models:
// `mnist` (the seeds' MNIST CNN, one 28x28 digit as nested lists) and `teachable-machine` (the cat/dog MobileNetV2
// 0.35 export, one cat photo as {"b64": JPEG}, preprocessed by the server): `bench/serve-load.ts [mnist|teachable-machine]`.
// Each configuration runs in CONVKIT_BENCH_SERVE_ROUNDS (default 3) slices taking turns with the others, and the
// CPU time of the server process and of the clients per request is reported beside the rates: on a shared machine
// the rates follow the other processes, the CPU per request much less. Bounded: CONVKIT_BENCH_SERVE_SECONDS (default
// 30) per configuration, 127.0.0.1 only, every server stopped at the end. CONVKIT_BENCH_SERVE_ARGS adds flags to
// every server (e.g. '--threads 1').

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mnistCnn } from '../src/applications/seed-models.js';
import { mnist } from '../src/datasets/index.js';
import { saveModel } from '../src/io/keras-file.js';
import { loadModel } from '../src/io/load-model.js';
import '../src/node.js';

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
  /** Load averages (1 min) seen at the end of each slice. */
  loads: number[];
  /** CPU seconds the server process (main thread and inference worker) used during the timed window. */
  serverCpu: number;
  /** CPU seconds this process (the clients) used during the timed window. */
  clientCpu: number;
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

/** CPU seconds (user + system, every thread) a process has used so far, from /proc; NaN where there is no /proc. */
function processCpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (CLK_TCK 100 on Linux)
  } catch {
    return Number.NaN;
  }
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
    // Warm-up: the first batch of each size pays for buffer allocation and oneDNN primitive creation; bursts of 32
    // concurrent requests make the batcher form every batch size it will use.
    for (let i = 0; i < 10; i++) await (await fetch(predict, { method: 'POST', body })).text();
    for (let burst = 0; burst < 2; burst++) {
      await Promise.all(Array.from({ length: 32 }, async () => (await fetch(predict, { method: 'POST', body })).text()));
    }
    const before = (await (await fetch(`${url}/api/stats`)).json()) as { batchSizes: Record<string, Record<string, number>> };
    const latencies: number[] = [];
    const probes: number[] = [];
    let errors = 0;
    const serverCpuBefore = processCpuSeconds(child.pid);
    const clientCpuBefore = process.cpuUsage();
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
    const serverCpu = processCpuSeconds(child.pid) - serverCpuBefore;
    const clientUsage = process.cpuUsage(clientCpuBefore);
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
      loads: [loadavg()[0]!],
      serverCpu,
      clientCpu: (clientUsage.user + clientUsage.system) / 1e6,
    };
  } finally {
    await stopServer(child);
  }
}

/** One configuration's slices as one result: counts and CPU added, latencies pooled, the worst event-loop delay. */
function merge(slices: Result[]): Result {
  const batchSizes: Record<string, number> = {};
  for (const slice of slices)
    for (const [size, n] of Object.entries(slice.batchSizes)) batchSizes[size] = (batchSizes[size] ?? 0) + n;
  const sum = (pick: (r: Result) => number) => slices.reduce((t, r) => t + pick(r), 0);
  return {
    config: slices[0]!.config,
    requests: sum((r) => r.requests),
    errors: sum((r) => r.errors),
    seconds: sum((r) => r.seconds),
    latencies: slices.flatMap((r) => r.latencies).sort((a, b) => a - b),
    probes: slices.flatMap((r) => r.probes).sort((a, b) => a - b),
    batchSizes,
    loopDelay: {
      p50: Math.max(...slices.map((r) => r.loopDelay.p50)),
      p99: Math.max(...slices.map((r) => r.loopDelay.p99)),
      max: Math.max(...slices.map((r) => r.loopDelay.max)),
    },
    loads: slices.flatMap((r) => r.loads),
    serverCpu: sum((r) => r.serverCpu),
    clientCpu: sum((r) => r.clientCpu),
  };
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

/**
 * The model's own inference time per row at several batch sizes, in this process (no HTTP): what batching can save
 * at most. Median of repeated predict calls on the native backend.
 */
async function inferencePerRow(path: string): Promise<string> {
  const model = await loadModel(path, { compile: false });
  const rowShape = model.inputs[0]!.shape.slice(1) as number[];
  const rowSize = rowShape.reduce((a, b) => a * b, 1);
  const parts: string[] = [];
  for (const n of [1, 4, 16, 32]) {
    const x = { data: new Float32Array(n * rowSize).fill(0.5), shape: [n, ...rowShape] };
    for (let i = 0; i < 2; i++) await model.predict(x, { verbose: 0, batchSize: n });
    const times: number[] = [];
    for (let i = 0; i < Math.max(3, Math.round(32 / n)); i++) {
      const t = performance.now();
      await model.predict(x, { verbose: 0, batchSize: n });
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    parts.push(`batch ${n}: ${(times[times.length >> 1]! / n).toFixed(n === 1 ? 2 : 3)} ms/row`);
  }
  return `Inference alone, in the benchmark process (native backend, median, load ${loadavg()[0]!.toFixed(1)}): ${parts.join(', ')}.`;
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

/** Runs the configurations on one model and returns a markdown table. */
export async function runServeLoadBench(
  kind: ServeBenchModel = 'mnist',
  seconds = Number(process.env.CONVKIT_BENCH_SERVE_SECONDS ?? 30),
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'convkit-serve-bench-'));
  try {
    const { model, body, args, what } = await workload(kind, dir);
    const configs: Config[] = [
      { name: '50 clients, the defaults (greedy, max by activation size)', clients: 50, serveArgs: args },
      { name: '50 clients, greedy batching, max 32', clients: 50, serveArgs: [...args, ...GREEDY] },
      { name: '50 clients, batching with a 5 ms wait, max 32', clients: 50, serveArgs: [...args, ...WAIT_5MS] },
      { name: '50 clients, batching off', clients: 50, serveArgs: [...args, ...OFF] },
      { name: '1 client, batching off', clients: 1, serveArgs: [...args, ...OFF] },
      { name: '1 client, the defaults', clients: 1, serveArgs: args },
      { name: '1 client, batching with a 5 ms wait, max 32', clients: 1, serveArgs: [...args, ...WAIT_5MS] },
    ];
    // The configurations take turns in `rounds` slices each, so that the machine's changing load (it is shared)
    // falls on all of them alike rather than on whichever ran during a busy minute.
    const rounds = Math.max(1, Math.round(Number(process.env.CONVKIT_BENCH_SERVE_ROUNDS ?? 3)));
    const slices: Result[][] = configs.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (const [i, config] of configs.entries()) slices[i]!.push(await runConfig(model, config, body, seconds / rounds));
    }
    const results = slices.map(merge);
    const inference = await inferencePerRow(model);
    const single = results.find((r) => r.config.name === '1 client, batching off')!;
    const base = single.requests / single.seconds;
    const lines = [
      `${seconds} s per configuration in ${rounds} interleaved slices; server: \`convkit serve\` (native backend, one inference worker), ${what}; clients: ` +
        `Node fetch in another process, all on 127.0.0.1. Probe: \`GET /v1/models/${NAME}\` every 100 ms during the load.`,
      '',
      inference,
      '',
      '| configuration | requests/s | vs 1 client unbatched | p50 ms | p99 ms | errors | batch sizes formed | server CPU ms / request | client CPU ms / request | probe p99 ms | server event-loop delay p99 / max ms | load |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ];
    for (const r of results) {
      const rate = r.requests / r.seconds;
      lines.push(
        `| ${r.config.name} | ${rate.toFixed(rate < 100 ? 1 : 0)} | ${(rate / base).toFixed(2)}x | ${percentile(r.latencies, 50).toFixed(1)} | ` +
          `${percentile(r.latencies, 99).toFixed(1)} | ${r.errors} | ${describeBatches(r.batchSizes)} | ` +
          `${((1000 * r.serverCpu) / r.requests).toFixed(2)} | ${((1000 * r.clientCpu) / r.requests).toFixed(2)} | ${percentile(r.probes, 99).toFixed(1)} | ` +
          `${r.loopDelay.p99.toFixed(1)} / ${r.loopDelay.max.toFixed(1)} | ${Math.min(...r.loads).toFixed(1)}-${Math.max(...r.loads).toFixed(1)} |`,
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
