// loadWeights on a weights-only Keras legacy `.h5` (Keras Applications' MobileNet V1 alpha 0.25 no-top file,
// groups at the root): layers matched by name (or by order, Keras's by_name=False), every value checked against
// h5py's read of the dataset the file lists, and the report on missing / unused / mismatched layers.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FormatError } from '../../src/errors.js';
import { loadModel, loadWeights } from '../../src/io/load-model.js';
import { BatchNormalization } from '../../src/layers/batch-normalization.js';
import { Conv2D } from '../../src/layers/conv2d.js';
import { Dense } from '../../src/layers/dense.js';
import { DepthwiseConv2D } from '../../src/layers/depthwise-conv2d.js';
import { GlobalAveragePooling2D } from '../../src/layers/global-pooling2d.js';
import type { Layer } from '../../src/layers/layer.js';
import { ReLU } from '../../src/layers/relu.js';
import { Sequential } from '../../src/models/sequential.js';
import { readWithH5py } from '../helpers/h5py.js';
import { missingFile, missingH5py, need, SHARED_DATA, skipUnless } from '../helpers/requirements.js';

const FILE = `${SHARED_DATA}mobilenet-v1-0.25-224-no-top/mobilenet_2_5_224_tf_no_top.h5`;
const missing = missingFile(FILE);

interface Variant {
  /** Give layers Keras Applications' names (else automatic ones). */
  named?: boolean;
  /** Filters of the last pointwise convolution (256 in the file). */
  lastFilters?: number;
  /** Stop after this many depthwise blocks (13 in the file). */
  blocks?: number;
  head?: boolean;
}

/** Keras Applications' MobileNet (V1) alpha 0.25 without top, written out layer by layer (as in Keras 2.0.4). */
function mobilenetV1({ named = true, lastFilters = 256, blocks = 13, head = false }: Variant = {}): Sequential {
  const n = (name: string) => (named ? { name } : {});
  const layers: Layer[] = [
    new Conv2D({
      filters: 8,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      useBias: false,
      inputShape: [224, 224, 3],
      ...n('conv1'),
    }),
    new BatchNormalization(n('conv1_bn')),
    new ReLU({ maxValue: 6, ...n('conv1_relu') }),
  ];
  const plan = [64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024];
  const strided = new Set([2, 4, 6, 12]);
  for (let id = 1; id <= blocks; id++) {
    const filters = id === 13 ? lastFilters : plan[id - 1]! / 4;
    layers.push(
      new DepthwiseConv2D({
        kernelSize: 3,
        strides: strided.has(id) ? 2 : 1,
        padding: 'same',
        useBias: false,
        ...n(`conv_dw_${id}`),
      }),
      new BatchNormalization(n(`conv_dw_${id}_bn`)),
      new ReLU({ maxValue: 6, ...n(`conv_dw_${id}_relu`) }),
      new Conv2D({ filters, kernelSize: 1, padding: 'same', useBias: false, ...n(`conv_pw_${id}`) }),
      new BatchNormalization(n(`conv_pw_${id}_bn`)),
      new ReLU({ maxValue: 6, ...n(`conv_pw_${id}_relu`) }),
    );
  }
  layers.push(new GlobalAveragePooling2D(n('global_average_pooling2d_1')));
  if (head) layers.push(new Dense({ units: 5, name: 'predictions' }));
  return new Sequential(layers);
}

