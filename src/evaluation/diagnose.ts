// diagnose(history): reads a training run's per-epoch losses (fit's History, or the CSVLogger file through
// readHistoryCsv) and classifies it as overfitting, underfitting, healthy, not yet converged or diverging, with the
// evidence and the remedies of seed 002 (its overfitting/underfitting advice). Heuristics with documented
// thresholds (DIAGNOSE_DEFAULTS), all overridable. Without validation data it says what it cannot tell. Not here:
// reading files (history-csv.ts), plots.

import { ConfigError, invalid, ValueError } from '../errors.js';
import { checkOptions } from '../options.js';
import { remediesFor } from './remedies.js';

export type Verdict = 'overfitting' | 'underfitting' | 'healthy' | 'not yet converged' | 'diverging';

/** The thresholds behind the verdicts (relative changes are fractions: 0.05 = 5%). */
export interface DiagnoseOptions {
  /** Overfitting: validation loss at the end is at least this much above its minimum ... Default 0.05. */
  valRise?: number;
  /** ... and the minimum is at least this many epochs before the end. Default 2. */
  minEpochsSinceBest?: number;
  /** Overfitting also when training accuracy exceeds validation accuracy by this much (and validation stalled). Default 0.15. */
  accuracyGap?: number;
  /** A loss still falling faster than this per epoch (over the last epochs) has not converged. Default 0.01. */
  stillFalling?: number;
  /** ... unless the model is poor (below) and both losses fall slower than this per epoch: underfitting. Default 0.05. */
  fastFalling?: number;
  /** Underfitting: training accuracy below this at the plateau (when accuracy is logged). Default 0.8. */
  poorAccuracy?: number;
  /** Underfitting (without accuracy): training loss fell by less than this fraction of its first epoch. Default 0.3. */
  poorLossDrop?: number;
  /** Diverging: training loss ends this many times above its minimum (and above its start). Default 1.5. */
  explode?: number;
}

export const DIAGNOSE_DEFAULTS: Required<DiagnoseOptions> = {
  valRise: 0.05,
  minEpochsSinceBest: 2,
  accuracyGap: 0.15,
  stillFalling: 0.01,
  fastFalling: 0.05,
  poorAccuracy: 0.8,
  poorLossDrop: 0.3,
  explode: 1.5,
};

/** Numbers the verdict rests on. Epochs are 1-based, as Keras prints them ("Epoch 3/10"). */
export interface DiagnosisFacts {
  epochs: number;
  hasValidation: boolean;
  firstLoss: number;
  finalLoss: number;
  minLoss: number;
  finalValLoss: number | null;
  /** The epoch with the lowest validation loss (1-based), where it "turned" if it rose afterwards. */
  bestEpoch: number | null;
  minValLoss: number | null;
  /** Training loss at bestEpoch (overfitting needs it to keep falling after). */
  lossAtBestEpoch: number | null;
  /** Relative change per epoch over the last `window` epochs (negative: falling). */
  lossTrend: number | null;
  valLossTrend: number | null;
  window: number;
  finalAccuracy: number | null;
  finalValAccuracy: number | null;
  /** The first epoch (1-based) with a NaN or infinite loss, if any. */
  nonFiniteEpoch: number | null;
  /** Learning-rate reductions seen in the logs: [epoch (1-based), new rate]. */
  learningRateDrops: [number, number][];
}

export interface Diagnosis {
  verdict: Verdict;
  /** One line: the verdict and its main reason (printed first). */
  headline: string;
  evidence: string[];
  remedies: string[];
  /** What the history cannot show (e.g. overfitting without validation data). */
  limitations: string[];
  facts: DiagnosisFacts;
}

/** A History (fit's return value) or its `history` record: metric name -> one value per epoch. */
export type HistoryLike = { history: Record<string, number[]> } | Record<string, number[]>;

const KEYS = Object.keys(DIAGNOSE_DEFAULTS);
const WHERE = 'diagnose';
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const num = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));

function seriesOf(history: HistoryLike): Record<string, number[]> {
  const record = (history as { history?: unknown }).history;
  const series = (typeof record === 'object' && record !== null ? record : history) as Record<string, unknown>;
  if (typeof series !== 'object' || series === null || !Array.isArray(series.loss)) {
    throw new ValueError(
      invalid(
        WHERE,
        'history',
        "fit()'s History or { loss: number[], val_loss?: number[], ... }",
        history,
        "The history needs a 'loss' series.",
      ),
    );
  }
  for (const [key, values] of Object.entries(series)) {
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'number')) {
      throw new ValueError(invalid(WHERE, `history.${key}`, 'an array of numbers (one per epoch)', values));
    }
  }
  return series as Record<string, number[]>;
}

/** Relative change per epoch over the last `window` values (a least-squares slope over the mean level). */
function trend(values: number[], window: number): number | null {
  const tail = values.slice(-window);
  if (tail.length < 2) return null;
  const n = tail.length;
  const meanX = (n - 1) / 2;
  const meanY = tail.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  tail.forEach((y, x) => {
    sxy += (x - meanX) * (y - meanY);
    sxx += (x - meanX) ** 2;
  });
  return meanY === 0 ? 0 : sxy / sxx / Math.abs(meanY);
}

