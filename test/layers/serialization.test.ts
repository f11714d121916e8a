// Config round trips for every registered layer (getConfig -> new -> getConfig, layerToKeras -> layerFromKeras ->
// layerToKeras), the real Keras 2 (Teachable Machine, Keras 2.4.0) and Keras 3 (keras-mnist classic-cnn, Keras
// 3.11.1) layer configs read from the model_config attribute of the shared .h5 files, and error cases.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NotFoundError } from '../../src/errors.js';
import { Dense } from '../../src/layers/dense.js';
import { createLayer, LAYERS, registerLayer } from '../../src/layers/index.js';
import { layerFromKeras, layerToKeras } from '../../src/layers/serialization.js';
import { missingFile, need, skipUnless } from '../helpers/requirements.js';

/** One instance of every built-in layer with non-default options. */
const SAMPLES: Record<string, Record<string, unknown>> = {
  InputLayer: { inputShape: [28, 28, 1] },
  Conv2D: {
    filters: 8,
    kernelSize: [3, 5],
    strides: 2,
    padding: 'same',
    activation: 'relu',
    kernelRegularizer: 'l2',
    kernelInitializer: 'he_normal',
    inputShape: [28, 28, 1],
  },
  DepthwiseConv2D: {
    kernelSize: 3,
    depthMultiplier: 2,
    useBias: false,
    depthwiseRegularizer: { class_name: 'L1', config: { l1: 0.5 } },
  },
  SeparableConv2D: { filters: 4, kernelSize: 3, dilationRate: 2, activation: 'gelu' },
  MaxPooling2D: { poolSize: 3, strides: 2 },
  MaxPool2D: {},
  AveragePooling2D: { padding: 'same' },
  AvgPool2D: { poolSize: [1, 2] },
  GlobalAveragePooling2D: { keepdims: true },
  GlobalMaxPooling2D: {},
  ZeroPadding2D: { padding: [1, 2] },
  Cropping2D: {
    cropping: [
      [1, 0],
      [0, 2],
    ],
  },
  Flatten: {},
  Reshape: { targetShape: [7, 7, -1] },
  Dense: {
    units: 10,
    activation: 'softmax',
    useBias: false,
    biasRegularizer: { className: 'L1L2', config: { l1: 0.1, l2: 0.2 } },
  },
  Dropout: { rate: 0.3, seed: 4 },
  SpatialDropout2D: { rate: 0.2 },
  BatchNormalization: { axis: [3], momentum: 0.999, center: false },
  Activation: { activation: 'swish' },
  ReLU: { maxValue: 6 },
  LeakyReLU: { negativeSlope: 0.1 },
  Softmax: {},
  Rescaling: { scale: 1 / 255 },
  RandomFlip: { mode: 'vertical', seed: 3 },
  RandomRotation: { factor: [-0.1, 0.2], fillMode: 'constant', fillValue: 1, interpolation: 'nearest' },
  RandomTranslation: { heightFactor: 0.1, widthFactor: [-0.2, 0.3], fillMode: 'wrap', seed: 9 },
  RandomZoom: { heightFactor: [-0.2, 0.1], widthFactor: 0.3 },
  RandomBrightness: { factor: [-0.1, 0.3], valueRange: [0, 1], seed: 2 },
  RandomContrast: { factor: 0.4 },
  Resizing: { height: 16, width: 12, interpolation: 'area', cropToAspectRatio: true },
  CenterCrop: { height: 8, width: 6 },
  RandomCrop: { height: 8, width: 6, seed: 5 },
  Add: {},
  Concatenate: { axis: 1 },
};

describe('config round trips', () => {
  test('every registered layer has a sample', () => {
    assert.deepEqual(Object.keys(LAYERS).sort(), Object.keys(SAMPLES).sort());
  });
  for (const [className, config] of Object.entries(SAMPLES)) {
    test(`${className}: getConfig -> new -> getConfig and Keras JSON round trip`, () => {
      const layer = createLayer(className, config);
      const camel = layer.getConfig();
      assert.deepEqual(new LAYERS[className]!(camel).getConfig(), camel);
      const keras = layerToKeras(layer);
      const text = JSON.parse(JSON.stringify(keras));
      assert.deepEqual(layerToKeras(layerFromKeras(text)), keras);
      assert.ok(
        Object.keys(keras.config).every((k) => k === k.toLowerCase()),
        `snake_case keys: ${Object.keys(keras.config)}`,
      );
    });
  }

  test('Keras 3 key names and objects', () => {
    const keras = layerToKeras(new Dense({ units: 3, name: 'out', inputShape: [4] }));
    assert.equal(keras.class_name, 'Dense');
    assert.deepEqual(keras.config.dtype, {
      module: 'keras',
      class_name: 'DTypePolicy',
      config: { name: 'float32' },
      registered_name: null,
    });
    assert.deepEqual(keras.config.kernel_initializer, {
      module: 'keras.initializers',
      class_name: 'GlorotUniform',
      config: { seed: null },
      registered_name: null,
    });
    assert.deepEqual(keras.config.batch_input_shape, [null, 4]);
    assert.equal(keras.config.use_bias, true);
    const conv = layerToKeras(createLayer('Conv2D', { filters: 2, kernelSize: 3 })).config;
    assert.deepEqual(
      [conv.kernel_size, conv.strides, conv.dilation_rate, conv.data_format, conv.padding],
      [[3, 3], [1, 1], [1, 1], 'channels_last', 'valid'],
    );
    const input = layerToKeras(createLayer('InputLayer', { inputShape: [2] })).config;
    assert.deepEqual(input.batch_shape, [null, 2]);
    assert.equal(input.dtype, 'float32');
  });
});

