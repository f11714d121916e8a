// summary(): Keras's rows and totals for the seed models (225,034; 118,980; 2,800; 48,000,100).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Conv2D } from '../../src/layers/conv2d.js';
import { Dense } from '../../src/layers/dense.js';
import { Flatten } from '../../src/layers/flatten.js';
import { clearSession } from '../../src/layers/layer.js';
import { MaxPooling2D } from '../../src/layers/max-pooling2d.js';
import { Sequential } from '../../src/models/sequential.js';
import { readableBytes } from '../../src/models/summary.js';

const quiet = (): void => {};

describe('models/summary', () => {
  test('MNIST CNN: exact rows and totals 225,034', () => {
    clearSession();
    const model = new Sequential([
      new Conv2D({ filters: 32, kernelSize: [3, 3], activation: 'relu', inputShape: [28, 28, 1] }),
      new MaxPooling2D({ poolSize: [2, 2] }),
      new Conv2D({ filters: 64, kernelSize: [3, 3], activation: 'relu' }),
      new MaxPooling2D({ poolSize: [2, 2] }),
      new Flatten(),
      new Dense({ units: 128, activation: 'relu' }),
      new Dense({ units: 10, activation: 'softmax' }),
    ]);
    const lines: string[] = [];
    const text = model.summary((line) => lines.push(line));
    assert.equal(text, lines.join('\n'));
    assert.equal(lines[0], 'Model: "sequential"');
    assert.equal(lines[2]!.trimEnd(), ' Layer (type)                Output Shape              Param #');
    const rows = lines.map((l) => l.trimEnd());
    assert.ok(rows.includes(' conv2d (Conv2D)             (None, 26, 26, 32)        320'));
    assert.ok(rows.includes(' max_pooling2d (MaxPooling2D  (None, 13, 13, 32)       0'));
    assert.ok(rows.includes(' conv2d_1 (Conv2D)           (None, 11, 11, 64)        18496'));
    assert.ok(rows.includes(' flatten (Flatten)           (None, 1600)              0'));
    assert.ok(rows.includes(' dense (Dense)               (None, 128)               204928'));
    assert.ok(rows.includes(' dense_1 (Dense)             (None, 10)                1290'));
    assert.ok(rows.includes('Total params: 225,034 (879.04 KB)'));
    assert.ok(rows.includes('Trainable params: 225,034 (879.04 KB)'));
    assert.ok(rows.includes('Non-trainable params: 0 (0.00 B)'));
    assert.equal(model.countParams(), 225034);
    assert.ok(lines.every((l) => l.length <= 65));
  });

  test('Fashion-MNIST seed CNN: 118,980', () => {
    const model = new Sequential([
      new Conv2D({ filters: 5, kernelSize: [3, 3], activation: 'relu', padding: 'same', inputShape: [28, 28, 1] }),
      new MaxPooling2D({ poolSize: [2, 2] }),
      new Flatten(),
      new Dense({ units: 120, activation: 'relu' }),
      new Dense({ units: 10, activation: 'softmax' }),
    ]);
    const text = model.summary(quiet);
    assert.match(text, /\(None, 28, 28, 5\)\s+50/);
    assert.match(text, /\(None, 980\)\s+0/);
    assert.match(text, /Total params: 118,980 /);
    assert.equal(model.countParams(), 118980);
  });

  test('Conv2D 100 filters on 400x600x3: 2,800', () => {
    const model = new Sequential([
      new Conv2D({ filters: 100, kernelSize: [3, 3], activation: 'relu', inputShape: [400, 600, 3], name: 'conv_layer_1' }),
    ]);
    const text = model.summary(quiet);
    assert.match(text, / conv_layer_1 \(Conv2D\)\s+\(None, 398, 598, 100\)\s+2800/);
    assert.match(text, /Total params: 2,800 \(10\.94 KB\)/);
  });

  // The seed's printed table shows Flatten -> (None, 480000), i.e. an 800x600 input (its own text computes
  // 400*600*100 + 100 = 24,000,100 for 400x600); both are checked.
  test('Flatten + Dense 100: 24,000,100 for 400x600, 48,000,100 for the seed table (480000 features)', () => {
    const small = new Sequential([new Flatten({ inputShape: [400, 600] }), new Dense({ units: 100 })]);
    assert.equal(small.countParams(), 24000100);
    const model = new Sequential([new Flatten({ inputShape: [800, 600] }), new Dense({ units: 100 })]);
    assert.equal(model.countParams(), 48000100);
    const text = model.summary(quiet);
    assert.match(text, /\(None, 480000\)\s+0/);
    assert.match(text, /Total params: 48,000,100 \(183\.11 MB\)/);
  });

  test('readableBytes follows Keras 3', () => {
    assert.equal(readableBytes(0), '0.00 B');
    assert.equal(readableBytes(900136), '879.04 KB');
    assert.equal(readableBytes(1024), '1024.00 B');
  });

  test('an unbuilt Sequential says how to build it', () => {
    const model = new Sequential([new Dense({ units: 2 })]);
    assert.throws(() => model.summary(quiet), /not been built yet/);
  });
});
