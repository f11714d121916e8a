// The package as a stranger gets it: `npm pack`, install the tarball into a fresh project (npm 11's strict install-
// script policy, with the approvals the README tells users to give), then use it there with plain `node`, `tsc
// --strict`, esbuild and `npx convkit`. Run by .ci/run (`npm run test:consumer`), not by `npm test`: it needs the
// npm registry and builds the native addon once more (about two minutes).

import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixture');
const work = mkdtempSync(join(tmpdir(), 'convkit-package-'));
const project = join(work, 'consumer');
const installed = join(project, 'node_modules', 'convkit');
const addon = join(installed, 'build', 'Release', 'convkit_native.node');

function run(command: string, args: string[], cwd: string, timeout = 600_000): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, CONVKIT_BACKEND: '' } });
  if (result.error) throw result.error;
  return result;
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
  assert.equal(result.status, 0, `${what} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

let packedFiles: string[] = [];

describe('convkit as an installed package', () => {
  before(() => {
    const packed = JSON.parse(ok(run('npm', ['pack', '--json', '--pack-destination', work], repo), 'npm pack')) as {
      filename: string;
      files: { path: string }[];
    }[];
    const tarball = join(work, packed[0]!.filename);
    packedFiles = packed[0]!.files.map((f) => f.path);
    mkdirSync(project);
    // What `npm install-scripts approve convkit sharp` writes after installing a tarball (README, "In another project").
    const manifest = {
      name: 'convkit-consumer',
      private: true,
      type: 'module',
      allowScripts: { [`file:${tarball}`]: true, sharp: true },
    };
    writeFileSync(join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    ok(
      run('npm', ['install', '--strict-allow-scripts', '--no-audit', '--no-fund', tarball, '@types/node@20'], project),
      'npm install of the tarball',
    );
    for (const name of [
      'train-native.mjs',
      'consumer.ts',
      'browser.js',
      'browser-types.ts',
      'tsconfig.json',
      'tsconfig.browser.json',
    ]) {
      cpSync(join(fixture, name), join(project, name));
    }
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('the tarball holds the compiled package, the native sources and nothing for development', () => {
    for (const needed of [
      'package.json',
      'README.md',
      'LICENSE',
      'bin/convkit.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/index.js.map',
      'dist/node.js',
      'dist/node.d.ts',
      'dist/cli/main.js',
      'dist/serve/inference-worker.js',
      'web/index.html',
      'binding.gyp',
      'native/addon.cc',
      'scripts/build-native.mjs',
    ]) {
      assert.ok(packedFiles.includes(needed), `${needed} is missing from the tarball`);
    }
    const unwanted = packedFiles.filter(
      (f) =>
        /^(src|test|bench|docs|examples|build|node_modules|\.ci)\//.test(f) || /^tsconfig|^scripts\/(?!build-native)/.test(f),
    );
    assert.deepEqual(unwanted, []);
  });

  test('installing built the native addon, and no TypeScript loader came with it', () => {
    assert.ok(existsSync(addon), `${addon} was not built by the install script`);
    assert.ok(!existsSync(join(project, 'node_modules', 'tsx')), 'tsx was installed: it must stay a development dependency');
  });

  test('plain node: build, fit, save and loadModel on the native backend, identical predictions after reload', () => {
    const result = run(process.execPath, ['train-native.mjs'], project);
    const out = JSON.parse(ok(result, 'node train-native.mjs').trim()) as {
      backend: string;
      addonMapped: boolean;
      onednnMapped: boolean;
      loss: number[];
      values: number;
      firstRow: number[];
      differing: number;
    };
    assert.doesNotMatch(result.stderr, /not available/);
    assert.equal(out.backend, 'native');
    assert.ok(out.addonMapped && out.onednnMapped, 'the addon and oneDNN must be loaded into the process');
    assert.equal(out.loss.length, 8);
    assert.ok(out.loss.every(Number.isFinite), `losses ${out.loss}`);
    assert.ok(out.loss.at(-1)! < out.loss[0]!, `training did not lower the loss: ${out.loss}`);
    assert.equal(out.values, 64 * 2);
    assert.ok(Math.abs(out.firstRow[0]! + out.firstRow[1]! - 1) < 1e-5, `softmax row ${out.firstRow}`);
    assert.equal(out.differing, 0, 'predictions changed after save and loadModel');
  });

  test('tsc --strict type-checks a consumer file against the shipped .d.ts', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const result = run(process.execPath, [tsc, '-p', 'tsconfig.json'], project);
    assert.equal(result.status, 0, `tsc failed:\n${result.stdout}\n${result.stderr}`);
    // The browser-safe entry's types check in a browser setting: DOM types, no @types/node.
    const browser = run(process.execPath, [tsc, '-p', 'tsconfig.browser.json'], project);
    assert.equal(browser.status, 0, `tsc (browser settings) failed:\n${browser.stdout}\n${browser.stderr}`);
  });

  test("esbuild bundles a browser script importing 'convkit', and the bundle runs without Node", async () => {
    const bundle = await build({
      entryPoints: [join(project, 'browser.js')],
      absWorkingDir: project,
      bundle: true,
      platform: 'browser',
      format: 'iife',
      write: false,
      logLevel: 'silent',
    });
    const code = bundle.outputFiles[0]!.text;
    assert.doesNotMatch(code, /\brequire\(|from\s*["']node:/);
    const context: { convkitResult?: Promise<{ backend: string; shape: number[]; data: number[] }> } = {};
    runInNewContext(code, context);
    const result = await context.convkitResult!;
    assert.equal(result.backend, 'reference');
    assert.deepEqual(Array.from(result.shape), [2, 3]); // an array from the other realm
    for (const row of [result.data.slice(0, 3), result.data.slice(3)]) {
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5, `softmax row ${row}`);
    }
  });

  test('npx convkit: --help, and a short training run on the native backend', () => {
    const help = ok(run('npx', ['convkit', '--help'], project), 'npx convkit --help');
    for (const command of ['train', 'evaluate', 'predict', 'summary']) assert.match(help, new RegExp(`\\b${command}\\b`));
    const train = run(
      'npx',
      ['convkit', 'train', '--model', 'mlp', '--epochs', '1', '--limit', '600', '--out', 'mlp.keras'],
      project,
    );
    assert.match(ok(train, 'npx convkit train'), /with the native backend/);
    assert.ok(existsSync(join(project, 'mlp.keras')));
  });

  test('convkit serve: the page and :predict from the installed package (web/ and the worker ship)', async () => {
    const child = spawn(
      process.execPath,
      [join(installed, 'bin', 'convkit.js'), 'serve', 'mlp.keras', '--name', 'mlp', '--port', '0'],
      { cwd: project },
    );
    try {
      const url = await new Promise<string>((resolvePromise, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
          if (match) resolvePromise(match[1]!);
        });
        child.stderr.on('data', (chunk: Buffer) => {
          out += chunk.toString();
        });
        child.once('exit', (code) => reject(new Error(`convkit serve exited (${code}): ${out}`)));
      });
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<script type="module" src="app\.js">/);
      assert.equal((await fetch(`${url}/app.js`)).status, 200);
      const zeros = Array.from({ length: 28 }, () => Array.from({ length: 28 }, () => [0]));
      const answer = await fetch(`${url}/v1/models/mlp:predict`, {
        method: 'POST',
        body: JSON.stringify({ instances: [zeros] }),
      });
      assert.equal(answer.status, 200, await answer.clone().text());
      const row = ((await answer.json()) as { predictions: number[][] }).predictions[0]!;
      assert.equal(row.length, 10);
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5, `softmax row ${row}`);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });

  test('without the addon, convkit says once what it falls back to and that `npm rebuild convkit` builds it', () => {
    const hidden = `${addon}.hidden`;
    renameSync(addon, hidden);
    try {
      const code = "const c = await import('convkit/node'); c.getBackend(); c.getBackend(); console.log(c.getBackend().name);";
      const result = run(process.execPath, ['--input-type=module', '-e', code], project);
      assert.equal(ok(result, 'node without the addon').trim(), 'reference');
      assert.equal(result.stderr.match(/native backend is not available/g)?.length, 1, result.stderr);
      assert.match(result.stderr, /reference TypeScript backend/);
      assert.match(result.stderr, /npm rebuild convkit/);
    } finally {
      renameSync(hidden, addon);
    }
  });
});
