// Classification metrics from class indices, the way scikit-learn computes them: the confusion matrix (rows = true
// class, columns = predicted), per-class precision / recall / F1 / support with macro and weighted averages, the
// classification report (as an object and as sklearn's text), and the most-confused class pairs. Pure functions:
// no model, no files. Zero division follows sklearn's `zero_division` (default 0, what sklearn's 'warn' yields):
// a ratio whose denominator is 0 is that value, never NaN. Sums use numpy's pairwise order so the averages match
// sklearn bit for bit (and so does the text, rounding ties half to even as Python's format() does).

import { ConfigError, invalid, ValueError } from '../errors.js';
import { checkOptions } from '../options.js';

/** Per-class precision, recall, F1 and support (sklearn's precision_recall_fscore_support with average=None). */
export interface ClassScores {
  precision: number;
  recall: number;
  f1Score: number;
  /** Samples whose true class this is. */
  support: number;
}

/** One row of the report: a class's scores and its name. */
export interface ClassReportRow extends ClassScores {
  name: string;
}

/** sklearn's classification_report(output_dict=True), in camelCase: per class, accuracy, macro and weighted. */
export interface ClassificationReport {
  classes: ClassReportRow[];
  /** Micro-averaged F1, which for single-label classification is the accuracy (sklearn's 'accuracy' row). */
  accuracy: number;
  macroAvg: ClassScores;
  weightedAvg: ClassScores;
  /** The value used where a ratio's denominator was 0 (sklearn's zero_division). */
  zeroDivision: 0 | 1;
}

export interface ClassificationReportOptions {
  /** Names in class-index order; default '0', '1', ... */
  classNames?: string[];
  /** Number of classes; default classNames.length, else 1 + the largest index seen. */
  numClasses?: number;
  /** sklearn's zero_division: 0 (default, sklearn's 'warn' value) or 1. */
  zeroDivision?: 0 | 1;
}

/** A pair of classes the model mixes up: `count` samples of `trueClass` were predicted as `predictedClass`. */
export interface ConfusedPair {
  trueClass: number;
  predictedClass: number;
  trueName: string;
  predictedName: string;
  count: number;
}

type Labels = ArrayLike<number>;

function checkLabels(where: string, arg: string, labels: Labels, numClasses: number | null): number {
  let max = -1;
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (!Number.isInteger(v) || v < 0 || (numClasses !== null && v >= numClasses)) {
      const range = numClasses === null ? 'a class index (integer >= 0)' : `a class index in [0, ${numClasses - 1}]`;
      throw new ValueError(invalid(where, `${arg}[${i}]`, range, v, 'Pass class indices (argmax of one-hot rows).'));
    }
    if (v > max) max = v;
  }
  return max;
}

/** The number of classes from the options or the labels, with both label arrays checked. */
function classCount(where: string, yTrue: Labels, yPred: Labels, numClasses?: number, classNames?: string[]): number {
  if (yTrue.length !== yPred.length) {
    throw new ValueError(invalid(where, 'yPred', `${yTrue.length} labels (as many as yTrue)`, `${yPred.length} labels`));
  }
  if (numClasses !== undefined && !(Number.isInteger(numClasses) && numClasses >= 1)) {
    throw new ConfigError(invalid(where, 'numClasses', 'a positive integer', numClasses));
  }
  if (classNames !== undefined) {
    if (!Array.isArray(classNames) || classNames.some((n) => typeof n !== 'string')) {
      throw new ConfigError(invalid(where, 'classNames', 'an array of strings', classNames));
    }
    if (numClasses !== undefined && classNames.length !== numClasses) {
      throw new ConfigError(invalid(where, 'classNames', `${numClasses} names (numClasses)`, classNames.length));
    }
  }
  const known = numClasses ?? classNames?.length ?? null;
  const max = Math.max(checkLabels(where, 'yTrue', yTrue, known), checkLabels(where, 'yPred', yPred, known));
  const k = known ?? max + 1;
  if (k < 1) throw new ValueError(invalid(where, 'yTrue', 'at least one label', 'no labels', 'Give numClasses or classNames.'));
  return k;
}