describe('loadWeights: a Keras Applications weights-only .h5 (MobileNet V1 0.25, no top)', { skip: skipUnless(missing) }, () => {
  test('by layer name: 218,544 parameters, 54 layers matched, every value equal to h5py', {
    skip: skipUnless(missingH5py),
  }, async () => {
    need(missing);
    need(missingH5py);
    const model = mobilenetV1();
    assert.equal(model.countParams(), 218_544);
    const report = await model.loadWeights(FILE);
    assert.equal(report.format, 'legacy-h5');
    assert.equal(report.byName, true);
    assert.equal(report.matched.length, 54);
    assert.deepEqual([report.missingInFile, report.unusedInFile, report.skipped], [[], [], []]);
    const view = readWithH5py(FILE, 'h5');
    let checked = 0;
    for (const [path, dataset] of Object.entries(view.datasets)) {
      const [group, , weightName] = path.split('/'); // conv_dw_3_bn/conv_dw_3_bn/moving_mean:0
      const weight = model.getLayer(group!).weights.find((w) => w.name === weightName!.replace(/:\d+$/, ''));
      assert.ok(weight, path);
      assert.deepEqual([...weight.value], dataset.values, path);
      checked += 1;
    }
    assert.equal(checked, 135);
  });

  test('by order (byName: false) into layers with other names gives the same weights', async () => {
    need(missing);
    const byName = mobilenetV1();
    await loadWeights(byName, FILE);
    const byOrder = mobilenetV1({ named: false });
    await assert.rejects(loadWeights(byOrder, FILE), (e: Error) => {
      assert.ok(e instanceof FormatError);
      assert.match(e.message, /no layer of model .* matches the file.*Hint: pass \{ byName: false \}/);
      return true;
    });
    const report = await loadWeights(byOrder, FILE, { byName: false });
    assert.equal(report.byName, false);
    assert.equal(report.matched.length, 54);
    assert.deepEqual(byOrder.getWeights(), byName.getWeights());
  });

  test('a new head is reported missing and keeps its values; absent blocks leave groups unused', async () => {
    need(missing);
    const withHead = mobilenetV1({ head: true });
    const before = withHead.getLayer('predictions').getWeights();
    const printed: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => {
      printed.push(String(chunk));
      return true;
    }) as unknown as typeof process.stdout.write;
    let report: Awaited<ReturnType<typeof loadWeights>>;
    try {
      report = await withHead.loadWeights(FILE);
    } finally {
      process.stdout.write = write;
    }
    assert.deepEqual(report.missingInFile, ['predictions']);
    assert.deepEqual(withHead.getLayer('predictions').getWeights(), before);
    assert.match(printed.join(''), /54 layers loaded\n {2}not in the file \(weights kept\): predictions/);

    const shorter = await loadWeights(mobilenetV1({ blocks: 12 }), FILE, { verbose: false });
    assert.deepEqual(shorter.unusedInFile, ['conv_dw_13', 'conv_dw_13_bn', 'conv_pw_13', 'conv_pw_13_bn']);
    assert.equal(shorter.matched.length, 50);
  });

  test('a shape mismatch is refused with both shapes; skipMismatch skips and reports it', async () => {
    need(missing);
    await assert.rejects(loadWeights(mobilenetV1({ lastFilters: 128 }), FILE), (e: Error) => {
      assert.ok(e instanceof FormatError);
      assert.match(
        e.message,
        /'conv_pw_13\/conv_pw_13\/kernel:0' does not fit layer 'conv_pw_13'\. Expected shape \(1, 1, 256, 128\), received \(1, 1, 256, 256\).*skipMismatch/,
      );
      return true;
    });
    const model = mobilenetV1({ lastFilters: 128 });
    const keptKernel = model.getLayer('conv_pw_13').getWeights();
    const report = await loadWeights(model, FILE, { skipMismatch: true, verbose: false });
    assert.deepEqual(
      report.skipped.map((s) => [s.layer, s.weight, s.expected, s.received]),
      [
        ['conv_pw_13', 'conv_pw_13/kernel:0', [1, 1, 256, 128], [1, 1, 256, 256]],
        ['conv_pw_13_bn', 'conv_pw_13_bn/gamma:0', [128], [256]],
        ['conv_pw_13_bn', 'conv_pw_13_bn/beta:0', [128], [256]],
        ['conv_pw_13_bn', 'conv_pw_13_bn/moving_mean:0', [128], [256]],
        ['conv_pw_13_bn', 'conv_pw_13_bn/moving_variance:0', [128], [256]],
      ],
    );
    assert.deepEqual(model.getLayer('conv_pw_13').getWeights(), keptKernel);
    // Everything else did load: the depthwise kernel before it equals the one a full load gives.
    const full = mobilenetV1();
    await loadWeights(full, FILE);
    assert.deepEqual(model.getLayer('conv_dw_13').getWeights(), full.getLayer('conv_dw_13').getWeights());
  });

  test('loadModel on the weights-only file says to build the model and call loadWeights', async () => {
    need(missing);
    await assert.rejects(loadModel(FILE), /holds Keras 2 weights \(layer_names\) only, no architecture.*model\.loadWeights/);
  });
});
