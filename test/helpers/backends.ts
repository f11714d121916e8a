// Backends under test: reference always, native when it loads. A behaviour test is written once and runs on each.

import type { Backend } from '../../src/backend/backend.js';
import { loadNativeBackend } from '../../src/backend/native.js';
import { createReferenceBackend } from '../../src/backend/reference/index.js';

export const reference: Backend = createReferenceBackend();

let native: Backend | null = null;
let nativeError: string | null = null;
try {
  native = loadNativeBackend();
} catch (error) {
  nativeError = error instanceof Error ? error.message : String(error);
}

export const nativeBackend: Backend | null = native;
/** Why native is missing (for skip messages), or null. */
export const nativeMissingReason: string | null = nativeError;

export const allBackends: Backend[] = native ? [reference, native] : [reference];
