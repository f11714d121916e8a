// Kernel-level benchmark: one training step of the MNIST CNN (Conv 32 3x3 relu, MaxPool 2, Conv 64 3x3 relu,
// MaxPool 2, Flatten, Dense 128 relu, Dense 10 + softmax cross-entropy from logits, Adam on all 8 tensors) at
// batch 64, driven straight through the Backend interface with buffers allocated once. Native (1 and 2 threads),
// reference (1 thread, few steps) and PyTorch (bench/pytorch_step.py, skipped when torch is missing).
// It measures kernels only: no layers, no model, no data loading.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdamAttrs, Backend, Conv2dAttrs, DenseAttrs, LossAttrs, Pool2dAttrs } from '../src/backend/backend.js';
import { loadNativeBackend } from '../src/backend/native.js';
import { createReferenceBackend } from '../src/backend/reference/index.js';

const N = 64;
const conv1: Conv2dAttrs = {
  batch: N,
  inHeight: 28,
  inWidth: 28,
  inChannels: 1,
  outChannels: 32,
  kernelHeight: 3,
  kernelWidth: 3,
  strides: [1, 1],
  dilations: [1, 1],
  padding: 'valid',
  groups: 1,
  activation: 'relu',
};
const pool1: Pool2dAttrs = {
  batch: N,
  inHeight: 26,
  inWidth: 26,
  channels: 32,
  poolSize: [2, 2],
  strides: [2, 2],
  padding: 'valid',
};
const conv2: Conv2dAttrs = { ...conv1, inHeight: 13, inWidth: 13, inChannels: 32, outChannels: 64 };
const pool2: Pool2dAttrs = {
  batch: N,
  inHeight: 11,
  inWidth: 11,
  channels: 64,
  poolSize: [2, 2],
  strides: [2, 2],
  padding: 'valid',
};
const dense1: DenseAttrs = { batch: N, inUnits: 1600, outUnits: 128, activation: 'relu' };
const dense2: DenseAttrs = { batch: N, inUnits: 128, outUnits: 10, activation: 'linear' };
const loss: LossAttrs = { kind: 'categoricalCrossentropy', batch: N, classes: 10, fromLogits: true, labelSmoothing: 0 };

/** Forward + backward FLOPs of one step (multiply-adds x 2; conv1's backward data is skipped). */
export function stepFlops(): number {
  const convF = (a: Conv2dAttrs, oh: number, ow: number) =>
    2 * a.batch * oh * ow * a.outChannels * a.kernelHeight * a.kernelWidth * (a.inChannels / a.groups);
  const denseF = (a: DenseAttrs) => 2 * a.batch * a.inUnits * a.outUnits;
  return convF(conv1, 26, 26) * 2 + convF(conv2, 11, 11) * 3 + denseF(dense1) * 3 + denseF(dense2) * 3;
}

function filled(length: number, seed: number, scale: number): Float32Array {
  const out = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s >>> 8) / 16777216 - 0.5) * scale;
  }
  return out;
}

