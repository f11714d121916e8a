// MobileNetV2 alpha 0.35 at 224x224 (every Teachable Machine export's network): inference images/s at batch 32 and
// one fine-tuning step at batch 32 (base frozen, the last 5 layers trainable: Conv_1, Conv_1_bn, out_relu, pooling,
// Dense), side by side with torchvision's mobilenet_v2(width_mult=0.35) + the same head and freezing
// (bench/pytorch_mobilenet.py) in the same run, random data. Also where convkit's inference time goes, by layer type.
// Run alone: npx tsx bench/mobilenet-v2.ts [threads] [steps]

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MobileNetV2 } from '../src/applications/mobilenet-v2.js';
import { loadNativeBackend } from '../src/backend/native.js';
import { setBackend } from '../src/backend/registry.js';
import { freeze, unfreeze } from '../src/fine-tuning/freezing.js';
import { addClassifier } from '../src/fine-tuning/surgery.js';
import type { CallContext, Layer } from '../src/layers/layer.js';
import type { Tensor } from '../src/tensor.js';
import { Adam } from '../src/training/optimizers/adam.js';
import { setRandomSeed } from '../src/training/seed.js';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Side {
  inferMs: number;
  imagesPerSecond: number;
  stepMs: number;
}

/** Milliseconds per inference call, grouped by layer class (className -> total), for one batch. */
function layerProfile(layers: Layer[], run: () => void): Map<string, number> {
  const totals = new Map<string, number>();
  const originals = layers.map((layer) => layer.forward);
  layers.forEach((layer, i) => {
    const forward = originals[i]!;
    layer.forward = (inputs: Tensor[], ctx: CallContext) => {
      const t0 = performance.now();
      const out = forward.call(layer, inputs, ctx);
      totals.set(layer.className, (totals.get(layer.className) ?? 0) + performance.now() - t0);
      return out;
    };
  });
  try {
    run();
  } finally {
    layers.forEach((layer, i) => {
      layer.forward = originals[i]!;
    });
  }
  return totals;
}

interface ConvkitSide extends Side {
  profile: Map<string, number>;
  alternatingMsPerImage: number;
  groupedMsPerImage: number;
}

async function convkitSide(threads: number, steps: number): Promise<ConvkitSide> {
  const backend = loadNativeBackend();
  setBackend(backend);
  backend.setThreads(threads);
  setRandomSeed(0);
  const base = await MobileNetV2({ alpha: 0.35, includeTop: false, pooling: 'avg', weights: null });
  const model = addClassifier(base, 2);
  const x: Tensor = { data: Float32Array.from({ length: 32 * 224 * 224 * 3 }, (_, i) => Math.sin(i)), shape: [32, 224, 224, 3] };
  const y: Tensor = { data: Float32Array.from({ length: 32 }, (_, i) => i % 2), shape: [32] };
  await model.predictOnBatch(x);
  const infer: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await model.predictOnBatch(x);
    infer.push(performance.now() - t0);
  }
  // A server's batches change size (greedy batching forms 1, 2, 4 ...). The same calls, once taking turns (4, 2, 1,
  // 4, 2, 1 ...) and once grouped by size: any difference is the cost of changing batch size itself.
  const rowsOf = (n: number): Tensor => ({ data: x.data.subarray(0, n * 224 * 224 * 3), shape: [n, 224, 224, 3] });
  const msPerImage = async (sizes: number[]) => {
    const t0 = performance.now();
    for (const n of sizes) await model.predictOnBatch(rowsOf(n));
    return (performance.now() - t0) / sizes.reduce((a, b) => a + b, 0);
  };
  const turns = Array.from({ length: steps }, () => [4, 2, 1]).flat();
  const alternatingMsPerImage = await msPerImage(turns);
  const groupedMsPerImage = await msPerImage([...turns].sort((a, b) => b - a));
  const layers = model.layers;
  const profile = layerProfile(layers, () => {
    model.forward([x], { backend, training: false, needsInputGrad: false, rng: { seed: 0, offset: 0 } });
  });
  freeze(model);
  unfreeze(model, { last: 5 });
  model.compile({ optimizer: new Adam(1e-5), loss: 'sparseCategoricalCrossentropy' });
  await model.trainOnBatch(x, y);
  const train: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await model.trainOnBatch(x, y);
    train.push(performance.now() - t0);
  }
  const inferMs = median(infer);
  return { inferMs, imagesPerSecond: 32_000 / inferMs, stepMs: median(train), profile, alternatingMsPerImage, groupedMsPerImage };
}

