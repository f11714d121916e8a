// The OpenMP environment as convkit's adaptive thread count sees it: which counts it may choose between, and
// when the user has fixed the count (OMP_NUM_THREADS). The wait policy is left to libgomp's default (spin a
// while, then sleep): OMP_WAIT_POLICY=passive made the idle 2-thread MNIST step ~2.5 ms slower on the benchmark
// machine (a sleeping thread takes tens of microseconds to wake, dozens of times per step), and the adaptive
// count already avoids the case where spinning hurts (a thread sharing its core with a busy process). Users may
// still set OMP_WAIT_POLICY / GOMP_SPINCOUNT; libgomp reads them once, when the addon loads it, so they must be in
// the environment before the first native call (setting them from inside the addon would be too late).

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
