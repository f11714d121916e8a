// Backends under test: reference always, native when it loads. A behaviour test is written once and runs on each.
// When native is expected (CI, CONVKIT_EXPECT_NATIVE=1) but does not load, `nativeBackend` is a stand-in whose
// every kernel throws the load error, so each native suite still appears in the run, as failures.

import type { Backend } from '../../src/backend/backend.js';
import { loadNativeBackend } from '../../src/backend/native.js';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { strict } from './requirements.js';

export const reference: Backend = createReferenceBackend();

let native: Backend | null = null;
let nativeError: string | null = null;
try {
  native = loadNativeBackend();
} catch (error) {
  nativeError = error instanceof Error ? error.message : String(error);
}

/** Why native is missing (a skip message locally, a failure in strict mode), or null when it loaded. */
export const nativeMissingReason: string | null = nativeError && `the native backend did not load: ${nativeError}`;

function failingNative(reason: string): Backend {
  return new Proxy({} as Backend, {
    get(_target, key) {
      if (key === 'name') return 'native';
      if (key === 'then') return undefined;
      throw new Error(`native backend expected (CI / CONVKIT_EXPECT_NATIVE=1) but unusable: ${reason}`);
    },
  });
}

/** The loaded native backend; in strict mode a failing stand-in when it did not load; else null. */
export const nativeBackend: Backend | null =
  native ?? (strict && nativeMissingReason ? failingNative(nativeMissingReason) : null);

export const allBackends: Backend[] = nativeBackend ? [reference, nativeBackend] : [reference];
