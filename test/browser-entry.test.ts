// The package's "." entry must stay browser-safe: it bundles for the browser platform with no Node built-ins.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build } from 'esbuild';

test('the browser entry bundles without Node built-ins', async () => {
  const result = await build({
    entryPoints: ['src/index.ts'],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  assert.equal(result.errors.length, 0);
  const code = result.outputFiles[0]!.text;
  assert.doesNotMatch(code, /from\s+["']node:/);
  assert.match(code, /class Sequential\b|Sequential = class/);
  assert.match(code, /conv2dForward/);
});
