// Keras losses by name or instance. The math is the backend's lossForward kernel (per-sample losses and the
// gradient of their batch mean); this file only resolves names and carries options. Not here: custom losses.

import type { LossKind } from '../backend/backend.js';
import { ConfigError, invalid } from '../errors.js';
import { withPositional } from '../options.js';

export interface LossOptions {
  /** The prediction is logits (softmax/sigmoid applied inside the loss). Default false. */
  fromLogits?: boolean;
  /** Keras label smoothing in [0, 1). Default 0. */
  labelSmoothing?: number;
  name?: string;
}

/** A configured loss: the kernel kind plus Keras options. */
export class Loss {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly name: string;

  constructor(
    readonly kind: LossKind,
    options: LossOptions = {},
  ) {
    const accepted = kind === 'meanSquaredError' ? ['name'] : ['fromLogits', 'labelSmoothing', 'name'];
    withPositional(CLASS[kind] ?? String(kind), [options], [], accepted);
    this.fromLogits = options.fromLogits ?? false;
    if (typeof this.fromLogits !== 'boolean')
      throw new ConfigError(invalid(CLASS[kind], 'fromLogits', 'true or false', this.fromLogits));
    this.labelSmoothing = options.labelSmoothing ?? 0;
    if (!(this.labelSmoothing >= 0 && this.labelSmoothing < 1)) {
      throw new ConfigError(invalid(kind, 'labelSmoothing', 'a number in [0, 1)', options.labelSmoothing));
    }
    this.name = options.name ?? SNAKE[kind];
  }

  /** Keras's serialised form. */
  toKerasConfig(): { class_name: string; config: Record<string, unknown> } {
    const config: Record<string, unknown> = { name: this.name, reduction: 'sum_over_batch_size' };
    if (this.kind !== 'meanSquaredError') config.from_logits = this.fromLogits;
    if (this.kind === 'categoricalCrossentropy' || this.kind === 'binaryCrossentropy')
      config.label_smoothing = this.labelSmoothing;
    return { class_name: CLASS[this.kind], config };
  }
}

const SNAKE: Record<LossKind, string> = {
  categoricalCrossentropy: 'categorical_crossentropy',
  sparseCategoricalCrossentropy: 'sparse_categorical_crossentropy',
  binaryCrossentropy: 'binary_crossentropy',
  meanSquaredError: 'mean_squared_error',
};

const CLASS: Record<LossKind, string> = {
  categoricalCrossentropy: 'CategoricalCrossentropy',
  sparseCategoricalCrossentropy: 'SparseCategoricalCrossentropy',
  binaryCrossentropy: 'BinaryCrossentropy',
  meanSquaredError: 'MeanSquaredError',
};

const ALIASES: Record<string, LossKind> = {};
for (const kind of Object.keys(SNAKE) as LossKind[]) {
  ALIASES[kind.toLowerCase()] = kind;
  ALIASES[SNAKE[kind]] = kind;
  ALIASES[CLASS[kind].toLowerCase()] = kind;
}
ALIASES.mse = 'meanSquaredError';

/** The accepted loss names (camelCase), for error messages and docs. */
export const LOSS_NAMES: readonly string[] = Object.keys(SNAKE);

/**
 * Resolves 'sparse_categorical_crossentropy', 'sparseCategoricalCrossentropy', 'SparseCategoricalCrossentropy',
 * 'mse' or a Loss instance.
 * @example getLoss('categorical_crossentropy').kind === 'categoricalCrossentropy'
 */
export function getLoss(loss: string | Loss): Loss {
  if (loss instanceof Loss) return loss;
  const kind = typeof loss === 'string' ? ALIASES[loss.toLowerCase()] : undefined;
  if (!kind) {
    throw new ConfigError(
      invalid('compile', 'loss', `one of ${LOSS_NAMES.join(', ')} (camelCase or snake_case) or a Loss`, loss),
    );
  }
  return new Loss(kind);
}

const LOSS_KEYS = ['fromLogits', 'labelSmoothing', 'name'];

/**
 * Keras class-style constructors, with Keras's positional order (fromLogits, labelSmoothing).
 * @example new CategoricalCrossentropy({ labelSmoothing: 0.1 }); new SparseCategoricalCrossentropy(true)
 */
export class CategoricalCrossentropy extends Loss {
  constructor(fromLogits?: boolean, options?: Omit<LossOptions, 'fromLogits'>);
  constructor(options?: LossOptions);
  constructor(...args: unknown[]) {
    super(
      'categoricalCrossentropy',
      withPositional('CategoricalCrossentropy', args, ['fromLogits', 'labelSmoothing'], LOSS_KEYS),
    );
  }
}

export class SparseCategoricalCrossentropy extends Loss {
  constructor(fromLogits?: boolean, options?: Omit<LossOptions, 'fromLogits'>);
  constructor(options?: LossOptions);
  constructor(...args: unknown[]) {
    super('sparseCategoricalCrossentropy', withPositional('SparseCategoricalCrossentropy', args, ['fromLogits'], LOSS_KEYS));
  }
}

export class BinaryCrossentropy extends Loss {
  constructor(fromLogits?: boolean, options?: Omit<LossOptions, 'fromLogits'>);
  constructor(options?: LossOptions);
  constructor(...args: unknown[]) {
    super('binaryCrossentropy', withPositional('BinaryCrossentropy', args, ['fromLogits', 'labelSmoothing'], LOSS_KEYS));
  }
}

export class MeanSquaredError extends Loss {
  constructor(options: Omit<LossOptions, 'fromLogits' | 'labelSmoothing'> = {}) {
    super('meanSquaredError', options);
  }
}