function pytorchSide(threads: number, steps: number): (Side & { torch: string }) | string {
  const python = '/usr/bin/python3';
  const script = join(dirname(fileURLToPath(import.meta.url)), 'pytorch_mobilenet.py');
  if (!existsSync(python)) return 'skipped: /usr/bin/python3 not found';
  const r = spawnSync(python, [script, String(threads), String(steps)], { encoding: 'utf8', timeout: 900_000 });
  if (r.status !== 0) return `skipped: ${(r.stderr || r.stdout || 'failed').trim().split('\n').pop()}`;
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    infer_ms: number;
    images_per_s: number;
    step_ms: number;
    torch: string;
  };
  return { inferMs: out.infer_ms, imagesPerSecond: out.images_per_s, stepMs: out.step_ms, torch: out.torch };
}

/** Both sides with the same threads; a markdown table with ratios (target: convkit <= 0.5x PyTorch's time). */
export async function runMobileNetV2Bench(threads = 2, steps = 10): Promise<string> {
  const loadBefore = loadavg()[0]!;
  const ours = await convkitSide(threads, steps);
  const torch = pytorchSide(threads, steps);
  const t = typeof torch === 'string' ? null : torch;
  const lines = [
    `MobileNetV2 alpha 0.35, 224x224, batch 32, ${threads} threads, median of ${steps}; load average ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after.`,
    '',
    '| | convkit (native) | PyTorch | convkit / PyTorch (time) |',
    '| --- | ---: | ---: | ---: |',
    `| inference, ms per batch of 32 | ${ours.inferMs.toFixed(1)} | ${t ? t.inferMs.toFixed(1) : 'n/a'} | ${t ? (ours.inferMs / t.inferMs).toFixed(2) : ''} |`,
    `| inference, images/s | ${ours.imagesPerSecond.toFixed(1)} | ${t ? t.imagesPerSecond.toFixed(1) : 'n/a'} | |`,
    `| fine-tuning step (last 5 layers), ms | ${ours.stepMs.toFixed(1)} | ${t ? t.stepMs.toFixed(1) : 'n/a'} | ${t ? (ours.stepMs / t.stepMs).toFixed(2) : ''} |`,
    '',
    `convkit at changing batch sizes, the same ${3 * steps} calls taking turns (4, 2, 1, 4, 2, 1 ...) vs grouped by size: ${ours.alternatingMsPerImage.toFixed(2)} vs ${ours.groupedMsPerImage.toFixed(2)} ms per image.`,
    '',
    "convkit's inference time by layer type (one batch of 32):",
    '',
    '| layer type | ms | share |',
    '| --- | ---: | ---: |',
  ];
  const total = [...ours.profile.values()].reduce((a, b) => a + b, 0);
  for (const [name, ms] of [...ours.profile.entries()].sort((a, b) => b[1] - a[1])) {
    lines.push(`| ${name} | ${ms.toFixed(1)} | ${((100 * ms) / total).toFixed(1)}% |`);
  }
  lines.push(
    '',
    typeof torch === 'string' ? `PyTorch ${torch}` : `PyTorch ${torch.torch}, eager mode, NCHW, torchvision mobilenet_v2.`,
  );
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(await runMobileNetV2Bench(Number(process.argv[2] ?? 2), Number(process.argv[3] ?? 10)));
}
