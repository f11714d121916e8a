// MobileNet (V1) and MobileNetV2 against outside references: parameter counts from Keras's own weight files and from
// torchvision, the layer names and weight shapes of Keras's release file and of a Teachable Machine export, and the
// forward pass against an independent PyTorch network (test/applications/mobilenet_torch.py) on the same weights.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { applications, ConfigError, featureExtractor, flattenModel, type Model } from '../../src/index.js';
import { loadModel } from '../../src/io/load-model.js';
import { assertWithin } from '../helpers/close.js';
import { type H5pyView, readWithH5py } from '../helpers/h5py.js';
import { missingFile, missingH5py, need, PYTHON, SHARED_DATA, skipUnless } from '../helpers/requirements.js';

const V1_FILE = `${SHARED_DATA}mobilenet-v1-0.25-224-no-top/mobilenet_2_5_224_tf_no_top.h5`;
const TM_FILE = `${SHARED_DATA}teachable-machine/cat-dog-11Maximus11/keras_model.h5`;
const TORCH_SCRIPT = fileURLToPath(new URL('./mobilenet_torch.py', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'convkit-mobilenet-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const missingTorch: string | null = (() => {
  if (missingH5py) return missingH5py;
  try {
    execFileSync(PYTHON, ['-c', 'import torch, torchvision'], { stdio: 'ignore' });
    return null;
  } catch {
    return `${PYTHON} cannot import torch and torchvision (apt-get install python3-torch python3-torchvision)`;
  }
})();

/** Sets every weight of `model` from an h5py dump, by layer name: the dataset `<...>/<layer>/<weight>[:0]`. Returns how many were set. */
function setWeightsByName(model: Model, view: H5pyView, prefix: string): number {
  let set = 0;
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values = layer.weights.map((w) => {
      const key = Object.keys(view.datasets).find((k) => {
        const parts = k.split('/');
        return (
          k.startsWith(prefix) && parts[parts.length - 2] === layer.name && parts[parts.length - 1]!.split(':')[0] === w.name
        );
      });
      assert.ok(key, `no dataset for ${layer.name}/${w.name} in the file`);
      const dataset = view.datasets[key]!;
      assert.deepEqual(dataset.shape, w.shape, `${layer.name}/${w.name} shape`);
      set++;
      return dataset.values;
    });
    layer.setWeights(values);
  }
  return set;
}

/** A fixed input in [-1, 1] (what preprocessInput produces), written for the Python side too. */
function fixedInput(shape: [number, number, number, number]): { data: Float32Array; shape: number[] } {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.7311) * Math.cos(i * 0.0137));
  return { data, shape };
}

