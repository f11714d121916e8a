// The adaptive default thread count: times whole steps (a training batch, a predict batch) at each candidate
// count, keeps the fastest, and re-checks now and then, because on a shared machine the best count changes as
// other processes come and go (OpenMP threads wait for each other at every parallel region, so a thread that
// shares its core with a busy process slows every region). Pure bookkeeping with an injectable clock; it knows
// nothing about backends or models (step.ts wires it to a backend's applyAutoThreads).

import { ConfigError, invalid } from '../errors.js';
import { checkOptions } from '../options.js';

const OPTION_KEYS = [
  'candidates',
  'apply',
  'now',
  'warmupSteps',
  'samplesPerCandidate',
  'recheckEvery',
  'maxRecheckEvery',
  'giveUpRatio',
  'driftRatio',
  'minGain',
] as const;

export interface ThreadTunerOptions {
  /** Thread counts to choose between (two or more distinct positive integers). */
  candidates: readonly number[];
  /** Sets the thread count used by the next step. */
  apply: (count: number) => void;
  /** Clock in milliseconds; performance.now() by default (tests inject one). */
  now?: () => number;
  /** Steps run untimed the first time a candidate is used (they build its kernels' plans). Default 1. */
  warmupSteps?: number;
  /** Timed steps per candidate; the median is compared. Default 5. */
  samplesPerCandidate?: number;
  /** Steps between re-checks after a choice; doubles (up to maxRecheckEvery) each time a re-check agrees. Default 200. */
  recheckEvery?: number;
  maxRecheckEvery?: number;
  /**
   * A candidate's sampling stops early once a step takes this many times the best median so far. Default 3. This
   * bounds what a re-check costs when a count has become very slow (2 threads beside a busy process: 10-30x).
   */
  giveUpRatio?: number;
  /**
   * Re-check at once when the mean of the last 8 steps exceeds the chosen count's median by this factor (only
   * when more than the fewest threads was chosen). Default 1.5.
   */
  driftRatio?: number;
  /**
   * A larger count is chosen only when its median is at least this fraction below the best smaller count's.
   * Default 0.1. More threads carry a risk the median of 5 steps rarely shows: beside busy processes most steps
   * are fine but a few stall for hundreds of milliseconds, waiting for a descheduled thread.
   */
  minGain?: number;
}

export interface ThreadTunerState {
  phase: 'exploring' | 'chosen';
  /** The count in use since the last decision (null before the first one). */
  chosen: number | null;
  /** Median ms per step of each candidate at the last exploration (candidates skipped early included). */
  measured: ReadonlyMap<number, number>;
  /** Completed explorations (the first one included). */
  decisions: number;
  /** Steps until the next scheduled re-check (while 'chosen'). */
  stepsUntilRecheck: number;
}

const DRIFT_WINDOW = 8;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(invalid('ThreadTuner', name, 'a positive integer', value));
  return value;
}

/**
 * Chooses a thread count by measuring steps. Call begin() before each step and end() after it.
 * @example
 * const tuner = new ThreadTuner({ candidates: [1, 2], apply: (n) => backend.applyAutoThreads(n) });
 * for (const batch of batches) { tuner.begin(); trainStep(batch); tuner.end(); }
 */
export class ThreadTuner {
  private readonly candidates: number[];
  private readonly apply: (count: number) => void;
  private readonly now: () => number;
  private readonly warmupSteps: number;
  private readonly samplesPerCandidate: number;
  private readonly baseRecheck: number;
  private readonly maxRecheck: number;
  private readonly giveUpRatio: number;
  private readonly driftRatio: number;
  private readonly minGain: number;

  private phase: 'exploring' | 'chosen' = 'exploring';
  private order: number[];
  private current = 0;
  private warmupLeft: number;
  private readonly warmedUp = new Set<number>();
  private samples: number[] = [];
  private measured = new Map<number, number>();
  private chosen: number | null = null;
  private chosenMedian = 0;
  private recheckEvery: number;
  private untilRecheck = 0;
  private recent: number[] = [];
  private decisions = 0;
  private started: number | null = null;

