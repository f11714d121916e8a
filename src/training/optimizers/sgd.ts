// Keras SGD (lr 0.01, optional momentum and Nesterov) over the backend's sgdUpdate kernel.

import type { Backend } from '../../backend/backend.js';
import { ConfigError, invalid } from '../../errors.js';
import type { LayerWeight } from '../../layers/layer.js';
import { withPositional } from '../../options.js';
import type { LearningRateSchedule } from '../schedules.js';
import { BASE_OPTIMIZER_KEYS, Optimizer, type OptimizerConfig } from './optimizer.js';

export interface SgdConfig extends OptimizerConfig {
  momentum?: number;
  nesterov?: boolean;
}

const KEYS = [...BASE_OPTIMIZER_KEYS, 'momentum', 'nesterov'];

/** @example new SGD(0.1, { momentum: 0.9 }) */
export class SGD extends Optimizer {
  readonly className = 'SGD';
  readonly momentum: number;
  readonly nesterov: boolean;

  constructor(learningRate?: number | LearningRateSchedule, options?: Omit<SgdConfig, 'learningRate'>);
  constructor(config?: SgdConfig);
  constructor(...args: unknown[]) {
    // Keras's order: SGD(learning_rate, momentum, nesterov).
    const config = withPositional<SgdConfig>('SGD', args, ['learningRate', 'momentum', 'nesterov'], KEYS);
    super(config, { learningRate: 0.01, name: 'SGD' });
    this.momentum = config.momentum ?? 0;
    this.nesterov = config.nesterov ?? false;
    if (!(this.momentum >= 0 && this.momentum <= 1))
      throw new ConfigError(invalid('SGD', 'momentum', 'a number in [0, 1]', config.momentum));
  }

  protected slotNames(): string[] {
    return this.momentum > 0 ? ['momentum'] : [];
  }

  protected updateStep(backend: Backend, w: LayerWeight, slots: Float32Array[], learningRate: number): void {
    backend.sgdUpdate(w.value, w.grad, slots[0] ?? null, {
      learningRate,
      momentum: this.momentum,
      nesterov: this.nesterov,
      weightDecay: this.weightDecay ?? 0,
    });
  }

  protected ownConfig(): Record<string, unknown> {
    return { momentum: this.momentum, nesterov: this.nesterov };
  }

  protected kerasOwnConfig(): Record<string, unknown> {
    return { momentum: this.momentum, nesterov: this.nesterov };
  }
}
