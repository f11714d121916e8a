// Startup benchmark of the compiled package, as a user meets it: `convkit --help`, `import('convkit/node')`,
// `convkit predict model.keras one.png` end to end, beside `python3 -c "import torch"` and an empty `node` in the
// same run. Medians of several fresh processes (wall clock) and their peak RSS (/usr/bin/time). Builds dist/ first
// so the numbers are for the current sources.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { mnistCnn } from '../src/applications/seed-models.js';
import { mnist } from '../src/datasets/index.js';
import { saveModel } from '../src/io/keras-file.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TIME = '/usr/bin/time';

interface Sample {
  seconds: number;
  peakRssMb: number | null;
}

/** Runs a command once; wall time measured here, peak RSS from /usr/bin/time when present. Throws on failure. */
function runOnce(command: string, args: string[]): Sample {
  const timed = existsSync(TIME);
  const start = performance.now();
  const r = timed
    ? spawnSync(TIME, ['-f', '%M', command, ...args], { cwd: root, encoding: 'utf8' })
    : spawnSync(command, args, { cwd: root, encoding: 'utf8' });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim().slice(-400)}`);
  const rss = timed ? Number(r.stderr.trim().split('\n').pop()) : Number.NaN;
  return { seconds, peakRssMb: Number.isFinite(rss) ? rss / 1024 : null };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Case {
  name: string;
  command: string;
  args: string[];
  targetSeconds?: number;
}

/** Measures every case `runs` times, interleaved so that load changes hit all cases alike. */
export async function runStartupBench(runs = 7): Promise<string> {
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build-js.mjs')], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`the build failed: ${build.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), 'convkit-startup-'));
  try {
    const model = join(dir, 'model.keras');
    const image = join(dir, 'one.png');
    await saveModel(mnistCnn(), model);
    const [, [xTest]] = await mnist.loadData();
    await sharp(Buffer.from(xTest.data.subarray(0, 784)), { raw: { width: 28, height: 28, channels: 1 } })
      .png()
      .toFile(image);
    const python = '/usr/bin/python3';
    const hasTorch = existsSync(python) && spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
    const cases: Case[] = [
      { name: '`node -e ""` (Node itself)', command: process.execPath, args: ['-e', ''] },
      { name: '`convkit --help`', command: process.execPath, args: ['bin/convkit.js', '--help'], targetSeconds: 0.3 },
      {
        name: '`node -e "import(\'convkit/node\')"`',
        command: process.execPath,
        args: ['-e', "import('convkit/node')"],
        targetSeconds: 0.3,
      },
      {
        name: '`convkit predict model.keras one.png`',
        command: process.execPath,
        args: ['bin/convkit.js', 'predict', model, image],
        targetSeconds: 1,
      },
      ...(hasTorch ? [{ name: '`python3 -c "import torch"`', command: python, args: ['-c', 'import torch'] }] : []),
    ];
    const samples = new Map<Case, Sample[]>(cases.map((c) => [c, []]));
    const loadBefore = loadavg()[0]!;
    for (const c of cases) runOnce(c.command, c.args); // warm the file cache once
    for (let i = 0; i < runs; i++) for (const c of cases) samples.get(c)!.push(runOnce(c.command, c.args));
    const loadAfter = loadavg()[0]!;
    const torchCase = cases.find((c) => c.command === python);
    const torchSeconds = torchCase ? median(samples.get(torchCase)!.map((s) => s.seconds)) : null;
    const lines = [
      `Median of ${runs} fresh processes each (interleaved, after one warm-up round); load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after (2 cores).`,
      '',
      '| command | median (s) | min (s) | max (s) | target | met | vs `import torch` | peak RSS (MB) |',
      '| --- | ---: | ---: | ---: | ---: | :---: | ---: | ---: |',
    ];
    for (const c of cases) {
      const seconds = samples.get(c)!.map((s) => s.seconds);
      const rss = samples.get(c)!.map((s) => s.peakRssMb ?? Number.NaN);
      const m = median(seconds);
      const target = c.targetSeconds === undefined ? '' : `<= ${c.targetSeconds}`;
      const met = c.targetSeconds === undefined ? '' : m <= c.targetSeconds ? 'yes' : '**no**';
      const ratio = torchSeconds ? `${(m / torchSeconds).toFixed(2)}x` : 'n/a';
      lines.push(
        `| ${c.name} | ${m.toFixed(3)} | ${Math.min(...seconds).toFixed(3)} | ${Math.max(...seconds).toFixed(3)} | ${target} | ${met} | ${ratio} | ${median(rss).toFixed(0)} |`,
      );
    }
    if (!hasTorch)
      lines.push('', 'PyTorch: skipped (no `import torch` in /usr/bin/python3; Debian: apt-get install python3-torch).');
    return lines.join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(await runStartupBench(Number(process.argv[2] ?? 7)));
}
