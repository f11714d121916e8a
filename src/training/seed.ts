// One seed for everything random in training: weight initializers (their global seed), the shuffle order and
// the dropout stream. The same seed, data and backend give bit-identical weights. Not here: per-layer seeds.

import { mix32 } from '../backend/random.js';
import { setGlobalSeed } from '../initializers.js';

let baseSeed: number | null = null;
let draws = 0;

/**
 * Seeds initializers, shuffling and dropout (Keras `keras.utils.set_random_seed`).
 * @example setRandomSeed(42); const model = buildModel(); await model.fit(x, y);
 */
export function setRandomSeed(seed: number): void {
  if (!Number.isInteger(seed)) throw new TypeError(`setRandomSeed: invalid 'seed'. Expected an integer, received ${seed}.`);
  baseSeed = seed >>> 0;
  draws = 0;
  setGlobalSeed(seed);
}

/** A fresh 32-bit seed: deterministic after setRandomSeed, otherwise from Math.random. */
export function drawSeed(): number {
  if (baseSeed === null) return Math.floor(Math.random() * 0x100000000) >>> 0;
  draws++;
  return mix32((baseSeed + Math.imul(draws, 0x9e3779b9)) >>> 0);
}

/** Where the seeded draws stand: saved by BackupAndRestore so a resumed run shuffles as the original did. */
export interface SeedState {
  baseSeed: number | null;
  draws: number;
}

export function getSeedState(): SeedState {
  return { baseSeed, draws };
}

export function setSeedState(state: SeedState): void {
  baseSeed = state.baseSeed;
  draws = state.draws;
}
