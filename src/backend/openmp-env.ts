// How the native addon's OpenMP runtime (libgomp) is configured: its wait policy, and which thread counts the
// adaptive default may choose between. libgomp reads OMP_WAIT_POLICY / GOMP_SPINCOUNT once, when the dynamic
// loader brings it in with the addon, so they must be in the environment before require() (setenv from inside
// the addon is too late: libgomp's constructor has already run). Measured in docs/benchmarks.md.

/** The wait policy convkit asks for when the user set neither OMP_WAIT_POLICY nor GOMP_SPINCOUNT. */
export const DEFAULT_OMP_WAIT_POLICY = 'passive';

/**
 * Runs `load` (the addon's require) with OMP_WAIT_POLICY=passive unless the user chose a policy, then restores
 * the environment so child processes do not inherit it. Passive: threads idle between parallel regions sleep
 * instead of spinning (libgomp's default spins ~300,000 iterations), which matters when another process
 * wants the same core: a spinning thread uses up its share and is then descheduled in the middle of the next
 * region, and every other thread waits for it at the region's end.
 */
export function loadWithOpenMpDefaults<T>(load: () => T, env: NodeJS.ProcessEnv = process.env): T {
  const userChose = env.OMP_WAIT_POLICY !== undefined || env.GOMP_SPINCOUNT !== undefined;
  if (userChose) return load();
  env.OMP_WAIT_POLICY = DEFAULT_OMP_WAIT_POLICY;
  try {
    return load();
  } finally {
    delete env.OMP_WAIT_POLICY;
  }
}

/**
 * The counts the adaptive default tries for a machine where `maxThreads` may run: 1, the powers of two below
 * it, and `maxThreads` itself. None when OMP_NUM_THREADS fixes the count or there is one processor.
 */
export function autoThreadCandidates(maxThreads: number, env: NodeJS.ProcessEnv = process.env): number[] {
  if (env.OMP_NUM_THREADS !== undefined || maxThreads < 2) return [];
  const counts: number[] = [];
  for (let c = 1; c < maxThreads; c *= 2) counts.push(c);
  counts.push(maxThreads);
  return counts;
}
