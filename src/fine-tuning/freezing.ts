// Freezing and unfreezing layers for fine-tuning, counted as Keras counts them: `model.layers` (for a Functional
// model the InputLayer first), so `unfreeze(model, { last: 5 })` is seed 004's `for layer in model.layers[-5:]:
// layer.trainable = True`. A frozen layer gets no gradient and no update; a frozen BatchNormalization runs in
// inference mode (moving statistics) even inside fit, as in Keras 2.1+. Recompile afterwards (Keras needs it too).

import { ConfigError, invalid, NotFoundError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import type { Model } from '../models/model.js';
import { checkOptions } from '../options.js';

/** Sets `trainable = false` on every layer of `model.layers` (the model itself stays trainable, as in seed 004). */
export function freeze(model: Model): void {
  model.syncTrainable();
  for (const layer of model.layers) layer.trainable = false;
}

export interface UnfreezeOptions {
  /** Unfreeze the last N layers of `model.layers` (Keras's `model.layers[-N:]`). */
  last?: number;
  /** Unfreeze these layers by name. */
  names?: string[];
}

/**
 * Sets `trainable = true` on the last N layers and/or the named ones; returns the layers it unfroze. Layers without
 * weights (ReLU, pooling) count as layers, as in Keras.
 * @example freeze(model); unfreeze(model, { last: 5 }); model.compile({ optimizer: new Adam(1e-5), loss, metrics });
 */
export function unfreeze(model: Model, rawOptions: UnfreezeOptions): Layer[] {
  const options = checkOptions<UnfreezeOptions>('unfreeze', rawOptions, ['last', 'names']);
  const layers = model.layers;
  const chosen = new Set<Layer>();
  if (options.last === undefined && options.names === undefined) {
    throw new ConfigError(invalid('unfreeze', 'options', "'last' (a layer count) or 'names' (layer names)", rawOptions));
  }
  if (options.last !== undefined) {
    const last = options.last;
    if (!Number.isInteger(last) || last < 0 || last > layers.length) {
      throw new ConfigError(
        invalid('unfreeze', 'last', `an integer from 0 to ${layers.length} (the layers of ${model.name})`, last),
      );
    }
    for (const layer of last === 0 ? [] : layers.slice(-last)) chosen.add(layer);
  }
  if (options.names !== undefined) {
    if (!Array.isArray(options.names))
      throw new ConfigError(invalid('unfreeze', 'names', 'an array of layer names', options.names));
    for (const name of options.names) {
      const layer = layers.find((l) => l.name === name);
      if (!layer) {
        throw new NotFoundError(
          invalid(
            'unfreeze',
            'names',
            `names of layers of ${model.name}`,
            name,
            `Nested models count as one layer; flattenModel() lists their layers. Layers: ${layers.map((l) => l.name).join(', ')}.`,
          ),
        );
      }
      chosen.add(layer);
    }
  }
  for (const layer of chosen) {
    if (layer.className !== 'InputLayer') layer.trainable = true;
  }
  return [...chosen];
}