/** Builds the buffers once and returns a closure running one training step. */
export function makeStep(b: Backend): () => void {
  const f = (n: number) => new Float32Array(n);
  const x = filled(N * 784, 1, 2);
  const target = f(N * 10);
  for (let i = 0; i < N; i++) target[i * 10 + (i % 10)] = 1;
  const shapes = [9 * 32, 32, 9 * 32 * 64, 64, 1600 * 128, 128, 128 * 10, 10];
  const params = shapes.map((n, i) => filled(n, 10 + i, i % 2 ? 0 : 0.2));
  const grads = shapes.map(f);
  const ms = shapes.map(f);
  const vs = shapes.map(f);
  const [w1, b1, w2, b2, w3, b3, w4, b4] = params as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  const [dw1, db1, dw2, db2, dw3, db3, dw4, db4] = grads as typeof params &
    [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  const a1 = f(N * 26 * 26 * 32),
    p1 = f(N * 13 * 13 * 32),
    am1 = new Int32Array(p1.length);
  const a2 = f(N * 11 * 11 * 64),
    p2 = f(N * 1600),
    am2 = new Int32Array(p2.length);
  const a3 = f(N * 128),
    logits = f(N * 10),
    losses = f(N),
    dlogits = f(N * 10);
  const da3 = f(N * 128),
    dp2 = f(N * 1600),
    da2 = f(a2.length),
    dp1 = f(p1.length),
    da1 = f(a1.length);
  const relu = { kind: 'relu' } as const;
  let step = 0;
  return () => {
    b.conv2dForward(a1, x, w1, b1, conv1);
    b.maxPool2dForward(p1, am1, a1, pool1);
    b.conv2dForward(a2, p1, w2, b2, conv2);
    b.maxPool2dForward(p2, am2, a2, pool2);
    b.denseForward(a3, p2, w3, b3, dense1);
    b.denseForward(logits, a3, w4, b4, dense2);
    b.lossForward(losses, dlogits, logits, target, loss);
    b.denseBackwardWeights(dw4, db4, a3, dlogits, dense2);
    b.denseBackwardData(da3, dlogits, w4, dense2);
    b.activationBackward(da3, da3, a3, a3, relu);
    b.denseBackwardWeights(dw3, db3, p2, da3, dense1);
    b.denseBackwardData(dp2, da3, w3, dense1);
    b.maxPool2dBackward(da2, dp2, am2, pool2);
    b.activationBackward(da2, da2, a2, a2, relu);
    b.conv2dBackwardWeights(dw2, db2, p1, da2, conv2);
    b.conv2dBackwardData(dp1, da2, w2, conv2);
    b.maxPool2dBackward(da1, dp1, am1, pool1);
    b.activationBackward(da1, da1, a1, a1, relu);
    b.conv2dBackwardWeights(dw1, db1, x, da1, conv1);
    step++;
    const adam: AdamAttrs = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, step, weightDecay: 0 };
    for (let i = 0; i < params.length; i++) b.adamUpdate(params[i]!, grads[i]!, ms[i]!, vs[i]!, adam);
  };
}

/** Median ms per step after `warmup` untimed steps. */
export function timeSteps(run: () => void, warmup: number, steps: number): number {
  for (let i = 0; i < warmup; i++) run();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((p, q) => p - q);
  return times[Math.floor(times.length / 2)]!;
}

function pytorch(threads: number[]): Record<string, number> | string {
  const python = '/usr/bin/python3';
  const script = join(dirname(fileURLToPath(import.meta.url)), 'pytorch_step.py');
  if (!existsSync(python)) return 'skipped: /usr/bin/python3 not found';
  const r = spawnSync(python, [script, ...threads.map(String)], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) return `skipped: ${(r.stderr || r.stdout || 'failed').trim().split('\n').pop()}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
}

/** Runs the benchmark and returns a markdown table (plus notes). */
export async function runKernelStepBench(): Promise<string> {
  const flops = stepFlops();
  const rows: { name: string; threads: number; ms: number }[] = [];
  let native: Backend | null = null;
  let nativeNote = '';
  try {
    native = loadNativeBackend();
  } catch (error) {
    nativeNote = `native skipped: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (native) {
    for (const t of [1, 2]) {
      native.setThreads(t);
      rows.push({ name: 'convkit native (oneDNN)', threads: t, ms: timeSteps(makeStep(native), 20, 200) });
    }
    native.setThreads('auto');
  }
  rows.push({ name: 'convkit reference (TypeScript)', threads: 1, ms: timeSteps(makeStep(createReferenceBackend()), 1, 3) });
  const torch = pytorch([1, 2]);
  if (typeof torch !== 'string')
    for (const [t, ms] of Object.entries(torch)) rows.push({ name: 'PyTorch (eager, CPU)', threads: Number(t), ms });
  const torchMs = (t: number) => (typeof torch === 'string' ? undefined : torch[String(t)]);
  const lines = [
    `MNIST CNN training step, batch ${N}, ${(flops / 1e6).toFixed(0)} MFLOP forward+backward per step; CPU: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} logical cores.`,
    '',
    '| implementation | threads | ms/step (median) | GFLOP/s | vs PyTorch (same threads) |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const t = torchMs(r.threads);
    const ratio = t && !r.name.startsWith('PyTorch') ? `${(r.ms / t).toFixed(2)}x the time` : '';
    lines.push(`| ${r.name} | ${r.threads} | ${r.ms.toFixed(2)} | ${(flops / r.ms / 1e6).toFixed(1)} | ${ratio} |`);
  }
  if (nativeNote) lines.push('', nativeNote);
  if (typeof torch === 'string') lines.push('', `PyTorch ${torch}`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(await runKernelStepBench());
}
