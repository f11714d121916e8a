// Busy-machine follow-up: is a 1-thread step slower when the count was chosen by the adaptive default, or after a
// 2-thread step, than when it is fixed with setThreads(1)? Beside 2 spinning processes (started and killed here)
// it runs rounds of four 30-step blocks, each block's median printed per round, then the median over rounds:
// fixed 1 thread; adaptive default applying 1 (never 2); adaptive applying 1 right after 2 steps at 2 threads;
// fixed 1 right after 2 steps fixed at 2. Usage: npx tsx bench/busy-thread-modes.ts [--rounds N] (default 10).

import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadNativeBackend } from '../src/backend/native.js';
import { makeStep } from './kernel-step.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

export async function busyThreadModes(rounds: number): Promise<string> {
  const b = loadNativeBackend();
  const step = makeStep(b);
  const block = (n: number): number => {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const start = performance.now();
      step();
      times.push(performance.now() - start);
    }
    return median(times);
  };
  const busy = [0, 1].map(() => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  const stop = () => {
    for (const p of busy) p.kill('SIGKILL');
  };
  process.once('SIGINT', () => {
    stop();
    process.exit(130);
  });
  const load = loadavg()
    .map((v) => v.toFixed(2))
    .join(', ');
  const modes: Record<string, number[]> = {
    'fixed 1': [],
    'adaptive 1 (never 2)': [],
    'adaptive 1 after 2': [],
    'fixed 1 after 2': [],
  };
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (let round = 0; round < rounds; round++) {
      b.setThreads(1);
      modes['fixed 1']!.push(block(30));
      b.setThreads('auto');
      b.applyAutoThreads(1);
      modes['adaptive 1 (never 2)']!.push(block(30));
      b.applyAutoThreads(2);
      block(2);
      b.applyAutoThreads(1);
      modes['adaptive 1 after 2']!.push(block(30));
      b.setThreads(2);
      block(2);
      b.setThreads(1);
      modes['fixed 1 after 2']!.push(block(30));
    }
  } finally {
    stop();
    b.setThreads('auto');
  }
  const lines = [`2 busy processes, load average at start ${load}; ms per step, block medians per round`];
  for (const [mode, values] of Object.entries(modes)) {
    lines.push(
      `${mode.padEnd(22)} median ${median(values).toFixed(1).padStart(5)} | ${values.map((v) => v.toFixed(1)).join(' ')}`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf('--rounds');
  const rounds = at > 0 ? Number(process.argv[at + 1]) : 10;
  if (!Number.isInteger(rounds) || rounds < 1) {
    console.error(`busy-thread-modes: invalid '--rounds'. Expected a positive integer, received ${process.argv[at + 1]}.`);
    process.exit(2);
  }
  console.log(await busyThreadModes(rounds));
}
