// The native addon that exists but does not load must fail CI, not vanish: with CONVKIT_EXPECT_NATIVE=1 (set by
// .ci/run) or CI=true the test helpers hand out a native stand-in whose kernels throw the load error, and the
// .ci/run load check exits non-zero. The load failure is simulated by making Node refuse every .node file.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';

const BREAK_ADDONS =
  "data:text/javascript,import Module from 'node:module'; Module._extensions['.node'] = () => { throw new Error('simulated: undefined symbol dnnl_foo'); };";
const HELPERS = new URL('../helpers/backends.ts', import.meta.url).href;

function run(code: string, env: Record<string, string>): { code: number | null; stdout: string; stderr: string } {
  const { CI: _ci, CONVKIT_EXPECT_NATIVE: _expect, ...rest } = process.env;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', BREAK_ADDONS, '--input-type=module', '-e', code], {
    encoding: 'utf8',
    env: { ...rest, ...env },
  });
  return { code: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
}

const PROBE = `
  const { allBackends, nativeMissingReason } = await import('${HELPERS}');
  let kernel = 'none';
  if (allBackends[1]) { try { allBackends[1].setThreads(1); kernel = 'ran'; } catch (e) { kernel = e.message; } }
  console.log(JSON.stringify({ names: allBackends.map((b) => b.name), reason: nativeMissingReason, kernel }));
`;

describe('native expected: a broken addon fails instead of skipping', () => {
  test('locally (no CI, no CONVKIT_EXPECT_NATIVE) native is left out with its reason', () => {
    const r = run(PROBE, {});
    assert.equal(r.code, 0, r.stderr);
    const seen = JSON.parse(r.stdout);
    assert.deepEqual(seen.names, ['reference']);
    assert.match(seen.reason, /simulated: undefined symbol dnnl_foo/);
  });
  for (const env of [{ CONVKIT_EXPECT_NATIVE: '1' }, { CI: 'true' }]) {
    test(`with ${JSON.stringify(env)} the native suites run and every kernel fails with the load error`, () => {
      const r = run(PROBE, env);
      assert.equal(r.code, 0, r.stderr);
      const seen = JSON.parse(r.stdout);
      assert.deepEqual(seen.names, ['reference', 'native']);
      assert.match(seen.kernel, /native backend expected .* but unusable: the native backend did not load: .*simulated/);
    });
  }
  test(".ci/run's load check exits non-zero when the addon does not load", () => {
    const r = run("const m = await import('./src/backend/native.ts'); console.log(m.loadNativeBackend().name);", {});
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /native: could not load .*simulated/);
  });
});
