// Builds the native backend addon (build/Release/convkit_native.node) with node-gyp; run by `npm install`
// and `npm run build:native` (--force). It never fails the installation: when the build fails it prints one
// message saying convkit will use the reference backend and how to get native, then exits 0.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const output = join(root, 'build', 'Release', 'convkit_native.node');
const force = process.argv.includes('--force');

function newestSource() {
  const files = [join(root, 'binding.gyp'), ...readdirSync(join(root, 'native')).map((f) => join(root, 'native', f))];
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

function upToDate() {
  return existsSync(output) && statSync(output).mtimeMs > newestSource();
}

// Installed as a dependency, the addon is rebuilt with `npm rebuild convkit`; in a checkout, with the npm script.
const rebuild = root.split(sep).includes('node_modules') ? 'npm rebuild convkit' : 'npm run build:native';

function failure(reason) {
  console.warn(
    `convkit: the native backend was not built (${reason}). convkit will use the reference TypeScript backend, which is much slower. ` +
      `To get the native backend: apt-get install libdnnl-dev g++ make python3, then run \`${rebuild}\`.`,
  );
  process.exit(0);
}

if (!existsSync(join(root, 'native'))) failure('native/ sources are missing');
if (!force && upToDate()) process.exit(0);

let gyp;
try {
  gyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
} catch {
  failure('node-gyp is not installed');
}
const args = [gyp, 'rebuild'];
if (existsSync('/usr/include/node/node.h')) args.push('--nodedir=/usr');
args.push(`--jobs=${Math.max(1, Math.min(8, (await import('node:os')).availableParallelism()))}`);
const result = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (result.status !== 0 || !existsSync(output)) {
  const log = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
  const firstError = log.split('\n').find((line) => /error/i.test(line)) ?? `exit code ${result.status}`;
  if (process.env.CONVKIT_BUILD_VERBOSE) console.warn(log);
  failure(`the C++ build failed: ${firstError.trim().slice(0, 200)}; set CONVKIT_BUILD_VERBOSE=1 for the full log`);
}
console.log(`convkit: native backend built (${output}).`);
