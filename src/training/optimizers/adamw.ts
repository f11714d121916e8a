// Keras AdamW: Adam with decoupled weight decay (default 0.004), applied by the adamUpdate kernel.

import { withPositional } from '../../options.js';
import type { LearningRateSchedule } from '../schedules.js';
import { ADAM_KEYS, Adam, type AdamConfig } from './adam.js';

/** @example new AdamW(1e-3, { weightDecay: 0.01 }) */
export class AdamW extends Adam {
  override readonly className: string = 'AdamW';

  constructor(learningRate?: number | LearningRateSchedule, options?: Omit<AdamConfig, 'learningRate'>);
  constructor(config?: AdamConfig);
  constructor(...args: unknown[]) {
    // Keras's order: AdamW(learning_rate, weight_decay, beta_1, beta_2, epsilon).
    const config = withPositional<AdamConfig>(
      'AdamW',
      args,
      ['learningRate', 'weightDecay', 'beta1', 'beta2', 'epsilon'],
      ADAM_KEYS,
    );
    super({ ...config, weightDecay: config.weightDecay ?? 0.004, name: config.name ?? 'adamw' });
  }
}