/** The model_config JSON of a Keras .h5 file: the attribute is stored as one contiguous string. */
function modelConfig(path: string): unknown {
  const text = readFileSync(path).toString('latin1');
  const start = text.indexOf('{"class_name": ');
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return JSON.parse(text.slice(start, i + 1));
  }
  throw new Error(`no model_config in ${path}`);
}

/** Layer entries of every nesting level except models themselves. */
function layerEntries(json: unknown, out: { class_name: string; config: Record<string, unknown> }[] = []) {
  const node = json as { class_name?: string; config?: { layers?: unknown[] } };
  if (node.config?.layers) for (const l of node.config.layers) layerEntries(l, out);
  else if (node.class_name) out.push(node as { class_name: string; config: Record<string, unknown> });
  return out;
}

const DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const FILES = [
  ['Keras 2.4 Teachable Machine', `${DATA}teachable-machine/cat-dog-11Maximus11/keras_model.h5`],
  ['Keras 3.11 classic CNN', `${DATA}keras-mnist/classic-cnn/mnist_cnn.h5`],
];

describe('real Keras layer configs', () => {
  for (const [label, path] of FILES) {
    test(`${label}: every layer config loads and round-trips`, { skip: skipUnless(missingFile(path!)) }, () => {
      need(missingFile(path!));
      const entries = layerEntries(modelConfig(path!));
      assert.ok(entries.length > 5);
      for (const entry of entries) {
        const layer = layerFromKeras(entry);
        assert.equal(layer.name, entry.config.name);
        const again = layerToKeras(layer);
        assert.deepEqual(layerToKeras(layerFromKeras(again)), again);
        for (const key of [
          'kernel_size',
          'strides',
          'padding',
          'units',
          'filters',
          'activation',
          'max_value',
          'momentum',
          'epsilon',
          'use_bias',
        ]) {
          if (key in entry.config && key in again.config)
            assert.deepEqual(again.config[key], entry.config[key], `${entry.config.name}.${key}`);
        }
      }
    });
  }

  test('Keras 2 DepthwiseConv2D with groups: 1 (copied from the Teachable Machine cat-dog model)', () => {
    const json = {
      class_name: 'DepthwiseConv2D',
      config: {
        name: 'expanded_conv_depthwise',
        trainable: true,
        dtype: 'float32',
        kernel_size: [3, 3],
        strides: [1, 1],
        padding: 'same',
        data_format: 'channels_last',
        dilation_rate: [1, 1],
        groups: 1,
        activation: 'linear',
        use_bias: false,
        bias_initializer: { class_name: 'Zeros', config: {} },
        bias_regularizer: null,
        activity_regularizer: null,
        bias_constraint: null,
        depth_multiplier: 1,
        depthwise_initializer: {
          class_name: 'VarianceScaling',
          config: { scale: 1, mode: 'fan_avg', distribution: 'uniform', seed: null },
        },
        depthwise_regularizer: null,
        depthwise_constraint: null,
      },
    };
    const layer = layerFromKeras(json);
    layer.build([null, 112, 112, 16]);
    assert.deepEqual(
      layer.weights.map((w) => w.shape),
      [[3, 3, 16, 1]],
    );
    assert.equal(layerToKeras(layer).config.groups, undefined);
  });
});

describe('errors', () => {
  test('unknown class names, unsupported options', () => {
    assert.throws(
      () => layerFromKeras({ class_name: 'LSTM', config: {} }),
      (e: unknown) => e instanceof NotFoundError && /Known: .*Conv2D.*registerLayer/.test(e.message),
    );
    assert.throws(() => createLayer('Conv3D', {}), NotFoundError);
    assert.throws(
      () => layerFromKeras({ class_name: 'Conv2D', config: { filters: 2, kernel_size: 3, data_format: 'channels_first' } }),
      /channels_last/,
    );
    assert.throws(
      () => layerFromKeras({ class_name: 'Dense', config: { units: 2, kernel_constraint: { class_name: 'MaxNorm' } } }),
      /kernel_constraint/,
    );
    assert.throws(() => layerFromKeras({ class_name: 'Dense', config: { units: 2, dtype: 'float16' } }), /invalid 'dtype'/);
    assert.throws(() => layerFromKeras('Dense'), /layerFromKeras: invalid 'json'/);
  });

  test('registerLayer makes a user layer loadable', () => {
    class MyDense extends Dense {
      override readonly className = 'MyDense';
    }
    registerLayer('MyDense', MyDense);
    const layer = layerFromKeras({ class_name: 'MyDense', config: { units: 3 } });
    assert.ok(layer instanceof MyDense);
    delete LAYERS.MyDense;
  });
});
