// The --augment spec: each kind becomes the Keras augmentation layer with that factor (read back from the layer's
// Keras config), brightness and contrast clip to the pixel range the model sees, and malformed specs name the part.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { parseAugmentation } from '../../src/fine-tuning/augmentation-spec.js';

describe('parseAugmentation', () => {
  test('kinds, factors and value ranges', () => {
    const layers = parseAugmentation('flip, rotation=0.1,zoom=0.2,translation=0.05,brightness=0.3,contrast=0.4', [-1, 1]);
    assert.deepEqual(
      layers.map((l) => l.className),
      ['RandomFlip', 'RandomRotation', 'RandomZoom', 'RandomTranslation', 'RandomBrightness', 'RandomContrast'],
    );
    const configs = layers.map((l) => l.getConfig());
    assert.equal(configs[0]!.mode, 'horizontal');
    assert.equal(configs[1]!.factor, 0.1);
    assert.equal(configs[2]!.heightFactor, 0.2);
    assert.deepEqual([configs[3]!.heightFactor, configs[3]!.widthFactor], [0.05, 0.05]);
    assert.deepEqual(configs[4]!.valueRange, [-1, 1]);
    assert.deepEqual(configs[5]!.valueRange, [-1, 1]);
    assert.equal(parseAugmentation('flip=vertical')[0]!.getConfig().mode, 'vertical');
    assert.deepEqual(parseAugmentation(''), []);
    assert.deepEqual(parseAugmentation('none'), []);
  });

  test('malformed specs are ConfigErrors naming the part', () => {
    const cases: [string, RegExp][] = [
      ['rotate=0.1', /received "rotate=0.1"/],
      ['rotation', /rotation=F with F a fraction between 0 and 1.*received "rotation"/],
      ['zoom=1.5', /received "zoom=1.5"/],
      ['zoom=x', /received "zoom=x"/],
      ['flip=diagonal', /flip=horizontal\|vertical\|horizontal_and_vertical/],
      ['flip,flip', /each kind once.*'flip' appears twice/],
      ['zoom=0.1=2', /received "zoom=0.1=2"/],
    ];
    for (const [spec, message] of cases) {
      assert.throws(
        () => parseAugmentation(spec),
        (e: Error) => e instanceof ConfigError && message.test(e.message),
        spec,
      );
    }
  });
});
