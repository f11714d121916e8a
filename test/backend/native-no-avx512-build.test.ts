// A machine without AVX-512 must still build the native backend: every native source with an AVX-512 branch
// compiles warning-free for x86-64-v3 (AVX2, no AVX-512), so its non-AVX-512 path is real code, not dead text.
// (Its behaviour is tested at run time with the AVX-512 kernels switched off: native-paths.test.ts.)

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { need, skipUnless } from '../helpers/requirements.js';

const NATIVE = fileURLToPath(new URL('../../native/', import.meta.url));
const missingCompiler = (() => {
  try {
    execFileSync('g++', ['--version'], { stdio: 'ignore' });
    return existsHeader() ? null : 'oneDNN headers (libdnnl-dev) not found';
  } catch {
    return 'g++ not found';
  }
})();

function existsHeader(): boolean {
  return (
    spawnSync('sh', ['-c', 'echo "#include <oneapi/dnnl/dnnl.hpp>" | g++ -std=c++17 -fsyntax-only -x c++ -'], { stdio: 'ignore' })
      .status === 0
  );
}

const withAvx512Branch = readdirSync(NATIVE).filter(
  (f) => f.endsWith('.cc') && readFileSync(join(NATIVE, f), 'utf8').includes('__AVX512'),
);

describe('native build without AVX-512', () => {
  test('the AVX-512 sources are found', () => {
    assert.ok(withAvx512Branch.includes('conv_small.cc'), `sources with AVX-512 branches: ${withAvx512Branch.join(', ')}`);
  });
  for (const file of withAvx512Branch) {
    test(`${file} compiles for -march=x86-64-v3 with -Wall -Wextra -Werror, __AVX512F__ undefined`, {
      skip: skipUnless(missingCompiler),
    }, () => {
      need(missingCompiler);
      const flags = ['-std=c++17', '-fopenmp', '-march=x86-64-v3', `-I${NATIVE}`];
      const macros = execFileSync('g++', [...flags, '-dM', '-E', '-x', 'c++', '/dev/null'], { encoding: 'utf8' });
      assert.doesNotMatch(macros, /__AVX512F__/);
      const r = spawnSync(
        'g++',
        [...flags, '-Wall', '-Wextra', '-Wno-unused-parameter', '-Werror', '-fsyntax-only', join(NATIVE, file)],
        {
          encoding: 'utf8',
        },
      );
      assert.equal(r.status, 0, r.stderr);
    });
  }
});
