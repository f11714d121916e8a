// Fit-level benchmark: one full MNIST epoch (60,000 images, batch 64, Adam) of the seeds' CNN through
// Sequential.fit(), predict() throughput on the 10,000 test images, and peak memory, side by side with PyTorch
// (bench/pytorch_fit.py, Debian's /usr/bin/python3) on the same network, data and thread count in the same run.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mnistCnn } from '../src/applications/seed-models.js';
import { loadNativeBackend } from '../src/backend/native.js';
import { setBackend } from '../src/backend/registry.js';
import { embeddedMnistDir, mnist, normalize } from '../src/datasets/index.js';
import { setRandomSeed } from '../src/training/seed.js';
import { makeStep, timeSteps } from './kernel-step.js';

export interface FitBenchResult {
  threads: number;
  fitSeconds: number;
  msPerStep: number;
  kernelMsPerStep: number;
  predictImagesPerSecond: number;
  testAccuracy: number;
  peakRssMb: number;
}

/** Trains one epoch with convkit's fit() on the native backend and measures predict(). */
export async function convkitFitEpoch(threads: number): Promise<FitBenchResult> {
  const backend = loadNativeBackend();
  setBackend(backend);
  backend.setThreads(threads);
  const kernelMsPerStep = timeSteps(makeStep(backend), 20, 200);
  const [[xTrainRaw, yTrainRaw], [xTestRaw, yTestRaw]] = await mnist.loadData();
  const xTrain = normalize(xTrainRaw);
  const xTest = normalize(xTestRaw);
  const yTrain = { data: Float32Array.from(yTrainRaw.data), shape: [yTrainRaw.data.length] };
  const yTest = { data: Float32Array.from(yTestRaw.data), shape: [yTestRaw.data.length] };
  setRandomSeed(0);
  const model = mnistCnn();
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const start = performance.now();
  await model.fit(xTrain, yTrain, { epochs: 1, batchSize: 64, verbose: 0 });
  const fitSeconds = (performance.now() - start) / 1000;
  const predictStart = performance.now();
  const probabilities = await model.predict(xTest, { batchSize: 32, verbose: 0 });
  const predictSeconds = (performance.now() - predictStart) / 1000;
  let correct = 0;
  for (let i = 0; i < yTest.data.length; i++) {
    const row = probabilities.data.subarray(i * 10, i * 10 + 10);
    if (row.indexOf(Math.max(...row)) === yTest.data[i]) correct++;
  }
  return {
    threads,
    fitSeconds,
    msPerStep: (fitSeconds * 1000) / Math.ceil(60000 / 64),
    kernelMsPerStep,
    predictImagesPerSecond: 10000 / predictSeconds,
    testAccuracy: correct / 10000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

interface TorchResult {
  fit_s: number;
  ms_per_step: number;
  predict_images_per_s: number;
  test_accuracy: number;
  max_rss_mb: number;
  torch: string;
}

function pytorchFitEpoch(threads: number): TorchResult | string {
  const python = '/usr/bin/python3';
  const script = join(dirname(fileURLToPath(import.meta.url)), 'pytorch_fit.py');
  if (!existsSync(python)) return 'skipped: /usr/bin/python3 not found';
  const r = spawnSync(python, [script, embeddedMnistDir(), String(threads), '1'], { encoding: 'utf8', timeout: 900_000 });
  if (r.status !== 0) return `skipped: ${(r.stderr || r.stdout || 'failed').trim().split('\n').pop()}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchResult;
}

/** Runs both sides for the given thread count and returns a markdown table with ratios. */
export async function runFitBench(threads = 2): Promise<string> {
  const ours = await convkitFitEpoch(threads);
  const torch = pytorchFitEpoch(threads);
  const lines = [
    `One MNIST epoch (60,000 images, 938 steps of 64, Adam) through fit(), then predict() on 10,000 images (batch 32); ${threads} threads.`,
    '',
    '| | convkit (native) | PyTorch | convkit / PyTorch |',
    '| --- | ---: | ---: | ---: |',
  ];
  const t = typeof torch === 'string' ? null : torch;
  const row = (name: string, a: number, b: number | undefined, digits: number) =>
    lines.push(
      `| ${name} | ${a.toFixed(digits)} | ${b === undefined ? 'n/a' : b.toFixed(digits)} | ${b === undefined ? '' : (a / b).toFixed(2)} |`,
    );
  row('epoch time (s)', ours.fitSeconds, t?.fit_s, 2);
  row('ms per step', ours.msPerStep, t?.ms_per_step, 2);
  row('predict (images/s)', ours.predictImagesPerSecond, t?.predict_images_per_s, 0);
  row('peak RSS (MB)', ours.peakRssMb, t?.max_rss_mb, 0);
  row('test accuracy after 1 epoch', ours.testAccuracy, t?.test_accuracy, 4);
  lines.push(
    '',
    `fit() overhead over the kernel-level step measured in the same run (${ours.kernelMsPerStep.toFixed(2)} ms): ` +
      `${((ours.msPerStep / ours.kernelMsPerStep - 1) * 100).toFixed(1)}% (data shuffling and batching, metrics, progress, callbacks).`,
  );
  if (typeof torch === 'string') lines.push('', `PyTorch ${torch}`);
  else lines.push('', `PyTorch ${torch.torch}, eager mode, NCHW.`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(await runFitBench(Number(process.argv[2] ?? 2)));
}
