// What the test suite needs from the machine (the native addon, h5py, ../shared/data) and how a missing piece is
// reported: a skip with the reason on a developer's machine, a FAILURE in CI (CI=true) or whenever
// CONVKIT_EXPECT_NATIVE=1, so nothing vanishes from a CI run. Use `skipUnless(missing)` as the test's skip
// option and `need(missing)` first thing in its body.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** True in CI and when CONVKIT_EXPECT_NATIVE=1: every requirement must be present, none may skip. */
export const strict = process.env.CI === 'true' || process.env.CONVKIT_EXPECT_NATIVE === '1';

/** The test's `skip` option: the reason locally, false in strict mode (the test then runs and `need` fails it). */
export function skipUnless(missing: string | null): string | false {
  if (missing === null || strict) return false;
  return `${missing} (skipped here; a failure in CI or with CONVKIT_EXPECT_NATIVE=1)`;
}

/** First line of a test body: fails with the reason when the requirement is missing. */
export function need(missing: string | null): void {
  if (missing !== null) assert.fail(`required by this test (CI / CONVKIT_EXPECT_NATIVE=1 forbid skipping): ${missing}`);
}

/** The shared data folder (../shared/data beside the project), with a trailing slash. */
export const SHARED_DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

/** Null when `path` exists, else why the test cannot run. */
export function missingFile(path: string): string | null {
  return existsSync(path) ? null : `missing ${path} (the shared data is expected beside the project)`;
}

export const PYTHON = '/usr/bin/python3';

/** Null when /usr/bin/python3 imports h5py and numpy, else why not. */
export const missingH5py: string | null = (() => {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  try {
    execFileSync(PYTHON, ['-c', 'import h5py, numpy'], { stdio: 'ignore' });
    return null;
  } catch {
    return `${PYTHON} cannot import h5py (apt-get install python3-h5py)`;
  }
})();
