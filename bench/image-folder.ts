// Image-folder input pipeline: one pass of imageDatasetFromDirectory over a folder of class subfolders (default
// ../shared/data/cats-dogs/train, 2,048 JPEGs) at 224x224 RGB, batch 32, beside torchvision's ImageFolder +
// DataLoader with 2 worker processes (bench/pytorch_image_folder.py) in the same run; then convkit's second epoch
// with cache() in memory and with cache(path) to a file. Each side runs in its own process; peak RSS is the
// largest sum over the process and its children (DataLoader workers are processes), sampled every 50 ms from
// /proc. Usage: tsx bench/image-folder.ts [folder]

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_FOLDER = join(root, '..', 'shared', 'data', 'cats-dogs', 'train');

/** Resident set size (kB) of `pid` plus all its descendants, from /proc. */
function treeRssKb(pid: number): number {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // The process ended while listing.
    }
  }
  let total = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      total += Number(match?.[1] ?? 0);
    } catch {
      // Gone.
    }
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

/** Runs a command, sampling its process tree's RSS; resolves with stdout and the peak (MB). */
function measured(command: string, args: string[]): Promise<{ stdout: string; peakRssMb: number }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setInterval(() => {
      if (child.pid) peak = Math.max(peak, treeRssKb(child.pid));
    }, 50);
    child.on('close', (code) => {
      clearInterval(timer);
      if (code === 0) resolve({ stdout, peakRssMb: peak / 1024 });
      else reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}): ${stderr.slice(-800)}`));
    });
  });
}

interface Pass {
  images: number;
  seconds: number;
}

export async function runImageFolderBench(folder = DEFAULT_FOLDER): Promise<string> {
  if (!existsSync(folder)) return `skipped: ${folder} not found (the shared data is expected beside the project).`;
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build-js.mjs')], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`the build failed: ${build.stderr}`);
  const temp = mkdtempSync(join(tmpdir(), 'convkit-image-bench-'));
  try {
    const pass = (epochs: number, cache: string) =>
      measured(process.execPath, [join(root, 'bench', 'image-folder-pass.mjs'), folder, '224', '224', String(epochs), cache]);
    const loadBefore = loadavg()[0]!;
    const plain = await pass(1, 'none');
    const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torchvision'], { encoding: 'utf8' }).status === 0;
    const torch = hasTorch
      ? await measured('/usr/bin/python3', [join(root, 'bench', 'pytorch_image_folder.py'), folder, '224', '224', '2', '32'])
      : null;
    const memory = await pass(2, 'memory');
    const file = await pass(2, join(temp, 'train.cache'));
    const fileReused = await pass(1, join(temp, 'train.cache'));
    const loadAfter = loadavg()[0]!;
    const [ours] = JSON.parse(plain.stdout) as Pass[];
    const [memory1, memory2] = JSON.parse(memory.stdout) as Pass[];
    const [file1, file2] = JSON.parse(file.stdout) as Pass[];
    const [reused] = JSON.parse(fileReused.stdout) as Pass[];
    const rate = (p: Pass) => p.images / p.seconds;
    const row = (what: string, p: Pass, rss: number) =>
      `| ${what} | ${p.images} | ${p.seconds.toFixed(2)} | ${rate(p).toFixed(0)} | ${rss.toFixed(0)} |`;
    const lines = [
      `One pass over ${folder.replace(`${join(root, '..')}/`, '../')} at 224x224 RGB, batch 32, shuffled. Load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after (2 cores).`,
      '',
      '| pipeline | images | seconds | images/s | peak RSS (MB) |',
      '| --- | ---: | ---: | ---: | ---: |',
      row('convkit `imageDatasetFromDirectory` (sharp on the libuv pool)', ours!, plain.peakRssMb),
    ];
    if (torch) {
      const t = JSON.parse(torch.stdout.trim().split('\n').pop()!) as { images: number; seconds: number };
      lines.push(row('torchvision `ImageFolder` + `DataLoader(num_workers=2)`', t, torch.peakRssMb));
      lines.push(
        '',
        `convkit / torchvision images/s: **${(rate(ours!) / rate(t)).toFixed(2)}** (target >= 1); peak RSS ratio ${(plain.peakRssMb / torch.peakRssMb).toFixed(2)}.`,
      );
    } else lines.push('', 'torchvision: skipped (no `import torchvision` in /usr/bin/python3).');
    lines.push(
      '',
      '| convkit with a cache | epoch 1 images/s | epoch 2 images/s | peak RSS (MB) |',
      '| --- | ---: | ---: | ---: |',
      `| \`cache()\` (memory, uint8) | ${rate(memory1!).toFixed(0)} | ${rate(memory2!).toFixed(0)} | ${memory.peakRssMb.toFixed(0)} |`,
      `| \`cache(path)\` (file written in epoch 1) | ${rate(file1!).toFixed(0)} | ${rate(file2!).toFixed(0)} | ${file.peakRssMb.toFixed(0)} |`,
      `| \`cache(path)\`, a later run reusing the file | ${rate(reused!).toFixed(0)} | | ${fileReused.peakRssMb.toFixed(0)} |`,
    );
    return lines.join('\n');
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(await runImageFolderBench(process.argv[2]));
}
