// Keras AdamW: Adam with decoupled weight decay (default 0.004), applied by the adamUpdate kernel.

import type { AdamConfig } from './adam.js';
import { Adam } from './adam.js';

/** @example new AdamW({ learningRate: 1e-3, weightDecay: 0.01 }) */
export class AdamW extends Adam {
  override readonly className: string = 'AdamW';

  constructor(config: AdamConfig = {}) {
    super({ ...config, weightDecay: config.weightDecay ?? 0.004 }, { learningRate: 0.001, name: 'adamw' });
  }
}
