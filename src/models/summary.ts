// model.summary(): Keras's text table (the Keras 2 plain-text layout, with Keras 3's parameter sizes in bytes):
// one row per layer with type, output shape and parameter count, "Connected to" for functional models, and
// optional FLOPs / activation-memory columns. Not here: nested expansion (expand_nested), rich/box drawing.

import { ConfigError } from '../errors.js';
import { formatShape, type Shape } from '../tensor.js';
import type { Model } from './model.js';

export interface SummaryOptions {
  /** Where lines go (console.log by default). Pass () => {} to only get the returned string. */
  printFn?: (line: string) => void;
  /** Total width; Keras: 65 for Sequential, 98 for functional. */
  lineLength?: number;
  /** Adds per-layer multiply-adds and activation memory (float32 bytes per sample) columns. */
  showFlops?: boolean;
}

/** Keras 3 readable_memory_size: '879.04 KB'. */
export function readableBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let size = bytes;
  for (const unit of units) {
    if (size / 1024 <= 1) return `${size.toFixed(2)} ${unit}`;
    size /= 1024;
  }
  return `${size.toFixed(2)} EB`;
}

const thousands = (n: number): string => n.toLocaleString('en-US');

/** Keras's print_row: fields wrapped into fixed columns, breaking after '),' where possible. */
function formatRow(fields: string[], positions: number[]): string[] {
  const left = [...fields];
  const lines: string[] = [];
  while (left.some((f) => f.length > 0)) {
    let line = '';
    for (let col = 0; col < left.length; col++) {
      const start = col > 0 ? positions[col - 1]! : 0;
      const space = col !== positions.length - 1 ? 2 : 0;
      let cutoff = positions[col]! - start - space;
      let fit = left[col]!.slice(0, cutoff);
      const breaks = ['),', '},', '],', "',"]
        .map((b) => (fit.indexOf(b) >= 0 ? fit.indexOf(b) + b.length : -1))
        .filter((c) => c >= 0);
      if (breaks.length) {
        cutoff = Math.min(...breaks);
        fit = fit.slice(0, cutoff);
      }
      if (col === 0) line += ' ';
      line += fit + ' '.repeat(space);
      left[col] = left[col]!.slice(cutoff);
      line += ' '.repeat(Math.max(0, positions[col]! - line.length));
    }
    lines.push(line);
  }
  return lines;
}

/**
 * Renders (and prints) the summary table.
 * @example summary(model, { printFn: () => {} }).includes('Total params: 225,034 (879.04 KB)')
 */
export function summary(model: Model, options: SummaryOptions = {}): string {
  if (!model.built) {
    throw new ConfigError(
      `${model.name}.summary: the model has not been built yet. Give the first layer an 'inputShape', start with Input(), or fit it on data first.`,
    );
  }
  model.syncTrainable();
  const sequential = model.className === 'Sequential';
  const flops = options.showFlops ?? false;
  const lineLength = options.lineLength ?? (sequential ? 65 : 98) + (flops ? 30 : 0);
  const fractions = sequential ? [0.45, 0.85, 1] : [0.33, 0.55, 0.67, 1];
  let positions = fractions.map((p) => Math.floor(lineLength * p));
  const header = ['Layer (type)', 'Output Shape', 'Param #'];
  if (!sequential) header.push('Connected to');
  if (flops) {
    const base = sequential ? 65 : 98;
    positions = fractions.map((p) => Math.floor(base * p));
    positions.push(base + 15, base + 30);
    header.push('FLOPs', 'Act. memory');
  }
  const out: string[] = [
    `Model: "${model.name}"`,
    '_'.repeat(lineLength),
    ...formatRow(header, positions),
    '='.repeat(lineLength),
  ];
  const rows: string[][] = [];
  if (!sequential) {
    for (const t of model.inputs)
      rows.push([`${t.name} (InputLayer)`, `[${formatShape(t.shape)}]`, '0', '[]', ...(flops ? ['0', '0 B'] : [])]);
  }
  for (const node of model.graphNodes) {
    const layer = node.layer;
    const shape: Shape = node.tensor.shape;
    const row = [`${layer.name} (${layer.className})`, formatShape(shape), String(layer.countParams())];
    if (!sequential)
      row.push(
        node.tensor.inbound
          .map((t) => `'${t.name}[0][0]'`)
          .join(', ')
          .replace(/^(.+)$/, '[$1]') || '[]',
      );
    if (flops) {
      const activations = shape.slice(1).reduce<number>((t, d) => t * (d ?? 1), 1);
      row.push(thousands(layer.flopsPerSample()), readableBytes(activations * 4));
    }
    rows.push(row);
  }
  rows.forEach((row, i) => {
    out.push(...formatRow(row, positions));
    out.push(i === rows.length - 1 ? '='.repeat(lineLength) : ' '.repeat(lineLength));
  });
  const total = model.countParams();
  const trainable = model.trainableWeights.reduce((t, w) => t + w.value.length, 0);
  out.push(`Total params: ${thousands(total)} (${readableBytes(total * 4)})`);
  out.push(`Trainable params: ${thousands(trainable)} (${readableBytes(trainable * 4)})`);
  out.push(`Non-trainable params: ${thousands(total - trainable)} (${readableBytes((total - trainable) * 4)})`);
  if (flops) out.push(`Total FLOPs per sample: ${thousands(model.flopsPerSample())}`);
  out.push('_'.repeat(lineLength));
  const text = out.join('\n');
  const print = options.printFn ?? console.log;
  for (const line of out) print(line);
  return text;
}