function torchForward(kind: 'v1' | 'v2', file: string, group: string, x: { data: Float32Array; shape: number[] }): Float32Array {
  const input = join(dir, `${kind}-in.bin`);
  const output = join(dir, `${kind}-out.bin`);
  writeFileSync(input, x.data);
  execFileSync(PYTHON, [TORCH_SCRIPT, kind, file, group, input, x.shape.join(','), output], { stdio: 'pipe' });
  const bytes = readFileSync(output);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

describe('applications.MobileNet / MobileNetV2', () => {
  test('parameter counts: Keras MobileNet 0.25 no-top 218,544 and 1.0 with top 4,253,864', async () => {
    const small = await applications.MobileNet({ alpha: 0.25, includeTop: false, weights: null });
    assert.equal(small.countParams(), 218_544);
    assert.equal(small.name, 'mobilenet_0.25_224');
    const full = await applications.MobileNet({ weights: null });
    assert.equal(full.countParams(), 4_253_864);
    assert.deepEqual(full.outputs[0]!.shape, [null, 1000]);
  });

  test('MobileNetV2 counts equal torchvision mobilenet_v2 parameters plus BatchNorm moving statistics', {
    skip: skipUnless(missingTorch),
  }, async () => {
    need(missingTorch);
    // torchvision counts BN running statistics as buffers; Keras counts them as non-trainable params.
    const script = `
import torch, torchvision, json
out = {}
for alpha in (0.35, 1.0):
    m = torchvision.models.mobilenet_v2(width_mult=alpha)
    buffers = sum(b.numel() for n, b in m.named_buffers() if not n.endswith('num_batches_tracked'))
    features = sum(p.numel() for p in m.features.parameters()) + sum(b.numel() for n, b in m.features.named_buffers() if not n.endswith('num_batches_tracked'))
    out[str(alpha)] = {'top': sum(p.numel() for p in m.parameters()) + buffers, 'noTop': features}
print(json.dumps(out))`;
    const counts = JSON.parse(execFileSync(PYTHON, ['-c', script], { encoding: 'utf8' })) as Record<
      string,
      { top: number; noTop: number }
    >;
    for (const alpha of [0.35, 1]) {
      const key = alpha === 1 ? '1.0' : String(alpha);
      const top = await applications.MobileNetV2({ alpha, weights: null });
      const noTop = await applications.MobileNetV2({ alpha, includeTop: false, weights: null });
      assert.equal(top.countParams(), counts[key]!.top, `alpha ${alpha} with top`);
      assert.equal(noTop.countParams(), counts[key]!.noTop, `alpha ${alpha} without top`);
    }
  });

  test('pooling, classes, inputShape and inputTensor follow Keras', async () => {
    const avg = await applications.MobileNetV2({
      alpha: 0.35,
      includeTop: false,
      pooling: 'avg',
      weights: null,
      inputShape: [96, 128, 3],
    });
    assert.deepEqual(avg.outputs[0]!.shape, [null, 1280]);
    assert.equal(avg.name, 'mobilenetv2_0.35_96');
    const max = await applications.MobileNet({
      alpha: 0.5,
      includeTop: false,
      pooling: 'max',
      weights: null,
      inputShape: [64, 64, 3],
    });
    assert.deepEqual(max.outputs[0]!.shape, [null, 512]);
    const spatial = await applications.MobileNet({ alpha: 0.5, includeTop: false, weights: null, inputShape: [64, 64, 3] });
    assert.deepEqual(spatial.outputs[0]!.shape, [null, 2, 2, 512]);
    const top = await applications.MobileNetV2({ alpha: 0.35, classes: 3, weights: null, classifierActivation: null });
    assert.deepEqual(top.outputs[0]!.shape, [null, 3]);
    assert.equal(top.getLayer('predictions').getConfig().activation, 'linear');
  });

  test('bad arguments fail before anything is built or downloaded', async () => {
    await assert.rejects(
      applications.MobileNetV2({ alpha: 0.35, classes: 2 }),
      /invalid 'classes'. Expected 1000 with weights 'imagenet'/,
    );
    await assert.rejects(applications.MobileNetV2({ alpha: 0.3 }), /invalid 'alpha'. Expected one of 0.35, 0.5/);
    await assert.rejects(applications.MobileNet({ weights: 'imagenet', depthMultiplier: 2 }), /invalid 'depthMultiplier'/);
    await assert.rejects(applications.MobileNet({ inputShape: [20, 20, 3], weights: null }), /at least 32/);
    await assert.rejects(applications.MobileNetV2({ inputShape: [200, 200, 3] }), /with includeTop and weights 'imagenet'/);
    await assert.rejects(applications.MobileNetV2({ pooling: 'mean' as 'avg', weights: null }), /invalid 'pooling'/);
    await assert.rejects(applications.MobileNetV2({ include_top: false } as never), (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /unknown option 'include_top'. Did you mean 'includeTop'/);
      return true;
    });
  });

  test('preprocessInput maps [0, 255] to [-1, 1] as Keras mode "tf"', () => {
    const x = { data: Float32Array.from([0, 127.5, 255, 51]), shape: [1, 1, 2, 2] };
    assert.deepEqual(Array.from(applications.mobilenet.preprocessInput(x).data), [-1, 0, 1, 51 / 127.5 - 1].map(Math.fround));
    assert.deepEqual(applications.mobilenetV2.preprocessInput(x).shape, [1, 1, 2, 2]);
    assert.equal(x.data[2], 255, 'the input is not modified');
  });

  test("MobileNet 0.25: Keras's release file names every weight; forward pass equals PyTorch on the same weights", {
    skip: skipUnless(missingTorch ?? missingFile(V1_FILE)),
  }, async () => {
    need(missingTorch ?? missingFile(V1_FILE));
    const model = await applications.MobileNet({ alpha: 0.25, includeTop: false, weights: null });
    const view = readWithH5py(V1_FILE, 'h5');
    const set = setWeightsByName(model, view, '');
    assert.equal(set, Object.keys(view.datasets).length, 'every dataset in the file belongs to a layer');
    const x = fixedInput([2, 224, 224, 3]);
    const y = await model.predict(x, { verbose: 0 });
    assert.deepEqual(y.shape, [2, 7, 7, 256]);
    assertWithin('MobileNet 0.25 features vs PyTorch', y.data, torchForward('v1', V1_FILE, '', x), 1e-4);
  });

  test("MobileNetV2 0.35: a Teachable Machine export's base names every weight; forward pass equals PyTorch", {
    skip: skipUnless(missingTorch ?? missingFile(TM_FILE)),
  }, async () => {
    need(missingTorch ?? missingFile(TM_FILE));
    const model = await applications.MobileNetV2({ alpha: 0.35, includeTop: false, weights: null });
    const view = readWithH5py(TM_FILE, 'h5');
    const group = 'model_weights/sequential_1/';
    const set = setWeightsByName(model, view, group);
    assert.equal(set, Object.keys(view.datasets).filter((k) => k.startsWith(group)).length);
    const x = fixedInput([2, 224, 224, 3]);
    const y = await model.predict(x, { verbose: 0 });
    assert.deepEqual(y.shape, [2, 7, 7, 1280]);
    assertWithin('MobileNetV2 0.35 features vs PyTorch', y.data, torchForward('v2', TM_FILE, group, x), 1e-4);
  });
  // Sizes that are odd or not multiples of 32. Keras's MobileNetV2 pads before each stride-2 depthwise convolution
  // with imagenet_utils.correct_pad, ((1 - adjust, 1), ...) with adjust = 1 - size % 2: one row/column before only
  // when the size is odd, so every stride-2 step gives ceil(size / 2). MobileNet V1 pads ((0, 1), (0, 1)) whatever
  // the size, so odd sizes lose their last row/column. Shapes computed by hand from those rules; values from
  // mobilenet_torch.py, which pads with F.pad as stated.
  test("MobileNetV2 0.35 at 97x131 and 160x161, MobileNet 0.25 at 97x131: Keras's asymmetric padding, forward pass equals PyTorch", {
    skip: skipUnless(missingTorch ?? missingFile(TM_FILE) ?? missingFile(V1_FILE)),
  }, async () => {
    need(missingTorch ?? missingFile(TM_FILE) ?? missingFile(V1_FILE));
    const group = 'model_weights/sequential_1/';
    const [tmView, v1View] = [readWithH5py(TM_FILE, 'h5'), readWithH5py(V1_FILE, 'h5')];
    for (const [h, w, v2Shape, v1Shape] of [
      [97, 131, [4, 5], [3, 4]], // V2: 97 -> 49 -> 25 -> 13 -> 7 -> 4; 131 -> 66 -> 33 -> 17 -> 9 -> 5. V1: 97 -> 49 -> 24 -> 12 -> 6 -> 3
      [160, 161, [5, 6], null], // V2: 160 -> 80 -> 40 -> 20 -> 10 -> 5; 161 -> 81 -> 41 -> 21 -> 11 -> 6
    ] as const) {
      const x = fixedInput([1, h, w, 3]);
      const v2 = await applications.MobileNetV2({ alpha: 0.35, includeTop: false, weights: null, inputShape: [h, w, 3] });
      setWeightsByName(v2, tmView, group);
      const y2 = await v2.predict(x, { verbose: 0 });
      assert.deepEqual(y2.shape, [1, ...v2Shape, 1280]);
      assertWithin(`MobileNetV2 ${h}x${w} vs PyTorch`, y2.data, torchForward('v2', TM_FILE, group, x), 1e-4);
      if (v1Shape === null) continue; // V1's fixed padding: one odd size is enough
      const v1 = await applications.MobileNet({ alpha: 0.25, includeTop: false, weights: null, inputShape: [h, w, 3] });
      setWeightsByName(v1, v1View, '');
      const y1 = await v1.predict(x, { verbose: 0 });
      assert.deepEqual(y1.shape, [1, ...v1Shape, 256]);
      assertWithin(`MobileNet ${h}x${w} vs PyTorch`, y1.data, torchForward('v1', V1_FILE, '', x), 1e-4);
    }
  });
});

