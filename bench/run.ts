// `npm run bench`: every benchmark in one run, printed as markdown (copy into docs/benchmarks.md with the machine).
// CONVKIT_BENCH_THREADS (default 2) sets the fit benchmark's threads; CONVKIT_BENCH_MAIN_EPOCHS (default 5),
// CONVKIT_BENCH_MAIN_LIMIT (default: all 60,000 images) and CONVKIT_BENCH_MAIN_THREADS (default 1) the main job's.

import { cpus, loadavg } from 'node:os';
import { runBusyMachineBench } from './busy-machine.js';
import { busyThreadModes } from './busy-thread-modes.js';
import { runEvaluationBench } from './evaluation.js';
import { runFitBench } from './fit-epoch.js';
import { runImageFolderBench } from './image-folder.js';
import { runKernelStepBench } from './kernel-step.js';
import { runMainJobMemoryBench } from './main-job-memory.js';
import { runMobileNetV2Bench } from './mobilenet-v2.js';
import { runServeLoadBench } from './serve-load.js';
import { runStartupBench } from './startup.js';

const threads = Number(process.env.CONVKIT_BENCH_THREADS ?? 2);
// Checked before any benchmark runs: the busy-machine one is last.
const repeats = Number(process.env.CONVKIT_BENCH_REPEATS ?? 1);
if (!(Number.isInteger(repeats) && repeats >= 1)) {
  console.error(
    `bench: invalid 'CONVKIT_BENCH_REPEATS'. Expected a positive integer, received ${process.env.CONVKIT_BENCH_REPEATS}.`,
  );
  process.exit(2);
}
const mainEpochs = Number(process.env.CONVKIT_BENCH_MAIN_EPOCHS ?? 5);
const mainLimit = process.env.CONVKIT_BENCH_MAIN_LIMIT ? Number(process.env.CONVKIT_BENCH_MAIN_LIMIT) : undefined;
const mainThreads = Number(process.env.CONVKIT_BENCH_MAIN_THREADS ?? 1);
console.log(
  `# convkit benchmarks\n\nMachine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} logical cores, Node ${process.version}; ` +
    `load average ${loadavg()[0]!.toFixed(2)} at start.\n`,
);
console.log('## Startup of the compiled package\n');
console.log(await runStartupBench());
console.log("\n## The main job's peak memory vs PyTorch\n");
console.log(await runMainJobMemoryBench(mainEpochs, mainLimit, mainThreads));
console.log('\n## Kernel-level training step\n');
console.log(await runKernelStepBench());
console.log('\n## fit() epoch and predict() vs PyTorch\n');
console.log(await runFitBench(threads));
console.log('\n## Image-folder input pipeline vs torchvision\n');
console.log(await runImageFolderBench());
console.log('\n## Evaluation: the full classifier report vs evaluate() and sklearn\n');
console.log(await runEvaluationBench(threads));
console.log('\n## MobileNetV2 0.35 (Teachable Machine) inference and fine-tuning step vs PyTorch\n');
console.log(await runMobileNetV2Bench(threads));
console.log('\n## convkit serve under load (dynamic batching)\n');
console.log(await runServeLoadBench());
console.log('\n## Training step on a busy machine\n');
console.log(await runBusyMachineBench(repeats));
console.log('\n## One thread beside two busy processes, however the count was set\n');
console.log('```');
console.log(await busyThreadModes(10));
console.log('```');
