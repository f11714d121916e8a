// Type-level test, checked by `tsc --noEmit` (CI), never run: misspelt or Keras-snake_case options must stay compile
// errors, so each `@ts-expect-error` below fails the type check the day the types stop catching its line.

import { EarlyStopping } from '../src/callbacks/early-stopping.js';
import { Conv2D } from '../src/layers/conv2d.js';
import { Dense } from '../src/layers/dense.js';
import { Dropout } from '../src/layers/dropout.js';
import { Sequential } from '../src/models/sequential.js';
import type { Tensor } from '../src/tensor.js';
import { Adam } from '../src/training/optimizers/index.js';

export function misspeltOptionsAreTypeErrors(x: Tensor, y: Tensor): void {
  const model = new Sequential([new Dense(10, { activation: 'softmax' })]);
  // @ts-expect-error Keras's batch_size is batchSize here
  void model.fit(x, y, { batch_size: 64 });
  // @ts-expect-error validation_split is validationSplit
  void model.fit(x, y, { validation_split: 0.1 });
  // @ts-expect-error evaluate has no batch_size
  void model.evaluate(x, y, { batch_size: 8 });
  // @ts-expect-error lr is learningRate
  new Adam({ lr: 1e-4 });
  // @ts-expect-error restore_best_weights is restoreBestWeights
  new EarlyStopping({ restore_best_weights: true });
  // @ts-expect-error kernalSize is misspelt
  new Conv2D({ filters: 8, kernalSize: 3 });
  // @ts-expect-error the options after the positional filters and kernel size take no kernel_size
  new Conv2D(8, 3, { kernel_size: 3 });
  // @ts-expect-error units is a number
  new Dense('ten');
  // @ts-expect-error Dropout's rate comes first, not an options object of another layer
  new Dropout(0.5, { units: 3 });
  // @ts-expect-error compile has no loss_weights
  model.compile({ optimizer: 'adam', loss: 'mse', loss_weights: [1] });
}
