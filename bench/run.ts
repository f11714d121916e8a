// `npm run bench`: every benchmark in one run, printed as markdown (copy into docs/benchmarks.md with the machine).

import { cpus } from 'node:os';
import { runBusyMachineBench } from './busy-machine.js';
import { runFitBench } from './fit-epoch.js';
import { runKernelStepBench } from './kernel-step.js';

const threads = Number(process.env.CONVKIT_BENCH_THREADS ?? 2);
console.log(
  `# convkit benchmarks\n\nMachine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} logical cores, Node ${process.version}.\n`,
);
console.log('## Kernel-level training step\n');
console.log(await runKernelStepBench());
console.log('\n## fit() epoch and predict() vs PyTorch\n');
console.log(await runFitBench(threads));
console.log('\n## Training step on a busy machine\n');
console.log(await runBusyMachineBench(Number(process.env.CONVKIT_BENCH_REPEATS ?? 1)));