const last = (values: number[] | undefined): number | null => (values?.length ? values[values.length - 1]! : null);

/** A present series that has at least one finite value (CSVLogger writes NA/NaN columns when validation is off). */
function usable(values: number[] | undefined, epochs: number): number[] | undefined {
  return values && values.length === epochs && values.some((v) => Number.isFinite(v)) ? values : undefined;
}

function collectFacts(series: Record<string, number[]>): DiagnosisFacts {
  const loss = series.loss!;
  const epochs = loss.length;
  const val = usable(series.val_loss, epochs);
  const acc = usable(series.accuracy ?? series.acc, epochs);
  const valAcc = usable(series.val_accuracy ?? series.val_acc, epochs);
  const window = Math.max(2, Math.min(5, Math.ceil(epochs / 3)));
  const firstBad = [loss, val ?? []].map((s) => s.findIndex((v) => !Number.isFinite(v))).filter((i) => i >= 0);
  let bestEpoch: number | null = null;
  if (val) {
    let best = 0;
    for (let i = 1; i < epochs; i++) if (val[i]! < val[best]!) best = i;
    bestEpoch = best + 1;
  }
  const lr = series.learning_rate ?? series.lr;
  const learningRateDrops: [number, number][] = [];
  lr?.forEach((v, i) => {
    if (i > 0 && v < lr[i - 1]!) learningRateDrops.push([i + 1, v]);
  });
  return {
    epochs,
    hasValidation: val !== undefined,
    firstLoss: loss[0]!,
    finalLoss: last(loss)!,
    minLoss: Math.min(...loss),
    finalValLoss: last(val),
    bestEpoch,
    minValLoss: val ? Math.min(...val) : null,
    lossAtBestEpoch: bestEpoch === null ? null : loss[bestEpoch - 1]!,
    lossTrend: trend(loss, window),
    valLossTrend: val ? trend(val, window) : null,
    window,
    finalAccuracy: last(acc),
    finalValAccuracy: last(valAcc),
    nonFiniteEpoch: firstBad.length ? Math.min(...firstBad) + 1 : null,
    learningRateDrops,
  };
}

/**
 * Classifies a training run from its per-epoch logs and explains why, with seed 002's remedies.
 * @example
 * const history = await model.fit(x, y, { epochs: 20, validationSplit: 0.2 });
 * const d = diagnose(history); d.verdict // 'overfitting'
 */
export function diagnose(history: HistoryLike, options: DiagnoseOptions = {}): Diagnosis {
  const o = { ...DIAGNOSE_DEFAULTS, ...checkOptions<DiagnoseOptions>(WHERE, options, KEYS) };
  for (const key of KEYS as (keyof DiagnoseOptions)[]) {
    const v = o[key];
    if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw new ConfigError(invalid(WHERE, key, 'a number >= 0', v));
  }
  const series = seriesOf(history);
  if (series.loss!.length === 0) throw new ValueError(invalid(WHERE, 'history.loss', 'at least one epoch', 'no epochs'));
  const f = collectFacts(series);
  const evidence: string[] = [];
  const limitations: string[] = [];
  if (!f.hasValidation) {
    limitations.push(
      'No validation data: overfitting cannot be seen (it shows as validation loss rising while training loss falls). Pass validationSplit or validationData to fit (convkit train --validation-split 0.2).',
    );
  }
  for (const [epoch, rate] of f.learningRateDrops) evidence.push(`The learning rate was reduced to ${rate} at epoch ${epoch}.`);
  const verdict = judge(f, o, evidence, limitations);
  const headline = `${verdict}: ${evidence[0] ?? ''}`.trim();
  return { verdict, headline, evidence, remedies: remediesFor(verdict, f), limitations, facts: f };
}

