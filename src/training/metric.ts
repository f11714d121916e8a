// The Metric base every Keras metric here extends: a running value updated per batch, read any time, reset per
// epoch. Also the label-kind rule shared by the accuracy metrics. Arithmetic stays cheap and outside the backend.

import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';

/** How labels are encoded relative to predictions. */
export type LabelKind = 'sparse' | 'categorical' | 'binary';

/** Decides the label kind like Keras: one output unit -> binary, one fewer label dim (or last dim 1) -> sparse. */
export function labelKind(yPred: Tensor, yTrue: Tensor): LabelKind {
  const classes = yPred.shape[yPred.shape.length - 1] ?? 1;
  if (classes === 1) return 'binary';
  if (yTrue.shape.length < yPred.shape.length || yTrue.shape[yTrue.shape.length - 1] === 1) return 'sparse';
  return 'categorical';
}

export abstract class Metric {
  constructor(readonly name: string) {}
  abstract update(yPred: Tensor, yTrue: Tensor, backend: Backend): void;
  abstract result(): number;
  abstract reset(): void;
  /** The options that rebuild this metric (camelCase), saved in a .keras compile_config. */
  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}
