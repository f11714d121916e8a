// Backend selection: native preferred, a clear one-time notice and the reference fallback when it cannot load.
// Each case runs in a child process because the registry holds process-wide state.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { nativeMissingReason } from '../helpers/backends.js';
import { need, skipUnless } from '../helpers/requirements.js';

const registry = pathToFileURL('src/backend/registry.ts').href;
const nodeEntry = pathToFileURL('src/node.ts').href;

function run(code: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
}

describe('backend registry', () => {
  test('falls back to reference once, with the reason and how to get native', () => {
    const r = run(`
      import { registerNativeLoader, getBackend, setBackend } from '${registry}';
      registerNativeLoader({ load() { throw new Error('addon missing: build/Release/convkit_native.node'); } });
      const names = [getBackend().name, getBackend().name];
      let error = '';
      try { setBackend('native'); } catch (e) { error = e.code + ' ' + e.message; }
      console.log(JSON.stringify({ names, error }));
    `);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { names: string[]; error: string };
    assert.deepEqual(out.names, ['reference', 'reference']);
    assert.equal(r.stderr.match(/native backend is not available/g)?.length, 1, r.stderr);
    assert.match(r.stderr, /addon missing/);
    assert.match(r.stderr, /apt-get install libdnnl-dev/);
    assert.match(out.error, /^CONFIG setBackend: the native backend could not be loaded \(addon missing/);
  });

  test("the notice gives the loader's own build hint (an installed package says `npm rebuild convkit`)", () => {
    const r = run(`
      import { registerNativeLoader, getBackend } from '${registry}';
      registerNativeLoader({ load() { throw new Error('no addon'); }, buildHint: 'run \`npm rebuild convkit\`' });
      getBackend();
    `);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /native backend is not available \(no addon\).*To get it: run `npm rebuild convkit`\./s);
  });

  test('CONVKIT_BACKEND=reference selects the reference backend without a notice', () => {
    const r = run(`import { getBackend } from '${nodeEntry}'; console.log(getBackend().name);`, { CONVKIT_BACKEND: 'reference' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'reference');
    assert.doesNotMatch(r.stderr, /not available/);
  });

  test('the Node entry prefers native when it is built (required in CI)', { skip: skipUnless(nativeMissingReason) }, () => {
    need(nativeMissingReason);
    const r = run(`import { getBackend } from '${nodeEntry}'; console.log(getBackend().name);`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'native');
  });

  test('an unknown backend name is a clear error', () => {
    const r = run(`
      import { setBackend } from '${registry}';
      try { setBackend('cuda'); } catch (e) { console.log(e.message); }
    `);
    assert.match(r.stdout, /setBackend: invalid 'backend'. Expected 'reference' or 'native', received "cuda"/);
  });
});
