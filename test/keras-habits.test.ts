// What a Keras user types by habit, one row each: it either works as in Keras (the row checks the effect, not just
// that nothing threw) or throws a ConfigError naming the option it cannot honour. Rows come from translating the
// seed notes' Keras code.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mnistCnn } from '../src/applications/seed-models.js';
import { Callback, type TrainParams } from '../src/callbacks/callback.js';
import { EarlyStopping } from '../src/callbacks/early-stopping.js';
import { ModelCheckpoint } from '../src/callbacks/model-checkpoint.js';
import { ReduceLROnPlateau } from '../src/callbacks/reduce-lr-on-plateau.js';
import { mnist } from '../src/datasets/index.js';
import { ConfigError } from '../src/errors.js';
import * as initializers from '../src/initializers.js';
import { BatchNormalization } from '../src/layers/batch-normalization.js';
import { Concatenate } from '../src/layers/concatenate.js';
import { Conv2D } from '../src/layers/conv2d.js';
import { Dense } from '../src/layers/dense.js';
import { Dropout, SpatialDropout2D } from '../src/layers/dropout.js';
import { Flatten } from '../src/layers/flatten.js';
import { GlobalAveragePooling2D } from '../src/layers/global-pooling2d.js';
import { MaxPooling2D } from '../src/layers/max-pooling2d.js';
import { Input } from '../src/models/input.js';
import { Model } from '../src/models/model.js';
import { Sequential } from '../src/models/sequential.js';
import * as regularizers from '../src/regularizers.js';
import { SparseCategoricalCrossentropy } from '../src/training/losses.js';
import * as metrics from '../src/training/metrics.js';
import { Adam, AdamW, RMSprop, SGD } from '../src/training/optimizers/index.js';
import { ExponentialDecay } from '../src/training/schedules.js';
import { backend, smallSequential, toyData } from './training/fixtures.js';

const { x, y } = toyData(40);

/** Records the params fit() hands to callbacks (steps per epoch shows the batch size in effect). */
class ParamsProbe extends Callback {
  seen: TrainParams | null = null;
  validated = false;
  override async onTrainBegin(): Promise<void> {
    this.seen = this.params;
  }
  override async onTestBegin(): Promise<void> {
    this.validated = true;
  }
}

function compiled(metricsArg: (string | metrics.Metric)[] = ['accuracy']) {
  const model = smallSequential();
  model.compile({ optimizer: new Adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: metricsArg });
  return model;
}

type Row = {
  habit: string;
  /** For 'works' rows: runs the habit and asserts its Keras effect. */
  works?: () => unknown | Promise<unknown>;
  /** For rejected rows: runs the habit; it must throw a ConfigError whose message matches `names`. */
  rejects?: () => unknown | Promise<unknown>;
  names?: RegExp;
};

