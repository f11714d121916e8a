// Compiles src/ to dist/ (ESM JavaScript, .d.ts, source maps) with tsc and tsconfig.build.json; run by `npm run
// build`, and so by `prepare` (`npm ci` in a checkout, `npm pack`). It builds into a temporary folder and swaps
// it in only when tsc succeeds, so dist/ is never half-written and never keeps files of deleted sources.

import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const fresh = join(root, 'dist.building');
const old = join(root, 'dist.old');

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.error(
    'convkit build: TypeScript is not installed. It is a development dependency: run `npm ci` (or `npm install`) in the checkout first.',
  );
  process.exit(1);
}

rmSync(fresh, { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', fresh], {
  cwd: root,
  stdio: 'inherit',
});
if (result.status !== 0) {
  rmSync(fresh, { recursive: true, force: true });
  console.error(`convkit build: tsc failed (exit code ${result.status}); dist/ was left as it was.`);
  process.exit(1);
}
rmSync(old, { recursive: true, force: true });
if (existsSync(dist)) renameSync(dist, old);
renameSync(fresh, dist);
rmSync(old, { recursive: true, force: true });
