// Keras Adam (lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7) over the backend's adamUpdate kernel.
// Not supported: amsgrad.

import type { Backend } from '../../backend/backend.js';
import { ConfigError } from '../../errors.js';
import type { LayerWeight } from '../../layers/layer.js';
import { withPositional } from '../../options.js';
import type { LearningRateSchedule } from '../schedules.js';
import { BASE_OPTIMIZER_KEYS, Optimizer, type OptimizerConfig } from './optimizer.js';

export interface AdamConfig extends OptimizerConfig {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  amsgrad?: boolean;
}

export const ADAM_KEYS = [...BASE_OPTIMIZER_KEYS, 'beta1', 'beta2', 'epsilon', 'amsgrad'];
/** Keras's positional order: Adam(learning_rate, beta_1, beta_2, epsilon). */
const POSITIONAL = ['learningRate', 'beta1', 'beta2', 'epsilon'];

/** @example model.compile({ optimizer: new Adam(3e-4), loss: 'categoricalCrossentropy' }) */
export class Adam extends Optimizer {
  readonly className: string = 'Adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(learningRate?: number | LearningRateSchedule, options?: Omit<AdamConfig, 'learningRate'>);
  constructor(config?: AdamConfig);
  constructor(...args: unknown[]) {
    const config = withPositional<AdamConfig>('Adam', args, POSITIONAL, ADAM_KEYS);
    super(config, { learningRate: 0.001, name: 'adam' });
    this.beta1 = config.beta1 ?? 0.9;
    this.beta2 = config.beta2 ?? 0.999;
    this.epsilon = config.epsilon ?? 1e-7;
    if (config.amsgrad) throw new ConfigError(`${this.name}: 'amsgrad' is not supported. Expected false, received true.`);
  }

  protected slotNames(): string[] {
    return ['momentum', 'velocity'];
  }

  protected updateStep(backend: Backend, w: LayerWeight, slots: Float32Array[], learningRate: number, step: number): void {
    backend.adamUpdate(w.value, w.grad, slots[0]!, slots[1]!, {
      learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      step,
      weightDecay: this.weightDecay ?? 0,
    });
  }

  protected ownConfig(): Record<string, unknown> {
    return { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, amsgrad: false };
  }

  protected kerasOwnConfig(): Record<string, unknown> {
    return { beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon, amsgrad: false };
  }
}
