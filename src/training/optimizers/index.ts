// Optimizer registry: Keras names ('adam', 'sgd', 'rmsprop', 'adamw') or instances.

import { ConfigError, invalid } from '../../errors.js';
import { Adam } from './adam.js';
import { AdamW } from './adamw.js';
import type { Optimizer } from './optimizer.js';
import { Optimizer as OptimizerBase } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

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

/**
 * Resolves an optimizer by case-insensitive name with Keras defaults, or passes an instance through.
 * @example getOptimizer('adam').currentLearningRate() === 0.001
 */
export function getOptimizer(optimizer: string | Optimizer): Optimizer {
  if (optimizer instanceof OptimizerBase) return optimizer;
  const make = typeof optimizer === 'string' ? OPTIMIZERS[optimizer.toLowerCase()] : undefined;
  if (!make) throw new ConfigError(invalid('compile', 'optimizer', `one of ${Object.keys(OPTIMIZERS).join(', ')} or an Optimizer`, optimizer));
  return make();
}
