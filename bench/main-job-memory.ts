// Peak memory of the README's main job (`convkit train`, MNIST CNN, batch 64, Adam, then the test-set evaluation)
// beside the same training in PyTorch (bench/pytorch_fit.py), both under `/usr/bin/time -v` in the same run:
// maximum resident set size and wall time of the whole process. Runs the compiled CLI (builds dist/ first).
// Usage: tsx bench/main-job-memory.ts [epochs=5] [limit] [threads=1]

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { embeddedMnistDir } from '../src/datasets/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Measured {
  peakRssMb: number;
  wallSeconds: number;
  output: string;
}

/** Runs a command under `/usr/bin/time -v` and reads its peak RSS and wall time. Throws on failure. */
function timeV(command: string, args: string[]): Measured {
  const r = spawnSync('/usr/bin/time', ['-v', command, ...args], { cwd: root, encoding: 'utf8', timeout: 3_600_000 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.slice(-600)}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr);
  if (!rss || !wall) throw new Error(`could not read /usr/bin/time -v output:\n${r.stderr.slice(-600)}`);
  const wallSeconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  return { peakRssMb: Number(rss[1]) / 1024, wallSeconds, output: r.stdout };
}

export async function runMainJobMemoryBench(epochs = 5, limit?: number, threads = 1): Promise<string> {
  if (!existsSync('/usr/bin/time')) return 'skipped: /usr/bin/time not found (Debian: apt-get install time).';
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build-js.mjs')], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`the build failed: ${build.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), 'convkit-main-job-'));
  try {
    const common = ['--epochs', String(epochs), '--batch-size', '64', '--seed', '42', '--threads', String(threads)];
    const args = ['bin/convkit.js', 'train', '--dataset', 'mnist', '--model', 'mnist-cnn', ...common];
    if (limit !== undefined) args.push('--limit', String(limit));
    const loadBefore = loadavg()[0]!;
    const ours = timeV(process.execPath, [...args, '--out', join(dir, 'mnist-cnn.keras')]);
    const accuracy = /test accuracy: ([\d.]+)%/.exec(ours.output)?.[1] ?? '?';
    const torchArgs = [join(root, 'bench', 'pytorch_fit.py'), embeddedMnistDir(), String(threads), String(epochs)];
    if (limit !== undefined) torchArgs.push(String(limit));
    const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
    const torch = hasTorch ? timeV('/usr/bin/python3', torchArgs) : null;
    const torchAccuracy = torch
      ? (JSON.parse(torch.output.trim().split('\n').pop()!) as { test_accuracy: number }).test_accuracy
      : null;
    const loadAfter = loadavg()[0]!;
    const what = `${epochs} epoch${epochs > 1 ? 's' : ''} on ${limit ?? '60,000'} MNIST images at batch 64 (Adam), then the 10,000 test images; ${threads} thread${threads > 1 ? 's' : ''}`;
    const lines = [
      `${what}. Load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after (2 cores).`,
      '',
      '| process | peak RSS (MB) | wall time (s) | test accuracy |',
      '| --- | ---: | ---: | ---: |',
      `| \`convkit train\` (compiled CLI, native) | ${ours.peakRssMb.toFixed(0)} | ${ours.wallSeconds.toFixed(1)} | ${accuracy}% |`,
    ];
    if (torch) {
      lines.push(
        `| PyTorch (\`bench/pytorch_fit.py\`) | ${torch.peakRssMb.toFixed(0)} | ${torch.wallSeconds.toFixed(1)} | ${(100 * torchAccuracy!).toFixed(2)}% |`,
        '',
        `convkit / PyTorch peak RSS: **${(ours.peakRssMb / torch.peakRssMb).toFixed(2)}** (target <= 1).`,
      );
    } else lines.push('', 'PyTorch: skipped (no `import torch` in /usr/bin/python3; Debian: apt-get install python3-torch).');
    return lines.join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [epochs, limit, threads] = process.argv.slice(2).map(Number);
  console.log(await runMainJobMemoryBench(epochs || 5, limit || undefined, threads || 1));
}