/** The verdict; pushes its reasons onto `evidence` (main reason first). */
function judge(f: DiagnosisFacts, o: Required<DiagnoseOptions>, evidence: string[], limitations: string[]): Verdict {
  const reasons: string[] = [];
  const say = (verdict: Verdict): Verdict => {
    evidence.unshift(...reasons);
    return verdict;
  };
  if (f.nonFiniteEpoch !== null) {
    reasons.push(`The loss became NaN or infinite at epoch ${f.nonFiniteEpoch} of ${f.epochs}.`);
    return say('diverging');
  }
  if (f.epochs >= 2 && f.finalLoss > o.explode * f.minLoss && f.finalLoss > f.firstLoss) {
    reasons.push(
      `Training loss rose to ${num(f.finalLoss)}, ${(f.finalLoss / f.minLoss).toFixed(1)}x its minimum ${num(f.minLoss)} and above its first epoch (${num(f.firstLoss)}): training is exploding.`,
    );
    return say('diverging');
  }
  const trends = `Trend over the last ${f.window} epochs: training loss ${f.lossTrend === null ? 'n/a' : `${pct(f.lossTrend)}/epoch`}${f.valLossTrend === null ? '' : `, validation loss ${pct(f.valLossTrend)}/epoch`}.`;
  const gap =
    f.finalValLoss !== null
      ? `Train/validation gap at the end: loss ${num(f.finalLoss)} vs ${num(f.finalValLoss)}${f.finalAccuracy !== null && f.finalValAccuracy !== null ? `, accuracy ${num(f.finalAccuracy)} vs ${num(f.finalValAccuracy)}` : ''}.`
      : null;
  const more = [gap, trends].filter((s): s is string => s !== null);
  if (f.epochs < 2) {
    reasons.push('Only one epoch was run: there is no trend to judge yet.', ...more);
    return say('not yet converged');
  }
  if (f.hasValidation) {
    const minVal = f.minValLoss!;
    const best = f.bestEpoch!;
    const rise = (f.finalValLoss! - minVal) / Math.abs(minVal);
    const sinceBest = f.epochs - best;
    if (rise >= o.valRise && sinceBest >= o.minEpochsSinceBest && f.finalLoss < f.lossAtBestEpoch!) {
      reasons.push(
        `Validation loss turned at epoch ${best} (lowest: ${num(minVal)}) and rose ${pct(rise)} to ${num(f.finalValLoss!)} over the next ${sinceBest} epochs while training loss went on to ${num(f.finalLoss)}.`,
        ...more,
      );
      return say('overfitting');
    }
    const accGap = f.finalAccuracy !== null && f.finalValAccuracy !== null ? f.finalAccuracy - f.finalValAccuracy : null;
    const valStalled = (f.valLossTrend ?? 0) > -o.stillFalling;
    if (accGap !== null && accGap >= o.accuracyGap && valStalled) {
      reasons.push(
        `Training accuracy ${num(f.finalAccuracy!)} is ${pct(accGap)} above validation accuracy ${num(f.finalValAccuracy!)} and validation loss has stopped improving: the model fits the training data much better than new data.`,
        ...more,
      );
      return say('overfitting');
    }
  }
  // Still improving: validation loss (else training loss) falling faster than stillFalling per epoch, at its best.
  const rate = f.hasValidation ? f.valLossTrend! : f.lossTrend!;
  const falling = rate < -o.stillFalling && (!f.hasValidation || f.bestEpoch! >= f.epochs - 1);
  const drop = (f.firstLoss - f.finalLoss) / Math.abs(f.firstLoss);
  const poor = f.finalAccuracy !== null ? f.finalAccuracy < o.poorAccuracy : f.finalLoss > 0 && drop < o.poorLossDrop;
  const which = f.hasValidation ? 'Validation' : 'Training';
  // A poor model that improves only slowly underfits: more epochs alone will not get it far.
  const slow = Math.min(rate, f.lossTrend ?? rate) > -o.fastFalling;
  if (falling && !(poor && slow)) {
    reasons.push(
      `${which} loss is still falling (${pct(-rate)} per epoch over the last ${f.window} epochs${f.hasValidation ? ', lowest at the end' : ''}): more epochs should still help.`,
      ...more,
    );
    return say('not yet converged');
  }
  // Overfitting was ruled out above, so a model poor on its own training data underfits.
  if (poor) {
    const state = falling ? `improves only slowly (${pct(-rate)} per epoch)` : 'has reached a plateau';
    const level =
      f.finalAccuracy !== null
        ? `training accuracy is only ${num(f.finalAccuracy)}`
        : `training loss fell only ${pct(drop)} from its first epoch (${num(f.firstLoss)} to ${num(f.finalLoss)})`;
    reasons.push(
      `Training ${state} while ${level}${f.finalValAccuracy !== null ? ` (validation ${num(f.finalValAccuracy)})` : ''}: the model is not learning the training data well.`,
      ...more,
    );
    return say('underfitting');
  }
  reasons.push(
    f.hasValidation
      ? `Validation loss is at or near its best (${num(f.minValLoss!)} at epoch ${f.bestEpoch}) and levelling off, without a large gap to training.`
      : `Training loss has levelled off at ${num(f.finalLoss)} (from ${num(f.firstLoss)}).`,
    ...more,
  );
  if (!f.hasValidation)
    limitations.push('"healthy" here means training converged; only validation data can show that it generalises.');
  return say('healthy');
}

/**
 * The diagnosis as text: 'Diagnosis: <verdict>' first, then evidence, limitations and remedies.
 * @example console.log(formatDiagnosis(diagnose(history)));
 */
export function formatDiagnosis(d: Diagnosis): string {
  const lines = [`Diagnosis: ${d.verdict}`];
  for (const e of d.evidence) lines.push(`  - ${e}`);
  for (const l of d.limitations) lines.push(`  ! ${l}`);
  if (d.remedies.length) lines.push('What to try:', ...d.remedies.map((r) => `  * ${r}`));
  return lines.join('\n');
}
