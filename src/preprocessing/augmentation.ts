// Preprocessing layers applied in the data pipeline instead of inside the model, as Keras's
// `ds.map(lambda x, y: (data_augmentation(x, training=True), y))`: `augmentation(layers, { seed })` returns a
// function for a dataset's `map` that runs the layers in training mode on each batch's images, on the current
// backend, drawing from its own seeded stream (layers with their own seed keep theirs), so a seed gives the same
// augmented batches every run. Labels pass through untouched. The layers are not saved with any model.

import { getBackend } from '../backend/registry.js';
import { ConfigError, invalid } from '../errors.js';
import { type CallContext, Layer } from '../layers/layer.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import type { InputBatch } from '../training/data.js';
import { drawSeed } from '../training/seed.js';

export interface AugmentationOptions {
  /** Seed of the stream the layers without their own seed draw from; default a seed from setRandomSeed or random. */
  seed?: number;
}

/** A batch transform: `augment(batch)` gives the batch with its images augmented; `augment.images(x)` the images. */
export interface Augment {
  <B extends InputBatch>(batch: B): B;
  images(x: Tensor): Tensor;
}

/**
 * Builds the batch transform for `dataset.map(...)`. Each call advances the stream, so consecutive batches (and
 * epochs) get new transforms, reproducibly for a given seed.
 * @example train.map(augmentation([new RandomFlip('horizontal'), new RandomRotation(0.1)], { seed: 1 }))
 */
export function augmentation(layers: Layer[], options?: AugmentationOptions): Augment {
  const o = checkOptions<AugmentationOptions>('augmentation', options, ['seed']);
  if (!Array.isArray(layers) || layers.length === 0 || !layers.every((layer) => layer instanceof Layer)) {
    throw new ConfigError(invalid('augmentation', 'layers', 'a non-empty list of preprocessing layers', layers));
  }
  if (o.seed !== undefined && !Number.isInteger(o.seed))
    throw new ConfigError(invalid('augmentation', 'seed', 'an integer', o.seed));
  const rng = { seed: o.seed ?? drawSeed(), offset: 0 };
  const images = (x: Tensor): Tensor => {
    const ctx: CallContext = { backend: getBackend(), training: true, needsInputGrad: false, rng };
    let out = x;
    for (const layer of layers) {
      if (!layer.built) layer.build([null, ...x.shape.slice(1)]);
      out = layer.forward([out], ctx);
    }
    // Layers reuse their output buffers from call to call: the batch gets its own copy.
    return out === x ? x : { data: out.data.slice(), shape: [...out.shape] };
  };
  const augment = <B extends InputBatch>(batch: B): B => {
    if (Array.isArray(batch.x)) {
      throw new ConfigError(
        invalid('augmentation', 'batch.x', 'one image tensor (N, H, W, C)', `${batch.x.length} input tensors`),
      );
    }
    return { ...batch, x: images(batch.x) };
  };
  return Object.assign(augment, { images });
}