const ROWS: Row[] = [
  {
    habit: "compile({ optimizer: 'Adam', loss: 'sparse_categorical_crossentropy', metrics: ['acc'] }) (Keras's names)",
    works: async () => {
      const model = smallSequential();
      model.compile({ optimizer: 'Adam', loss: 'sparse_categorical_crossentropy', metrics: ['acc'] });
      assert.equal(model.compiled?.optimizer.className, 'Adam');
      assert.equal(model.compiled?.loss.kind, 'sparseCategoricalCrossentropy');
      const named = await model.evaluate(x, y, { verbose: 0, returnDict: true });
      assert.deepEqual(Object.keys(named).sort(), ['acc', 'loss']);
    },
  },
  {
    habit: "new Dense(10, { kernelInitializer: 'he_normal' }) equals new Dense(10, { kernelInitializer: new HeNormal(seed) })",
    works: () => {
      const a = new Dense(4, { kernelInitializer: { class_name: 'HeNormal', config: { seed: 3 } } });
      const b = new Dense(4, { kernelInitializer: new initializers.HeNormal(3) });
      a.build([null, 5]);
      b.build([null, 5]);
      assert.deepEqual(a.getWeights(), b.getWeights());
      assert.equal(new Dense(4, { kernelInitializer: 'he_normal' }).kernelInitializer.className, 'HeNormal');
    },
  },
  {
    habit: "new Dense(10, { kernel_initializer: 'he_normal' })",
    rejects: () => new Dense(10, { kernel_initializer: 'he_normal' } as never),
    names: /Dense: unknown option 'kernel_initializer'\. Did you mean 'kernelInitializer'\?/,
  },
  {
    habit: 'fit(x, y, { steps_per_epoch: 2 }) and { class_weight: {...} }',
    rejects: async () => {
      await assert.rejects(compiled().fit(x, y, { class_weight: { 0: 2 } } as never), /Did you mean 'classWeight'\?/);
      await compiled().fit(x, y, { steps_per_epoch: 2 } as never);
    },
    names: /fit: unknown option 'steps_per_epoch'\. Did you mean 'stepsPerEpoch'\?/,
  },
  {
    habit: 'fit(x, y, { callbacks: new EarlyStopping() }) without the list',
    rejects: () => compiled().fit(x, y, { callbacks: new EarlyStopping() } as never),
    names: /fit: invalid 'callbacks'\. Expected an array of Callback instances/,
  },
  {
    habit: 'new SparseTopKCategoricalAccuracy(2) and TopKCategoricalAccuracy({ k: 3 })',
    works: () => {
      const sparse = new metrics.SparseTopKCategoricalAccuracy(2);
      sparse.update(
        { data: Float32Array.of(0.1, 0.5, 0.4, 0.6, 0.3, 0.1), shape: [2, 3] },
        { data: Float32Array.of(2, 2), shape: [2] },
      );
      assert.equal(sparse.result(), 0.5); // row 0: class 2 is 2nd highest (hit); row 1: class 2 is last (miss)
      assert.equal(new metrics.TopKCategoricalAccuracy({ k: 3 }).k, 3);
    },
  },
  {
    habit: 'new Flatten(null) names the config instead of a TypeError',
    rejects: () => new Flatten(null as never),
    names: /Flatten: invalid 'config'\. Expected an options object/,
  },
  {
    habit: 'applications.mnistCnn({ num_classes: 10 })',
    rejects: () => mnistCnn({ num_classes: 10 } as never),
    names: /mnistCnn: unknown option 'num_classes'\. Did you mean 'numClasses'\?/,
  },
  {
    habit: "new Dense(128, { activation: 'relu' }), new Dense(10, 'softmax'), new Dense(128)",
    works: () => {
      const a = new Dense(128, { activation: 'relu' });
      assert.equal(a.units, 128);
      assert.equal(a.getConfig().activation, 'relu');
      assert.equal(new Dense(10, 'softmax').getConfig().activation, 'softmax');
      assert.equal(new Dense(128).units, 128);
    },
  },
  {
    habit: "new Conv2D(32, 3, { activation: 'relu' }), new Conv2D(32, [3, 3]), new Conv2D(8, [3, 5], 2, 'same')",
    works: () => {
      const a = new Conv2D(32, 3, { activation: 'relu' });
      assert.deepEqual([a.filters, ...a.kernelSize], [32, 3, 3]);
      assert.deepEqual(new Conv2D(32, [3, 3]).kernelSize, [3, 3]);
      const c = new Conv2D(8, [3, 5], 2, 'same');
      assert.deepEqual([c.kernelSize, c.strides, c.padding], [[3, 5], [2, 2], 'same']);
    },
  },
  {
    habit: 'new Conv2D(32, 3, { kernel_size: 3 })',
    rejects: () => new Conv2D(32, 3, { kernel_size: 3 } as never),
    names: /Conv2D: unknown option 'kernel_size'\. Did you mean 'kernelSize'\?/,
  },
  {
    habit: 'new Conv2D(32, 3, { kernelSize: 5 }): one option given twice',
    rejects: () => new Conv2D(32, 3, { kernelSize: 5 } as never),
    names: /Conv2D: 'kernelSize' given twice/,
  },
  {
    habit: 'new Dropout(0.5), new SpatialDropout2D(0.2), new MaxPooling2D(2), new MaxPooling2D([2, 2], 1)',
    works: () => {
      assert.equal(new Dropout(0.5).rate, 0.5);
      const spatial = new SpatialDropout2D(0.2);
      assert.deepEqual(
        [spatial.className, spatial.rate, spatial.name.startsWith('spatial_dropout2d')],
        ['SpatialDropout2D', 0.2, true],
      );
      assert.deepEqual(new MaxPooling2D(2).poolSize, [2, 2]);
      const p = new MaxPooling2D([2, 2], 1);
      assert.deepEqual(
        [p.poolSize, p.strides],
        [
          [2, 2],
          [1, 1],
        ],
      );
    },
  },
  {
    habit: 'new Dropout(1.5) names the rate',
    rejects: () => new Dropout(1.5),
    names: /Dropout: invalid 'rate'\. Expected a number in \[0, 1\), received 1\.5/,
  },
  {
    habit: 'new Concatenate(-1), new BatchNormalization({ momentum: 0.9 }), Input([28, 28, 1])',
    works: () => {
      assert.equal(new Concatenate(-1).getConfig().axis, -1);
      assert.equal(new BatchNormalization({ momentum: 0.9 }).getConfig().momentum, 0.9);
      assert.deepEqual(Input([28, 28, 1]).shape, [null, 28, 28, 1]);
    },
  },
  {
    habit: 'new Flatten(2): a number where only options belong',
    rejects: () => new Flatten(2 as never),
    names: /Flatten: invalid 'config'\. Expected an options object/,
  },
  {
    habit: 'new GlobalAveragePooling2D(true): a value where only options belong',
    rejects: () => new GlobalAveragePooling2D(true as never),
    names: /GlobalAveragePooling2D: invalid 'config'/,
  },
  {
    habit: "new Dense(128, 'relu', true): more positional values than Keras's units, activation",
    rejects: () => new Dense(128, 'relu', true as never),
    names: /Dense: too many positional arguments\. Expected at most 2 \(units, activation\)/,
  },
  {
    habit: "the seed notes' MNIST CNN in Keras forms has 225,034 parameters and trains",
    works: async () => {
      const model = new Sequential([
        Input([28, 28, 1]),
        new Conv2D(32, [3, 3], { activation: 'relu' }),
        new MaxPooling2D([2, 2]),
        new Conv2D(64, [3, 3], { activation: 'relu' }),
        new MaxPooling2D([2, 2]),
        new Flatten(),
        new Dense(128, { activation: 'relu' }),
        new Dense(10, { activation: 'softmax' }),
      ]);
      // Keras: 320 + 18,496 + 204,928 + 1,290 (the seed notes' summary).
      assert.equal(model.countParams(), 225034);
      model.backendOverride = backend;
      model.compile({ optimizer: new Adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      const images = { data: new Float32Array(4 * 784).map((_, i) => (i % 7) / 7), shape: [4, 28, 28, 1] };
      const history = await model.fit(images, { data: Uint8Array.of(1, 2, 3, 4), shape: [4] }, { epochs: 1, verbose: 0 });
      assert.ok(Number.isFinite(history.history.loss?.[0]));
    },
  },
  {
    habit: "fit(x, y, { batch_size: 64, validation_split: 0.1 }) -> did you mean 'batchSize'",
    rejects: () => compiled().fit(x, y, { batch_size: 64, validation_split: 0.1 } as never),
    names: /unknown option 'batch_size'\. Did you mean 'batchSize'\?/,
  },
  {
    habit: 'fit(x, y, { foo: 1 }) -> unknown option listing the accepted ones',
    rejects: () => compiled().fit(x, y, { foo: 1 } as never),
    names: /fit: unknown option 'foo'\. Accepted options: epochs, batchSize, verbose/,
  },
  {
    habit: 'fit(x, y, 32): a number where the options object belongs',
    rejects: () => compiled().fit(x, y, 32 as never),
    names: /fit: invalid 'options'\. Expected an options object/,
  },
  {
    habit: 'fit(x, y, { batchSize: 16, validationSplit: 0.25 }) uses both',
    works: async () => {
      const probe = new ParamsProbe();
      await compiled().fit(x, y, { batchSize: 16, validationSplit: 0.25, verbose: 0, callbacks: [probe] });
      assert.equal(probe.seen?.steps, 2); // 30 training rows at batch 16
      assert.ok(probe.validated);
    },
  },
  {
    habit: 'evaluate(x, y, { batch_size: 8 })',
    rejects: () => compiled().evaluate(x, y, { batch_size: 8 } as never),
    names: /evaluate: unknown option 'batch_size'\. Did you mean 'batchSize'\?/,
  },
  {
    habit: 'predict(x, { batch_size: 8 })',
    rejects: () => compiled().predict(x, { batch_size: 8 } as never),
    names: /predict: unknown option 'batch_size'\. Did you mean 'batchSize'\?/,
  },
  {
    habit: 'compile({ ..., loss_weights: [1] })',
    rejects: () => smallSequential().compile({ optimizer: 'adam', loss: 'mse', loss_weights: [1] } as never),
    names: /compile: unknown option 'loss_weights'\. Accepted options: optimizer, loss, metrics/,
  },
  {
    habit: 'new Adam(1e-4) sets the learning rate',
    works: () => assert.equal(new Adam(1e-4).currentLearningRate(), 1e-4),
  },
  {
    habit: 'new Adam({ lr: 1e-4 })',
    rejects: () => new Adam({ lr: 1e-4 } as never),
    names: /Adam: unknown option 'lr'\. Did you mean 'learningRate'\?/,
  },
  {
    habit: 'new Adam({ learning_rate: 1e-4 })',
    rejects: () => new Adam({ learning_rate: 1e-4 } as never),
    names: /Did you mean 'learningRate'\?/,
  },
  {
    habit: 'new Adam(1e-3, 0.8) sets beta1 by position',
    works: () => assert.equal(new Adam(1e-3, 0.8 as never).beta1, 0.8),
  },
  {
    habit: 'new SGD(0.1, 0.9) and new SGD(0.1, { momentum: 0.9 })',
    works: () => {
      assert.equal(new SGD(0.1, 0.9 as never).momentum, 0.9);
      assert.equal(new SGD(0.1, { momentum: 0.9 }).currentLearningRate(), 0.1);
    },
  },
  {
    habit: 'new RMSprop(0.01) and new AdamW(1e-3, 0.01)',
    works: () => {
      assert.equal(new RMSprop(0.01).currentLearningRate(), 0.01);
      assert.equal(new AdamW(1e-3, 0.01 as never).weightDecay, 0.01);
    },
  },
  {
    habit: "compile({ optimizer: { name: 'sgd', lr: 0.1 } })",
    rejects: () => smallSequential().compile({ optimizer: { name: 'sgd', lr: 0.1 } as never, loss: 'mse' }),
    names: /SGD: unknown option 'lr'\. Did you mean 'learningRate'\?/,
  },
  {
    habit: 'new EarlyStopping({ restore_best_weights: true })',
    rejects: () => new EarlyStopping({ restore_best_weights: true } as never),
    names: /EarlyStopping: unknown option 'restore_best_weights'\. Did you mean 'restoreBestWeights'\?/,
  },
  {
    habit: "new EarlyStopping('val_accuracy', { patience: 3 })",
    works: () => {
      const cb = new EarlyStopping('val_accuracy', { patience: 3 });
      assert.equal(cb.monitor, 'val_accuracy');
      assert.equal(cb.patience, 3);
    },
  },
  {
    habit: 'new EarlyStopping(3): a number is not the monitor',
    rejects: () => new EarlyStopping(3 as never),
    names: /EarlyStopping: invalid 'monitor'\. Expected a metric name/,
  },
  {
    habit: 'new ReduceLROnPlateau({ min_lr: 1e-5 })',
    rejects: () => new ReduceLROnPlateau({ min_lr: 1e-5 } as never),
    names: /Did you mean 'minLr'\?/,
  },
  {
    habit: "new ModelCheckpoint('best.keras', { monitor: 'val_accuracy', saveBestOnly: true })",
    works: () => {
      const cb = new ModelCheckpoint('best.keras', { monitor: 'val_accuracy', saveBestOnly: true });
      assert.equal(cb.filepath, 'best.keras');
      assert.equal(cb.saveBestOnly, true);
    },
  },
  {
    habit: "new ModelCheckpoint('best.keras', { save_best_only: true })",
    rejects: () => new ModelCheckpoint('best.keras', { save_best_only: true } as never),
    names: /Did you mean 'saveBestOnly'\?/,
  },
  {
    habit: 'new initializers.RandomNormal(0, 0.05) is a RandomNormal with mean 0, stddev 0.05',
    works: () => {
      const init = new initializers.RandomNormal(0.5, 0.05, 7);
      assert.equal(init.className, 'RandomNormal');
      const values = new Float32Array(20000);
      init.fill(values);
      let mean = 0;
      for (const v of values) mean += v / values.length;
      let variance = 0;
      for (const v of values) variance += (v - mean) ** 2 / values.length;
      assert.ok(Math.abs(mean - 0.5) < 0.003, `mean ${mean}`);
      assert.ok(Math.abs(Math.sqrt(variance) - 0.05) < 0.002, `stddev ${Math.sqrt(variance)}`);
      // Untruncated: about 4.6% of a normal lies beyond 2 stddev (a TruncatedNormal has none).
      const beyond = values.filter((v) => Math.abs(v - 0.5) > 0.1).length / values.length;
      assert.ok(beyond > 0.03, `beyond 2 stddev: ${beyond}`);
    },
  },
  {
    habit: 'new initializers.GlorotUniform(42), HeNormal, Zeros, Ones, Constant(0.1), TruncatedNormal',
    works: () => {
      const a = new Float32Array(64);
      const b = new Float32Array(64);
      new initializers.GlorotUniform(42).fill(a, [8, 8]);
      new initializers.GlorotUniform({ seed: 42 }).fill(b, [8, 8]);
      assert.deepEqual(a, b);
      const limit = Math.sqrt(6 / 16);
      assert.ok(a.every((v) => Math.abs(v) <= limit) && a.some((v) => v !== 0));
      assert.equal(new initializers.HeNormal().className, 'HeNormal');
      const c = new Float32Array(3);
      new initializers.Constant(0.1).fill(c);
      assert.deepEqual(c, Float32Array.of(0.1, 0.1, 0.1));
      new initializers.Ones().fill(c);
      assert.deepEqual(c, Float32Array.of(1, 1, 1));
      assert.equal(new initializers.TruncatedNormal(0, 0.05).className, 'TruncatedNormal');
    },
  },
  {
    habit: 'new initializers.RandomUniform({ min_val: -1 })',
    rejects: () => new initializers.RandomUniform({ min_val: -1 } as never),
    names: /RandomUniform: unknown option 'min_val'\. Did you mean 'minval'\?/,
  },
  {
    habit: 'new regularizers.L2(0.01) penalises 0.01 * sum x^2; L1L2(0.01, 0.02)',
    works: () => {
      assert.equal(new regularizers.L2(0.01).penalty(Float32Array.of(1, 2)), 0.05);
      const both = new regularizers.L1L2(0.01, 0.02);
      assert.ok(Math.abs(both.penalty(Float32Array.of(-1, 2)) - (0.01 * 3 + 0.02 * 5)) < 1e-12);
      assert.equal(new regularizers.L1(0.5).l1, 0.5);
    },
  },
  {
    habit: 'new regularizers.L2({ l2: 0.01, l1: 0.1 })',
    rejects: () => new regularizers.L2({ l2: 0.01, l1: 0.1 } as never),
    names: /L2: unknown option 'l1'\. Accepted options: l2/,
  },
  {
    habit: 'new SparseCategoricalCrossentropy({ from_logits: true })',
    rejects: () => new SparseCategoricalCrossentropy({ from_logits: true } as never),
    names: /Did you mean 'fromLogits'\?/,
  },
  {
    habit: 'new SparseCategoricalCrossentropy(true) means fromLogits',
    works: () => assert.equal(new SparseCategoricalCrossentropy(true).fromLogits, true),
  },
  {
    habit: 'new ExponentialDecay(0.1, 100, 0.5) positional, as Keras',
    works: () => assert.equal(new ExponentialDecay(0.1, 100, 0.5).call(100), 0.05),
  },
  {
    habit: 'new ExponentialDecay({ initial_learning_rate: 0.1, ... })',
    rejects: () => new ExponentialDecay({ initial_learning_rate: 0.1, decaySteps: 10, decayRate: 0.9 } as never),
    names: /Did you mean 'initialLearningRate'\?/,
  },
  {
    habit: 'compile with new metrics.Precision({ thresholds: 0.7 }), Recall, AUC',
    works: async () => {
      const model = smallSequential(2);
      model.compile({
        optimizer: 'sgd',
        loss: 'binaryCrossentropy',
        metrics: [new metrics.Precision({ thresholds: 0.7 }), new metrics.Recall(), new metrics.AUC()],
      });
      const p = new metrics.Precision({ thresholds: 0.7 });
      p.update({ data: Float32Array.of(0.8, 0.6, 0.9), shape: [3, 1] }, { data: Float32Array.of(1, 1, 0), shape: [3, 1] });
      assert.equal(p.result(), 0.5); // 0.6 is below the threshold: 1 tp, 1 fp
      assert.equal(model.compiled?.metrics.map((m) => m.name).join(','), 'precision,recall,auc');
    },
  },
  {
    habit: 'new metrics.Precision({ top_k: 1 })',
    rejects: () => new metrics.Precision({ top_k: 1 } as never),
    names: /Precision: unknown option 'top_k'\. Accepted options: thresholds, name/,
  },
  {
    habit: 'new Model(inputs, outputs)',
    works: () => {
      const inputs = Input({ shape: [4] });
      const model = new Model(inputs, new Dense({ units: 2 }).apply(inputs), { name: 'tiny' });
      assert.equal(model.name, 'tiny');
      assert.equal(model.countParams(), 10);
    },
  },
  {
    habit: 'const [loss, acc] = await model.evaluate(x, y)',
    works: async () => {
      const model = compiled();
      model.backendOverride = backend;
      const result = await model.evaluate(x, y, { verbose: 0 });
      assert.ok(Array.isArray(result) && result.length === 2);
      const named = await model.evaluate(x, y, { verbose: 0, returnDict: true });
      assert.deepEqual(result, [named.loss, named.accuracy]);
      const bare = smallSequential();
      bare.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      assert.equal(typeof (await bare.evaluate(x, y, { verbose: 0 })), 'number');
    },
  },
  {
    habit: 'model.trainableWeights.length (a property, as in Keras)',
    works: () => {
      const model = compiled();
      assert.equal(model.trainableWeights.length, 4);
      assert.equal(model.nonTrainableWeights.length, 0);
      assert.equal(model.weights.length, 4);
    },
  },
  {
    habit: 'model.summary({ line_length: 80 })',
    rejects: () => compiled().summary({ line_length: 80 } as never),
    names: /summary: unknown option 'line_length'\. Did you mean 'lineLength'\?/,
  },
  {
    habit: "mnist.loadData({ path: '...', cache_dir: '...' })",
    rejects: () => mnist.loadData({ cache_dir: '/tmp' } as never),
    names: /mnist\.loadData: unknown option 'cache_dir'\. Accepted options: path/,
  },
];

describe('Keras habits: each works as in Keras or names the option', () => {
  for (const row of ROWS) {
    test(row.habit, async () => {
      if (row.works) {
        await row.works();
        return;
      }
      assert.ok(row.rejects && row.names, 'a row either works or rejects with a pattern');
      let error: unknown = null;
      try {
        await row.rejects();
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof ConfigError, `expected a ConfigError, received ${String(error)}`);
      assert.match(error.message, row.names);
    });
  }
});