/**
 * sklearn's confusion_matrix: entry [i][j] counts samples of true class i predicted as class j.
 * @example confusionMatrix([0, 1, 1], [0, 1, 0]) // [[1, 0], [1, 1]]
 */
export function confusionMatrix(yTrue: Labels, yPred: Labels, options: { numClasses?: number } = {}): number[][] {
  const o = checkOptions<{ numClasses?: number }>('confusionMatrix', options, ['numClasses']);
  const k = classCount('confusionMatrix', yTrue, yPred, o.numClasses);
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) matrix[yTrue[i]!]![yPred[i]!]! += 1;
  return matrix;
}

/** numpy's pairwise summation (add.reduce on a contiguous float64 array), so means match numpy to the last bit. */
export function pairwiseSum(values: ArrayLike<number>, start = 0, n = values.length): number {
  if (n < 8) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[start + i]!;
    return sum;
  }
  if (n <= 128) {
    const r = Array.from({ length: 8 }, (_, j) => values[start + j]!);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j]! += values[start + i + j]!;
    let sum = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) sum += values[start + i]!;
    return sum;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return pairwiseSum(values, start, half) + pairwiseSum(values, start + half, n - half);
}

const ratio = (num: number, den: number, zeroDivision: number): number => (den === 0 ? zeroDivision : num / den);

/** F1 as sklearn computes it: 2PR / (P + R); 0 when P + R = 0, zeroDivision when the class has no samples and no predictions. */
function f1(precision: number, recall: number, tp: number, fp: number, fn: number, zeroDivision: number): number {
  if (tp + fp + fn === 0) return zeroDivision;
  const den = precision + recall;
  return den === 0 ? 0 : (2 * precision * recall) / den;
}

/** Per-class scores from a confusion matrix (rows = true class). */
export function scoresFromMatrix(matrix: number[][], zeroDivision: 0 | 1 = 0): ClassScores[] {
  const k = matrix.length;
  return matrix.map((row, c) => {
    const tp = row[c]!;
    const support = row.reduce((a, b) => a + b, 0);
    let predicted = 0;
    for (let r = 0; r < k; r++) predicted += matrix[r]![c]!;
    const precision = ratio(tp, predicted, zeroDivision);
    const recall = ratio(tp, support, zeroDivision);
    return { precision, recall, f1Score: f1(precision, recall, tp, predicted - tp, support - tp, zeroDivision), support };
  });
}

function average(scores: ClassScores[], weighted: boolean, zeroDivision: number): ClassScores {
  const support = scores.reduce((t, s) => t + s.support, 0);
  const pick = (key: 'precision' | 'recall' | 'f1Score'): number => {
    if (!weighted) return pairwiseSum(scores.map((s) => s[key])) / scores.length;
    // numpy.average(x, weights=w) = sum(x * w) / sum(w); sklearn gives zero_division when no class has samples.
    return support === 0 ? zeroDivision : pairwiseSum(scores.map((s) => s[key] * s.support)) / support;
  };
  return { precision: pick('precision'), recall: pick('recall'), f1Score: pick('f1Score'), support };
}

/** The report from an existing confusion matrix (so evaluateClassifier counts once). */
export function reportFromMatrix(matrix: number[][], classNames: string[], zeroDivision: 0 | 1 = 0): ClassificationReport {
  const scores = scoresFromMatrix(matrix, zeroDivision);
  let correct = 0;
  let total = 0;
  matrix.forEach((row, c) => {
    correct += row[c]!;
    total += row.reduce((a, b) => a + b, 0);
  });
  // sklearn's 'accuracy' row is the micro F1: 2PR/(P+R) with P = R = correct/total.
  const micro = ratio(correct, total, zeroDivision);
  const accuracy = micro + micro === 0 ? (total === 0 ? zeroDivision : 0) : (2 * micro * micro) / (micro + micro);
  return {
    classes: scores.map((s, c) => ({ name: classNames[c]!, ...s })),
    accuracy,
    macroAvg: average(scores, false, zeroDivision),
    weightedAvg: average(scores, true, zeroDivision),
    zeroDivision,
  };
}

