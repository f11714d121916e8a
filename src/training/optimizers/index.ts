// Optimizer registry: Keras names ('adam', 'sgd', 'rmsprop', 'adamw') or instances.

import { ConfigError, invalid } from '../../errors.js';
import { Adam, type AdamConfig } from './adam.js';
import { AdamW } from './adamw.js';
import type { Optimizer } from './optimizer.js';
import { Optimizer as OptimizerBase } from './optimizer.js';
import { RMSprop, type RmspropConfig } from './rmsprop.js';
import { SGD, type SgdConfig } from './sgd.js';

export { Adam, type AdamConfig } from './adam.js';
export { AdamW } from './adamw.js';
export { Optimizer, type OptimizerConfig, type OptimizerVariable } from './optimizer.js';
export { RMSprop, type RmspropConfig } from './rmsprop.js';
export { SGD, type SgdConfig } from './sgd.js';

export const OPTIMIZERS: Record<string, () => Optimizer> = {
  adam: () => new Adam(),
  sgd: () => new SGD(),
  rmsprop: () => new RMSprop(),
  adamw: () => new AdamW(),
};

/** An optimizer by name with options: { name: 'sgd', learningRate: 0.1, momentum: 0.9 }. */
export interface OptimizerSpec extends AdamConfig, SgdConfig, RmspropConfig {
  name: string;
}

const CONFIGURED: Record<string, (config: Omit<OptimizerSpec, 'name'>) => Optimizer> = {
  adam: (c) => new Adam(c),
  sgd: (c) => new SGD(c),
  rmsprop: (c) => new RMSprop(c),
  adamw: (c) => new AdamW(c),
};

/**
 * Resolves an optimizer by case-insensitive name with Keras defaults, or passes an instance through.
 * @example getOptimizer('adam').currentLearningRate() === 0.001
 */
export function getOptimizer(optimizer: string | Optimizer | OptimizerSpec): Optimizer {
  if (optimizer instanceof OptimizerBase) return optimizer;
  if (optimizer && typeof optimizer === 'object' && typeof optimizer.name === 'string') {
    const { name, ...config } = optimizer;
    const make = CONFIGURED[name.toLowerCase()];
    if (make) return make(config);
  }
  const make = typeof optimizer === 'string' ? OPTIMIZERS[optimizer.toLowerCase()] : undefined;
  if (!make)
    throw new ConfigError(
      invalid('compile', 'optimizer', `one of ${Object.keys(OPTIMIZERS).join(', ')} or an Optimizer`, optimizer),
    );
  return make();
}
