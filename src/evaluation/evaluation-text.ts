// The printed form of an evaluateClassifier result: headline numbers, the confusion matrix as a table (rows = true
// class), sklearn's classification report text, the most-confused pairs and the top losses. Text only.

import { formatClassificationReport } from './classification-metrics.js';
import type { ClassifierEvaluation } from './evaluate-classifier.js';

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The confusion matrix with class indices as column heads and "index name" row labels. */
export function formatConfusionMatrix(matrix: number[][], classNames: string[]): string {
  const labels = classNames.map((name, i) => `${i} ${name}`);
  const labelWidth = Math.max(4, ...labels.map((l) => l.length));
  const cellWidth = Math.max(3, ...matrix.flat().map((v) => String(v).length), String(matrix.length - 1).length) + 1;
  const head = `${'true \\ pred'.padEnd(labelWidth)}${matrix.map((_, j) => String(j).padStart(cellWidth)).join('')}`;
  const rows = matrix.map(
    (row, i) => `${labels[i]!.padEnd(labelWidth)}${row.map((v) => String(v).padStart(cellWidth)).join('')}`,
  );
  return [head, ...rows].join('\n');
}

/**
 * The whole evaluation as text (what evaluateClassifier prints).
 * @example console.log(formatEvaluation(await evaluateClassifier(model, [x, y], { print: false })));
 */
export function formatEvaluation(result: ClassifierEvaluation, digits = 2): string {
  const lines: string[] = [];
  const kind = result.binary ? `binary, threshold ${result.threshold}` : `${result.classNames.length} classes`;
  lines.push(`Evaluated ${result.numSamples.toLocaleString('en-US')} samples (${kind}).`);
  lines.push(`loss: ${result.loss.toFixed(4)} (${result.lossName})`, `accuracy: ${result.accuracy.toFixed(4)}`);
  if (result.topK) lines.push(`top-${result.topK.k} accuracy: ${result.topK.accuracy.toFixed(4)}`);
  lines.push('', 'Confusion matrix (rows = true class, columns = predicted class):');
  lines.push(formatConfusionMatrix(result.confusionMatrix, result.classNames));
  lines.push('', 'Classification report:');
  lines.push(formatClassificationReport(result.classificationReport, digits).trimEnd());
  if (result.mostConfused.length > 0) {
    lines.push('', 'Most confused (true -> predicted: samples):');
    for (const p of result.mostConfused) lines.push(`  ${p.trueName} -> ${p.predictedName}: ${p.count}`);
  }
  if (result.topLosses.length > 0) {
    lines.push('', 'Top losses (index: true -> predicted (confidence), loss):');
    for (const e of result.topLosses) {
      const where = e.path ? `  ${e.path}` : '';
      lines.push(`  #${e.index}: ${e.trueName} -> ${e.predictedName} (${percent(e.confidence)}), ${e.loss.toFixed(4)}${where}`);
    }
  }
  return lines.join('\n');
}
