// Builders for the architectures of the seed notes: the MNIST CNN (seed 000/001), the Fashion CNN, LeNet-5 and the
// BatchNorm + Dropout CNN (seed 003), and a plain MLP for the parameter comparison. Each returns an uncompiled model.

import { ConfigError, describe } from '../errors.js';
import { AveragePooling2D } from '../layers/average-pooling2d.js';
import { BatchNormalization } from '../layers/batch-normalization.js';
import { Conv2D } from '../layers/conv2d.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import { Flatten } from '../layers/flatten.js';
import { MaxPooling2D } from '../layers/max-pooling2d.js';
import { Sequential } from '../models/sequential.js';
import { checkOptions } from '../options.js';

export interface SeedModelOptions {
  /** One sample's shape, [H, W, C]. Default [28, 28, 1]. */
  inputShape?: [number, number, number];
  numClasses?: number;
}

const SEED_KEYS = ['inputShape', 'numClasses'];

/** Seed 000: Conv2D(32,3x3,relu) MaxPool Conv2D(64,3x3,relu) MaxPool Flatten Dense(128,relu) Dense(10,softmax). 225,034 params. */
export function mnistCnn(rawOptions?: SeedModelOptions): Sequential {
  const options = checkOptions<SeedModelOptions>('mnistCnn', rawOptions, SEED_KEYS);
  const inputShape = options.inputShape ?? [28, 28, 1];
  return new Sequential(
    [
      new Conv2D(32, 3, { activation: 'relu', inputShape }),
      new MaxPooling2D(2),
      new Conv2D(64, 3, { activation: 'relu' }),
      new MaxPooling2D(2),
      new Flatten(),
      new Dense(128, { activation: 'relu' }),
      new Dense(options.numClasses ?? 10, { activation: 'softmax' }),
    ],
    { name: 'mnist_cnn' },
  );
}

/** Seed 003's first CNN: Conv2D(5,3x3,same,relu) MaxPool Flatten Dense(120,relu) Dense(10,softmax). 118,980 params. */
export function fashionCnn(rawOptions?: SeedModelOptions): Sequential {
  const options = checkOptions<SeedModelOptions>('fashionCnn', rawOptions, SEED_KEYS);
  const inputShape = options.inputShape ?? [28, 28, 1];
  return new Sequential(
    [
      new Conv2D(5, 3, { activation: 'relu', padding: 'same', inputShape }),
      new MaxPooling2D(2),
      new Flatten(),
      new Dense(120, { activation: 'relu' }),
      new Dense(options.numClasses ?? 10, { activation: 'softmax' }),
    ],
    { name: 'fashion_cnn' },
  );
}

/** LeNet-5 adapted to 28x28 (seed 003, Desafio 3): C1 6@5x5 same tanh, S2 avg, C3 16@5x5, S4 avg, F5 120, F6 84, softmax. */
export function lenet5(rawOptions?: SeedModelOptions): Sequential {
  const options = checkOptions<SeedModelOptions>('lenet5', rawOptions, SEED_KEYS);
  const inputShape = options.inputShape ?? [28, 28, 1];
  return new Sequential(
    [
      new Conv2D(6, 5, { activation: 'tanh', padding: 'same', inputShape }),
      new AveragePooling2D(2),
      new Conv2D(16, 5, { activation: 'tanh' }),
      new AveragePooling2D(2),
      new Flatten(),
      new Dense(120, { activation: 'tanh' }),
      new Dense(84, { activation: 'tanh' }),
      new Dense(options.numClasses ?? 10, { activation: 'softmax' }),
    ],
    { name: 'lenet5' },
  );
}

/** Seed 003's "para testar se melhora" CNN: three Conv2D + BatchNormalization blocks, Dense 256, Dropout 0.5. */
export function bnDropoutCnn(rawOptions?: SeedModelOptions): Sequential {
  const options = checkOptions<SeedModelOptions>('bnDropoutCnn', rawOptions, SEED_KEYS);
  const inputShape = options.inputShape ?? [28, 28, 1];
  return new Sequential(
    [
      new Conv2D(32, 3, { activation: 'relu', padding: 'same', inputShape }),
      new BatchNormalization(),
      new Conv2D(64, 3, { activation: 'relu', padding: 'same' }),
      new BatchNormalization(),
      new MaxPooling2D(2),
      new Conv2D(128, 3, { activation: 'relu', padding: 'same' }),
      new BatchNormalization(),
      new MaxPooling2D(2),
      new Flatten(),
      new Dense(256, { activation: 'relu' }),
      new Dropout(0.5),
      new Dense(options.numClasses ?? 10, { activation: 'softmax' }),
    ],
    { name: 'bn_dropout_cnn' },
  );
}

/** A plain MLP: Flatten, Dense(128, relu), Dense(10, softmax) (seed 003's comparison with a CNN). */
export function mlp(rawOptions?: SeedModelOptions & { hiddenUnits?: number[] }): Sequential {
  const options = checkOptions<SeedModelOptions & { hiddenUnits?: number[] }>('mlp', rawOptions, [...SEED_KEYS, 'hiddenUnits']);
  const inputShape = options.inputShape ?? [28, 28, 1];
  const hidden = (options.hiddenUnits ?? [128]).map((units) => new Dense(units, { activation: 'relu' }));
  return new Sequential(
    [new Flatten({ inputShape }), ...hidden, new Dense(options.numClasses ?? 10, { activation: 'softmax' })],
    {
      name: 'mlp',
    },
  );
}

export const SEED_MODELS = {
  'mnist-cnn': mnistCnn,
  'fashion-cnn': fashionCnn,
  lenet5,
  'bn-dropout-cnn': bnDropoutCnn,
  mlp,
} as const;

export type SeedModelName = keyof typeof SEED_MODELS;

/** Builds a seed model by its CLI name; unknown names list the valid ones. */
export function buildSeedModel(name: string, options: SeedModelOptions = {}): Sequential {
  const builder = (SEED_MODELS as Record<string, (o: SeedModelOptions) => Sequential>)[name];
  if (!builder) {
    throw new ConfigError(
      `buildSeedModel: invalid 'name'. Expected one of ${Object.keys(SEED_MODELS).join(', ')}, received ${describe(name)}.`,
    );
  }
  return builder(options);
}
