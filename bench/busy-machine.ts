// Busy-machine benchmark: the MNIST CNN training step (bench/kernel-step.ts's makeStep, batch 64) while the
// benchmark itself keeps 0, 1 and 2 other processes spinning (`node -e 'for(;;){}'`, stopped before it
// returns), side by side with PyTorch (bench/pytorch_step.py) under the same load. convkit runs at 1 thread,
// at every processor, and with the adaptive default (the ThreadTuner that fit() uses, timed from its first step,
// exploration and re-checks included). Each row notes the load average (`uptime`) when it started; the load
// average counts the busy processes and the benchmark itself, so an idle machine shows about 1 + busy.
// Usage: npx tsx bench/busy-machine.ts [--repeats N]  (also part of `npm run bench`).

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend } from '../src/backend/backend.js';
import { loadNativeBackend } from '../src/backend/native.js';
import { ThreadTuner } from '../src/backend/thread-tuner.js';
import { makeStep } from './kernel-step.js';

interface Stats {
  median: number;
  mean: number;
  steps: number;
}

interface Row {
  busy: number;
  load: string;
  one: Stats;
  all: Stats;
  adaptive: Stats & { chosen: string };
  torch: Record<string, Stats> | string;
}

/** convkit runs ROUNDS rounds of [ADAPTIVE_BLOCK adaptive steps, ONE_BLOCK at 1 thread, up to ALL_BLOCK at all
 *  threads (cut after ALL_SECONDS: beside busy processes a 2-thread step can take a second)], so the three see the
 *  same load; PyTorch runs after, up to TORCH_STEPS steps or TORCH_SECONDS per thread count. */
const ROUNDS = 10;
const ADAPTIVE_BLOCK = 40;
const ONE_BLOCK = 20;
const ALL_BLOCK = 20;
const ALL_SECONDS = 2;
const SETTLE_STEPS = 5;
const TORCH_STEPS = 100;
const TORCH_SECONDS = 12;

function stats(times: number[]): Stats {
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[sorted.length >> 1]!, mean: times.reduce((a, b) => a + b, 0) / times.length, steps: times.length };
}

/** Starts `count` processes that spin on a core each; stopBusy ends them (also on exit and Ctrl-C). */
function startBusy(count: number): ChildProcess[] {
  return Array.from({ length: count }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
}
function stopBusy(children: ChildProcess[]): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

const loadText = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');

/** Milliseconds of `run()`. */
function timed(run: () => void): number {
  const t0 = performance.now();
  run();
  return performance.now() - t0;
}

/**
 * convkit at 1 thread, at every processor and with the adaptive default (one fresh ThreadTuner across the rounds,
 * as fit() runs it, exploration and re-checks included), in interleaved blocks. The first step of each block
 * (a switch of thread count) is not counted in any column, and SETTLE_STEPS untimed 1-thread steps follow each
 * 2-thread block.
 */
function measureConvkit(native: Backend, step: () => void, procs: number): Pick<Row, 'one' | 'all' | 'adaptive'> {
  native.setThreads('auto');
  const tuner = new ThreadTuner({ candidates: native.autoThreadCandidates(), apply: (n) => native.applyAutoThreads(n) });
  const adaptiveStep = () => {
    tuner.begin();
    step();
    tuner.end();
  };
  const one: number[] = [];
  const all: number[] = [];
  const adaptive: number[] = [];
  const used = new Map<number, number>();
  const adaptiveBlock = () => {
    adaptiveStep();
    for (let i = 0; i < ADAPTIVE_BLOCK; i++) {
      adaptive.push(timed(adaptiveStep));
      used.set(native.getThreads(), (used.get(native.getThreads()) ?? 0) + 1);
    }
  };
  const oneBlock = () => {
    native.applyAutoThreads(1);
    step();
    for (let i = 0; i < ONE_BLOCK; i++) one.push(timed(step));
  };
  const allBlock = () => {
    native.applyAutoThreads(procs);
    step();
    const start = performance.now();
    for (let i = 0; i < ALL_BLOCK && performance.now() - start < ALL_SECONDS * 1000; i++) all.push(timed(step));
    // Untimed 1-thread steps, so neither other column starts in the 2-thread block's aftermath (workers still
    // spinning, our thread moved onto the busy process's core).
    native.applyAutoThreads(1);
    for (let i = 0; i < SETTLE_STEPS; i++) step();
  };
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which of adaptive / 1 thread goes first, so neither is always the one after the other.
    if (r % 2 === 0) {
      adaptiveBlock();
      oneBlock();
    } else {
      oneBlock();
      adaptiveBlock();
    }
    allBlock();
  }
  const chosen = [...used.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([t, n]) => `${t}t x${n}`)
    .join(', ');
  return { one: stats(one), all: stats(all), adaptive: { ...stats(adaptive), chosen } };
}

