// K-fold splits of sample indices, as scikit-learn's KFold and StratifiedKFold make them: every sample is held out
// in exactly one fold, fold sizes differ by at most one, and (stratified) each class is spread over the folds so
// that every fold holds floor or ceil of (class count / folds) of it. Seeded with the counter RNG, so a seed gives
// the same folds on every machine. Not here: grouped or time-series splits, repeated k-fold.

import { mix32 } from '../backend/random.js';
import { ConfigError, invalid, ValueError } from '../errors.js';
import { permutation } from '../training/data.js';

export interface FoldOptions {
  /** Number of folds (k >= 2). Default 5. */
  folds?: number;
  /** Shuffle before splitting (within each class when stratified). Default true. */
  shuffle?: boolean;
  /** Seed of the shuffle; without one a fresh seed is drawn. */
  seed?: number;
}

/** One fold: the rows to train on and the rows held out, each in increasing order. */
export interface FoldIndices {
  train: Int32Array;
  test: Int32Array;
}

function checkFoldCount(where: string, folds: number, samples: number): void {
  if (!Number.isInteger(folds) || folds < 2) {
    throw new ConfigError(invalid(where, 'folds', 'an integer >= 2', folds, 'k-fold needs at least two folds.'));
  }
  if (folds > samples) {
    throw new ValueError(
      invalid(where, 'folds', `at most the number of samples (${samples})`, folds, 'Use fewer folds or more data.'),
    );
  }
}

/** The order samples are dealt in: a seeded permutation, or 0..n-1. */
function orderOf(n: number, shuffle: boolean, seed: number): Int32Array {
  const order = new Int32Array(n);
  if (shuffle) return permutation(order, seed);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}

/** Splits an assignment (fold number per sample) into sorted train/test index lists. */
function foldsFromAssignment(assignment: Int32Array, folds: number): FoldIndices[] {
  const out: FoldIndices[] = [];
  for (let k = 0; k < folds; k++) {
    const test: number[] = [];
    const train: number[] = [];
    for (let i = 0; i < assignment.length; i++) (assignment[i] === k ? test : train).push(i);
    out.push({ train: Int32Array.from(train), test: Int32Array.from(test) });
  }
  return out;
}

/**
 * scikit-learn's KFold: (shuffled) samples cut into `folds` consecutive parts, the first n % folds one larger.
 * @example kFold(100, { folds: 5, seed: 1 }) // 5 folds of 20 held-out rows
 */
export function kFold(samples: number, options: FoldOptions = {}): FoldIndices[] {
  const folds = options.folds ?? 5;
  checkFoldCount('kFold', folds, samples);
  const order = orderOf(samples, options.shuffle ?? true, options.seed ?? 0);
  const assignment = new Int32Array(samples);
  const base = Math.floor(samples / folds);
  const larger = samples % folds;
  let position = 0;
  for (let k = 0; k < folds; k++) {
    const size = base + (k < larger ? 1 : 0);
    for (let j = 0; j < size; j++) assignment[order[position++]!] = k;
  }
  return foldsFromAssignment(assignment, folds);
}

/**
 * scikit-learn's StratifiedKFold: each class's samples (shuffled within the class) are dealt to the folds in turn,
 * continuing where the previous class stopped, so every fold holds floor or ceil of (class count / folds) samples
 * of each class and fold sizes differ by at most one. Classes smaller than `folds` are allowed (some folds then
 * lack them) and reported through `onSmallClass`.
 * @example stratifiedKFold(labels, { folds: 5, seed: 42 })
 */
export function stratifiedKFold(
  labels: ArrayLike<number>,
  options: FoldOptions = {},
  onSmallClass: (label: number, count: number) => void = () => {},
): FoldIndices[] {
  const folds = options.folds ?? 5;
  const n = labels.length;
  checkFoldCount('stratifiedKFold', folds, n);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0) {
      throw new ValueError(
        invalid(
          'stratifiedKFold',
          `labels[${i}]`,
          'a class index (an integer >= 0)',
          label,
          'Stratified folds need class labels; use stratified: false for regression targets.',
        ),
      );
    }
    const members = byClass.get(label) ?? [];
    members.push(i);
    byClass.set(label, members);
  }
  const shuffle = options.shuffle ?? true;
  const seed = options.seed ?? 0;
  const assignment = new Int32Array(n);
  let next = 0;
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = byClass.get(label)!;
    if (members.length < folds) onSmallClass(label, members.length);
    // Each class gets its own stream so adding a class does not reshuffle the others.
    const order = orderOf(members.length, shuffle, mix32((seed + Math.imul(label + 1, 0x9e3779b9)) >>> 0));
    for (const j of order) {
      assignment[members[j]!] = next;
      next = (next + 1) % folds;
    }
  }
  return foldsFromAssignment(assignment, folds);
}
