// The `convkit` bin shim: in a checkout whose dist/ was never built it says what to run instead of a stack trace.
// (Its normal path, running the compiled CLI, is exercised by test/consumer/package-consumer.ts via npx.)

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

test('bin/convkit.js without a built dist/ explains how to build, exit code 1, no stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'convkit-bin-'));
  try {
    mkdirSync(join(dir, 'bin'));
    copyFileSync('bin/convkit.js', join(dir, 'bin', 'convkit.js'));
    const r = spawnSync(process.execPath, [join(dir, 'bin', 'convkit.js'), '--help'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^convkit: dist\/ is missing: this checkout was not built\. Run `npm run build`/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
