// Keras RMSprop (lr 0.001, rho 0.9, momentum 0, epsilon 1e-7, centered false) over the rmspropUpdate kernel.

import type { Backend } from '../../backend/backend.js';
import type { LayerWeight } from '../../layers/layer.js';
import { withPositional } from '../../options.js';
import type { LearningRateSchedule } from '../schedules.js';
import { BASE_OPTIMIZER_KEYS, Optimizer, type OptimizerConfig } from './optimizer.js';

export interface RmspropConfig extends OptimizerConfig {
  rho?: number;
  momentum?: number;
  epsilon?: number;
  centered?: boolean;
}

const KEYS = [...BASE_OPTIMIZER_KEYS, 'rho', 'momentum', 'epsilon', 'centered'];

/** @example new RMSprop(1e-3, { rho: 0.9 }) */
export class RMSprop extends Optimizer {
  readonly className = 'RMSprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;

  constructor(learningRate?: number | LearningRateSchedule, options?: Omit<RmspropConfig, 'learningRate'>);
  constructor(config?: RmspropConfig);
  constructor(...args: unknown[]) {
    // Keras's order: RMSprop(learning_rate, rho, momentum, epsilon, centered).
    const config = withPositional<RmspropConfig>(
      'RMSprop',
      args,
      ['learningRate', 'rho', 'momentum', 'epsilon', 'centered'],
      KEYS,
    );
    super(config, { learningRate: 0.001, name: 'rmsprop' });
    this.rho = config.rho ?? 0.9;
    this.momentum = config.momentum ?? 0;
    this.epsilon = config.epsilon ?? 1e-7;
    this.centered = config.centered ?? false;
  }

  /** Keras order: velocities, then momentums, then average gradients. */
  protected slotNames(): string[] {
    return ['velocity', ...(this.momentum > 0 ? ['momentum'] : []), ...(this.centered ? ['average_gradient'] : [])];
  }

  protected updateStep(backend: Backend, w: LayerWeight, slots: Float32Array[], learningRate: number): void {
    const momentumBuf = this.momentum > 0 ? slots[1]! : null;
    const meanGrad = this.centered ? slots[this.momentum > 0 ? 2 : 1]! : null;
    backend.rmspropUpdate(w.value, w.grad, slots[0]!, meanGrad, momentumBuf, {
      learningRate,
      rho: this.rho,
      momentum: this.momentum,
      epsilon: this.epsilon,
      centered: this.centered,
      weightDecay: this.weightDecay ?? 0,
    });
  }

  protected ownConfig(): Record<string, unknown> {
    return { rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }

  protected kerasOwnConfig(): Record<string, unknown> {
    return { rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }
}