  constructor(options: ThreadTunerOptions) {
    checkOptions('ThreadTuner', options, OPTION_KEYS);
    const distinct = [...new Set(options.candidates)];
    for (const c of distinct) positiveInt('candidates', c);
    if (distinct.length < 2)
      throw new ConfigError(invalid('ThreadTuner', 'candidates', 'two or more distinct thread counts', options.candidates));
    this.candidates = distinct.sort((a, b) => a - b);
    this.apply = options.apply;
    this.now = options.now ?? (() => performance.now());
    this.warmupSteps = options.warmupSteps ?? 1;
    if (!(Number.isInteger(this.warmupSteps) && this.warmupSteps >= 0))
      throw new ConfigError(invalid('ThreadTuner', 'warmupSteps', 'an integer >= 0', this.warmupSteps));
    this.samplesPerCandidate = positiveInt('samplesPerCandidate', options.samplesPerCandidate ?? 5);
    this.baseRecheck = positiveInt('recheckEvery', options.recheckEvery ?? 200);
    this.maxRecheck = Math.max(this.baseRecheck, positiveInt('maxRecheckEvery', options.maxRecheckEvery ?? 3200));
    this.giveUpRatio = options.giveUpRatio ?? 3;
    this.driftRatio = options.driftRatio ?? 1.5;
    this.minGain = options.minGain ?? 0.1;
    if (!(this.minGain >= 0 && this.minGain < 1))
      throw new ConfigError(invalid('ThreadTuner', 'minGain', 'a number in [0, 1)', this.minGain));
    if (!(this.giveUpRatio > 1)) throw new ConfigError(invalid('ThreadTuner', 'giveUpRatio', 'a number > 1', this.giveUpRatio));
    if (!(this.driftRatio > 1)) throw new ConfigError(invalid('ThreadTuner', 'driftRatio', 'a number > 1', this.driftRatio));
    this.recheckEvery = this.baseRecheck;
    // Fewest threads first: one thread is never the disaster, so it sets the bar that lets a count slowed down
    // by a busy machine be given up after one step.
    this.order = [...this.candidates];
    this.warmupLeft = this.warmupFor(this.order[0]!);
  }

  /** Applies the count for the coming step and starts its clock. */
  begin(): void {
    this.apply(this.phase === 'exploring' ? this.order[this.current]! : this.chosen!);
    this.started = this.now();
  }

  /** Stops the clock of the step begun last and updates the choice. A step that threw should not call end(). */
  end(): void {
    if (this.started === null) return;
    const ms = this.now() - this.started;
    this.started = null;
    if (this.phase === 'exploring') this.recordExploring(ms);
    else this.recordChosen(ms);
  }

  /** What the tuner knows now (for tests, benchmarks and diagnostics). */
  state(): ThreadTunerState {
    return {
      phase: this.phase,
      chosen: this.chosen,
      measured: new Map(this.measured),
      decisions: this.decisions,
      stepsUntilRecheck: this.untilRecheck,
    };
  }

  private recordExploring(ms: number): void {
    if (this.warmupLeft > 0) {
      this.warmupLeft--;
      return;
    }
    this.samples.push(ms);
    const best = this.bestSoFar();
    const hopeless = best !== null && ms > this.giveUpRatio * best;
    if (this.samples.length < this.samplesPerCandidate && !hopeless) return;
    this.measured.set(this.order[this.current]!, median(this.samples));
    this.samples = [];
    if (++this.current < this.order.length) {
      this.warmupLeft = this.warmupFor(this.order[this.current]!);
      return;
    }
    this.decide();
  }

  /** Warm-up steps before timing `count`: only the first time it runs (later its plans are cached). */
  private warmupFor(count: number): number {
    if (this.warmedUp.has(count)) return 0;
    this.warmedUp.add(count);
    return this.warmupSteps;
  }

  private bestSoFar(): number | null {
    let best: number | null = null;
    for (const ms of this.measured.values()) if (best === null || ms < best) best = ms;
    return best;
  }

  private decide(): void {
    let pick = this.candidates[0]!;
    for (const c of this.candidates) if (this.measured.get(c)! < (1 - this.minGain) * this.measured.get(pick)!) pick = c;
    this.recheckEvery = this.chosen === pick ? Math.min(this.recheckEvery * 2, this.maxRecheck) : this.baseRecheck;
    this.chosen = pick;
    this.chosenMedian = this.measured.get(pick)!;
    this.phase = 'chosen';
    this.untilRecheck = this.recheckEvery;
    this.recent = [];
    this.decisions++;
  }

  private recordChosen(ms: number): void {
    this.recent.push(ms);
    if (this.recent.length > DRIFT_WINDOW) this.recent.shift();
    // Only a multi-thread choice re-checks early: more load does not make more threads win, and on a noisy
    // machine each early re-check would probe the other counts, which may be 10x slower. The MEAN of the recent
    // steps is compared, so rare long stalls (a thread waited for at a barrier) count, not only a shifted median.
    const drifted =
      this.chosen !== this.candidates[0] &&
      this.recent.length === DRIFT_WINDOW &&
      this.recent.reduce((a, b) => a + b, 0) / DRIFT_WINDOW > this.driftRatio * this.chosenMedian;
    if (drifted) this.recheckEvery = this.baseRecheck;
    if (--this.untilRecheck > 0 && !drifted) return;
    this.explore();
  }

  /** Starts a re-check: the current choice first (it sets the bar), then the others, fewest threads first. */
  private explore(): void {
    this.phase = 'exploring';
    this.order = [this.chosen!, ...this.candidates.filter((c) => c !== this.chosen)];
    this.current = 0;
    this.samples = [];
    this.measured = new Map();
    this.warmupLeft = this.warmupFor(this.order[0]!);
  }
}