function pytorch(threads: number[]): Record<string, Stats> | string {
  const python = '/usr/bin/python3';
  const script = join(dirname(fileURLToPath(import.meta.url)), 'pytorch_step.py');
  if (!existsSync(python)) return 'skipped: /usr/bin/python3 not found';
  const args = [script, '--stats', '--warmup', '5', '--steps', String(TORCH_STEPS), '--max-seconds', String(TORCH_SECONDS)];
  args.push(...threads.map(String));
  const r = spawnSync(python, args, { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) return `skipped: ${(r.stderr || r.stdout || 'failed').trim().split('\n').pop()}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, Stats>;
}

const cell = (s: Stats) => `${s.median.toFixed(1)} (${s.mean.toFixed(1)}) [${s.steps}]`;

/** Runs every load level `repeats` times; returns a markdown table and notes. */
export async function runBusyMachineBench(repeats = 1): Promise<string> {
  const native = loadNativeBackend();
  const procs = availableParallelism();
  const step = makeStep(native);
  for (const t of [1, procs]) {
    native.setThreads(t);
    for (let i = 0; i < 5; i++) step(); // build every count's plans before timing anything
  }
  const rows: Row[] = [];
  const everyBusy: ChildProcess[] = [];
  const stopAll = () => stopBusy(everyBusy);
  process.once('exit', stopAll);
  const onSignal = () => {
    stopAll();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  try {
    for (let r = 0; r < repeats; r++) {
      for (const busy of [0, 1, 2]) {
        const children = startBusy(busy);
        everyBusy.push(...children);
        try {
          await new Promise((resolve) => setTimeout(resolve, 300));
          const load = loadText();
          const convkit = measureConvkit(native, step, procs);
          const torch = pytorch([1, procs]);
          rows.push({ busy, load, ...convkit, torch });
        } finally {
          stopBusy(children);
        }
      }
    }
  } finally {
    stopAll();
    process.removeListener('exit', stopAll);
    process.removeListener('SIGINT', onSignal);
    native.setThreads('auto');
  }
  const lines = [
    `MNIST CNN training step, batch 64, ms/step as median (mean) [steps timed]; ${procs} processors. convkit: ${ROUNDS} ` +
      `interleaved rounds of ${ADAPTIVE_BLOCK} adaptive, ${ONE_BLOCK} 1-thread and up to ${ALL_BLOCK} ${procs}-thread steps (at most ` +
      `${ALL_SECONDS} s); PyTorch after, up to ${TORCH_STEPS} steps or ${TORCH_SECONDS} s per count.`,
    '',
    `| busy processes | load average at start | convkit 1 thread | convkit ${procs} threads | convkit adaptive (threads used) | PyTorch 1 thread | PyTorch ${procs} threads (its default) | adaptive / PyTorch default | adaptive / convkit 1 thread |`,
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const t = typeof row.torch === 'string' ? null : row.torch;
    const torch1 = t?.['1'];
    const torchAll = t?.[String(procs)];
    const vsTorch = torchAll
      ? `${(row.adaptive.median / torchAll.median).toFixed(2)} (${(row.adaptive.mean / torchAll.mean).toFixed(2)})`
      : '';
    const vsOne = `${(row.adaptive.median / row.one.median).toFixed(2)} (${(row.adaptive.mean / row.one.mean).toFixed(2)})`;
    lines.push(
      `| ${row.busy} | ${row.load} | ${cell(row.one)} | ${cell(row.all)} | ${cell(row.adaptive)} (${row.adaptive.chosen}) | ${torch1 ? cell(torch1) : 'n/a'} | ${torchAll ? cell(torchAll) : 'n/a'} | ${vsTorch} | ${vsOne} |`,
    );
  }
  const skipped = rows.find((r) => typeof r.torch === 'string')?.torch;
  if (skipped) lines.push('', `PyTorch ${skipped}`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf('--repeats');
  const repeats = at > 0 ? Number(process.argv[at + 1]) : 1;
  if (!(Number.isInteger(repeats) && repeats >= 1)) {
    console.error(`busy-machine: invalid '--repeats'. Expected a positive integer, received ${process.argv[at + 1]}.`);
    process.exit(2);
  }
  console.log(await runBusyMachineBench(repeats));
}
