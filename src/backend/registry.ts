// Which backend runs the kernels. The browser-safe entry knows only the reference backend; the Node entry
// registers the native one. The first getBackend() picks native when it loads, else reference, and says so once.

import { ConfigError, describe } from '../errors.js';
import type { Backend } from './backend.js';
import { createReferenceBackend } from './reference/index.js';

export type BackendName = 'reference' | 'native';

interface NativeLoader {
  load(): Backend;
  /** What a user does to get the native backend (it differs in a checkout and in an installed package). */
  buildHint?: string;
}

const GENERIC_BUILD_HINT =
  'install oneDNN (Debian/Ubuntu: apt-get install libdnnl-dev g++ make python3), then run `npm rebuild convkit` (`npm run build:native` in a convkit checkout)';

let current: Backend | null = null;
let nativeLoader: NativeLoader | null = null;
let nativeFailure: string | null = null;
let warned = false;

/** Called by the Node entry: makes the native backend available (it may still fail to load). */
export function registerNativeLoader(loader: NativeLoader): void {
  nativeLoader = loader;
}

function tryNative(): Backend | null {
  if (!nativeLoader) return null;
  try {
    return nativeLoader.load();
  } catch (error) {
    nativeFailure = error instanceof Error ? error.message : String(error);
    return null;
  }
}

/** The active backend. Prefers native when registered and loadable; the env var CONVKIT_BACKEND overrides. */
export function getBackend(): Backend {
  if (current) return current;
  const wanted = typeof process !== 'undefined' ? process.env?.CONVKIT_BACKEND : undefined;
  if (wanted === 'reference') {
    current = createReferenceBackend();
    return current;
  }
  current = tryNative();
  if (!current) {
    current = createReferenceBackend();
    if (nativeLoader && !warned) {
      warned = true;
      console.warn(
        `convkit: the native backend is not available (${nativeFailure ?? 'not built'}); using the reference TypeScript backend, which is much slower. ` +
          `To get it: ${nativeLoader.buildHint ?? GENERIC_BUILD_HINT}.`,
      );
    }
  }
  return current;
}

/** Selects a backend by name or instance. Asking for 'native' when it cannot load throws with the reason. */
export function setBackend(backend: BackendName | Backend): Backend {
  if (typeof backend !== 'string') {
    current = backend;
    return current;
  }
  if (backend === 'reference') {
    current = createReferenceBackend();
    return current;
  }
  if (backend === 'native') {
    const native = tryNative();
    if (!native) {
      throw new ConfigError(
        `setBackend: the native backend could not be loaded (${nativeFailure ?? 'not registered: import convkit/node'}). ` +
          `To get it: ${nativeLoader?.buildHint ?? GENERIC_BUILD_HINT}; or use setBackend("reference").`,
      );
    }
    current = native;
    return current;
  }
  throw new ConfigError(`setBackend: invalid 'backend'. Expected 'reference' or 'native', received ${describe(backend)}.`);
}

/** Whether the native backend can be loaded (loads it once to find out). */
export function nativeAvailable(): boolean {
  return tryNative() !== null;
}