/**
 * sklearn's classification_report as an object (format it with formatClassificationReport).
 * @example classificationReport([0, 1, 1], [0, 1, 0], { classNames: ['cat', 'dog'] }).classes[1].recall // 0.5
 */
export function classificationReport(
  yTrue: Labels,
  yPred: Labels,
  options: ClassificationReportOptions = {},
): ClassificationReport {
  const where = 'classificationReport';
  const o = checkOptions<ClassificationReportOptions>(where, options, ['classNames', 'numClasses', 'zeroDivision']);
  const zeroDivision = o.zeroDivision ?? 0;
  if (zeroDivision !== 0 && zeroDivision !== 1) throw new ConfigError(invalid(where, 'zeroDivision', '0 or 1', zeroDivision));
  const k = classCount(where, yTrue, yPred, o.numClasses, o.classNames);
  const names = o.classNames ?? Array.from({ length: k }, (_, i) => String(i));
  return reportFromMatrix(confusionMatrix(yTrue, yPred, { numClasses: k }), names, zeroDivision);
}

/** Python's format(x, '.{digits}f'): correctly rounded, exact ties to even (JS toFixed rounds ties up). */
export function pythonFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const exact = Math.abs(x).toFixed(100); // the double's exact decimal expansion (for |x| < 1e21)
  const point = exact.indexOf('.');
  const tail = exact.slice(point + 1 + digits);
  const tie = /^50*$/.test(tail);
  if (!tie) return x.toFixed(digits);
  const kept = exact.slice(0, point + 1 + digits).replace(/\.$/, '');
  // toFixed takes the larger neighbour on a tie: right when the kept last digit is odd, else truncate.
  const rounded = Number(kept.at(-1)) % 2 === 0 ? kept : Math.abs(x).toFixed(digits);
  return (x < 0 ? '-' : '') + rounded;
}

/**
 * The report as sklearn's classification_report prints it (same columns, widths and rounding).
 * @example console.log(formatClassificationReport(classificationReport(yTrue, yPred), 2));
 */
export function formatClassificationReport(report: ClassificationReport, digits = 2): string {
  if (!(Number.isInteger(digits) && digits >= 0 && digits <= 20)) {
    throw new ConfigError(invalid('formatClassificationReport', 'digits', 'an integer in [0, 20]', digits));
  }
  const heading = 'weighted avg';
  const width = Math.max(heading.length, digits, ...report.classes.map((c) => c.name.length));
  const right = (s: string, w: number) => s.padStart(w);
  const number = (x: number) => ` ${right(pythonFixed(x, digits), 9)}`;
  const row = (name: string, s: ClassScores) =>
    `${right(name, width)} ${number(s.precision)}${number(s.recall)}${number(s.f1Score)} ${right(String(s.support), 9)}\n`;
  let text = `${right('', width)} ${['precision', 'recall', 'f1-score', 'support'].map((h) => ` ${right(h, 9)}`).join('')}\n\n`;
  for (const c of report.classes) text += row(c.name, c);
  text += '\n';
  const total = report.macroAvg.support;
  text += `${right('accuracy', width)} ${' '.repeat(10)}${' '.repeat(10)}${number(report.accuracy)} ${right(String(total), 9)}\n`;
  text += row('macro avg', report.macroAvg);
  text += row('weighted avg', report.weightedAvg);
  return text;
}

/**
 * The off-diagonal cells of a confusion matrix, largest first (ties: by true, then predicted class), as fastai's
 * most_confused lists them. `minCount` drops rarer mix-ups.
 */
export function mostConfused(matrix: number[][], classNames: string[], limit = 10, minCount = 1): ConfusedPair[] {
  const pairs: ConfusedPair[] = [];
  matrix.forEach((row, t) => {
    row.forEach((count, p) => {
      if (t !== p && count >= minCount) {
        pairs.push({ trueClass: t, predictedClass: p, trueName: classNames[t]!, predictedName: classNames[p]!, count });
      }
    });
  });
  pairs.sort((a, b) => b.count - a.count || a.trueClass - b.trueClass || a.predictedClass - b.predictedClass);
  return pairs.slice(0, limit);
}