describe('applications with real weight files (loadWeights, the cache, Teachable Machine bases)', () => {
  test("weights: a path and 'imagenet' (Keras's release file name, found in the cache) load every weight by name", {
    skip: skipUnless(missingH5py ?? missingFile(V1_FILE)),
  }, async () => {
    need(missingH5py ?? missingFile(V1_FILE));
    const view = readWithH5py(V1_FILE, 'h5');
    const fromPath = await applications.MobileNet({ alpha: 0.25, includeTop: false, weights: V1_FILE });
    let compared = 0;
    for (const layer of fromPath.layers) {
      for (const w of layer.weights) {
        const dataset = view.datasets[`${layer.name}/${layer.name}/${w.name}:0`];
        assert.ok(dataset, `${layer.name}/${w.name} in the file`);
        assert.deepEqual(Array.from(w.value), dataset.values.map(Math.fround), `${layer.name}/${w.name}`);
        compared++;
      }
    }
    assert.equal(compared, Object.keys(view.datasets).length);
    // 'imagenet' asks utils.getFile for Keras's file name in <cache>/models; a file already there is used as is.
    const home = mkdtempSync(join(tmpdir(), 'convkit-home-'));
    const saved = process.env.CONVKIT_HOME;
    process.env.CONVKIT_HOME = home;
    try {
      mkdirSync(join(home, 'models'));
      copyFileSync(V1_FILE, join(home, 'models', 'mobilenet_2_5_224_tf_no_top.h5'));
      const cached = await applications.MobileNet({ alpha: 0.25, includeTop: false, weights: 'imagenet' });
      cached.weights.forEach((w, i) => {
        assert.deepEqual(w.value, fromPath.weights[i]!.value);
      });
    } finally {
      if (saved === undefined) delete process.env.CONVKIT_HOME;
      else process.env.CONVKIT_HOME = saved;
      rmSync(home, { recursive: true, force: true });
    }
    await assert.rejects(
      applications.MobileNet({ alpha: 0.25, includeTop: false, weights: join(dir, 'missing.h5') }),
      /not found/,
    );
  });

  test("a Teachable Machine export: flattenModel keeps its predictions; featureExtractor gives PyTorch's MobileNetV2 features, pooled", {
    skip: skipUnless(missingTorch ?? missingFile(TM_FILE)),
  }, async () => {
    need(missingTorch ?? missingFile(TM_FILE));
    const tm = await loadModel(TM_FILE, { compile: false });
    assert.deepEqual(
      tm.layers.map((l) => l.name),
      ['sequential_1', 'sequential_3'],
      "Keras's model.layers: seed 004's layers[-5:] unfreezes both nested models, i.e. everything",
    );
    const flat = flattenModel(tm);
    assert.equal(flat.layers.length, 158);
    const x = fixedInput([2, 224, 224, 3]);
    assert.deepEqual(
      Array.from((await flat.predict(x, { verbose: 0 })).data),
      Array.from((await tm.predict(x, { verbose: 0 })).data),
    );
    const features = featureExtractor(tm);
    assert.deepEqual(features.outputs[0]!.shape, [null, 1280]);
    const y = await features.predict(x, { verbose: 0 });
    const maps = torchForward('v2', TM_FILE, 'model_weights/sequential_1/', x);
    const pooled = new Float32Array(2 * 1280);
    for (let n = 0; n < 2; n++) {
      for (let p = 0; p < 49; p++) for (let c = 0; c < 1280; c++) pooled[n * 1280 + c]! += maps[(n * 49 + p) * 1280 + c]! / 49;
    }
    assertWithin('Teachable Machine features vs PyTorch', y.data, pooled, 1e-4);
  });
});
