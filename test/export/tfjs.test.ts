// TensorFlow.js layers models in and out, checked against TF.js itself (pure-JS CPU backend): a real Teachable
// Machine export loads with the same predictions, quantized manifests decode as TF.js decodes them, and exports of
// the seed CNNs and a MobileNet-like model load in TF.js and back in convkit with the same predictions.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError, FormatError, NotFoundError } from '../../src/errors.js';
import { exportTfjs } from '../../src/io/tfjs-export.js';
import { loadTfjsModel } from '../../src/io/tfjs-load.js';
import { float32ToFloat16 } from '../../src/io/tfjs-weights.js';
import { Dense } from '../../src/layers/dense.js';
import { Resizing } from '../../src/layers/resizing.js';
import { Sequential } from '../../src/models/sequential.js';
import { assertWithin } from '../helpers/close.js';
import { missingFile, missingH5py, need, PYTHON, SHARED_DATA, skipUnless } from '../helpers/requirements.js';
import { loadInTfjs, predictInTfjs } from '../helpers/tfjs.js';
import { coverageModel, exportCases, randomImages, randomizeStatistics, seededUniform } from './fixtures.js';

const TM_DIR = join(SHARED_DATA, 'tfjs-layers-tm');
const root = mkdtempSync(join(tmpdir(), 'convkit-tfjs-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** float32 -> IEEE half bits (round to nearest even), for writing float16-quantized test manifests. */
function toHalf(value: number): number {
  const f = new Float32Array([value]);
  const bits = new Uint32Array(f.buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (exp <= 0) return sign | Math.round((mantissa | 0x800000) / 2 ** (14 - exp));
  const rounded = Math.round(mantissa / 8192);
  return sign | ((exp << 10) + rounded);
}

/** A copy of an export whose weights are stored quantized as `dtype`, the way tensorflowjs_converter writes them. */
function quantizedCopy(srcDir: string, dstDir: string, dtype: 'uint8' | 'uint16' | 'float16'): void {
  const json = JSON.parse(readFileSync(join(srcDir, 'model.json'), 'utf8'));
  const group = json.weightsManifest[0];
  const raw = Buffer.concat(group.paths.map((p: string) => readFileSync(join(srcDir, p))));
  const floats = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const parts: Buffer[] = [];
  let offset = 0;
  for (const spec of group.weights) {
    const n = spec.shape.reduce((a: number, b: number) => a * b, 1);
    const values = floats.subarray(offset, offset + n);
    offset += n;
    if (dtype === 'float16') {
      parts.push(Buffer.from(new Uint16Array(Array.from(values, toHalf)).buffer));
      spec.quantization = { dtype };
      continue;
    }
    const levels = dtype === 'uint8' ? 255 : 65535;
    const min = values.reduce((a, b) => Math.min(a, b));
    const scale = (values.reduce((a, b) => Math.max(a, b)) - min) / levels || 1;
    const q = Array.from(values, (v) => Math.round((v - min) / scale));
    parts.push(Buffer.from(dtype === 'uint8' ? new Uint8Array(q).buffer : new Uint16Array(q).buffer));
    spec.quantization = { dtype, scale, min };
  }
  mkdirSync(dstDir, { recursive: true });
  writeFileSync(join(dstDir, 'weights.bin'), Buffer.concat(parts));
  json.weightsManifest = [{ paths: ['weights.bin'], weights: group.weights }];
  writeFileSync(join(dstDir, 'model.json'), JSON.stringify(json));
}

describe('io: TensorFlow.js layers models', () => {
  test('the Teachable Machine TF.js export loads and predicts as TF.js does', {
    skip: skipUnless(missingFile(TM_DIR)),
  }, async () => {
    need(missingFile(TM_DIR));
    const model = await loadTfjsModel(TM_DIR);
    const theirs = await loadInTfjs(join(TM_DIR, 'model.json'));
    assert.equal(model.countParams(), theirs.countParams());
    assert.deepEqual(model.outputs[0]!.shape, [null, 5]);
    const x = randomImages(2, [224, 224, 3], 3, -1, 1);
    const ours = await model.predict(x, { verbose: 0 });
    assertWithin('Teachable Machine TF.js predictions', ours.data, await predictInTfjs(theirs, x), 1e-5);
    // model.json given directly works as well as its folder.
    const again = await loadTfjsModel(join(TM_DIR, 'model.json'));
    assert.deepEqual(again.getWeights().length, model.getWeights().length);
  });

  const coverage = {
    name: 'every converted layer',
    inputShape: [16, 16, 3],
    build: () => {
      const model = coverageModel('tfjs');
      randomizeStatistics(model, 3);
      return model;
    },
  };
  for (const c of [...exportCases(), coverage]) {
    test(`export ${c.name}: TF.js loadLayersModel and loadTfjsModel predict as convkit`, async () => {
      const model = c.build();
      const dir = join(root, c.name.replace(/\W+/g, '-'));
      await exportTfjs(model, dir);
      const x = randomImages(3, c.inputShape, 5, 0, 255);
      if (c.inputShape[0] === 28) for (let i = 0; i < x.data.length; i++) x.data[i]! /= 255;
      const expected = await model.predict(x, { verbose: 0 });
      const theirs = await loadInTfjs(join(dir, 'model.json'));
      assert.equal(theirs.countParams(), model.countParams());
      assertWithin(`${c.name} in TF.js`, await predictInTfjs(theirs, x), expected.data, 1e-5);
      const back = await loadTfjsModel(dir);
      assert.deepEqual(back.getWeights(), model.getWeights());
      assertWithin(`${c.name} back in convkit`, (await back.predict(x, { verbose: 0 })).data, expected.data, 1e-6);
    });
  }

  test('export writes 4 MiB shards and leaves out inference no-op layers TF.js lacks', async () => {
    const [, , bnCnn, mobile] = exportCases();
    const dir = join(root, 'shards');
    await exportTfjs(bnCnn!.build(), dir);
    const files = readdirSync(dir).sort();
    assert.deepEqual(files, ['group1-shard1of2.bin', 'group1-shard2of2.bin', 'model.json']);
    assert.equal(statSync(join(dir, files[0]!)).size, 4 * 1024 * 1024);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    assert.equal(json.format, 'layers-model');
    assert.match(json.generatedBy, /^convkit /);
    const mobileDir = join(root, 'no-ops');
    await exportTfjs(mobile!.build(), mobileDir);
    const classes = JSON.parse(readFileSync(join(mobileDir, 'model.json'), 'utf8')).modelTopology.config.layers.map(
      (l: { class_name: string }) => l.class_name,
    );
    assert.ok(
      !classes.includes('RandomFlip') && classes.includes('Dropout') && classes.includes('DepthwiseConv2D'),
      classes.join(),
    );
  });

  test('quantized weights (uint8, uint16, float16) decode as TF.js decodes them', async () => {
    const [mnist] = exportCases();
    const src = join(root, 'to-quantize');
    await exportTfjs(mnist!.build(), src);
    const x = randomImages(2, [28, 28, 1], 9);
    for (const dtype of ['uint8', 'uint16', 'float16'] as const) {
      const dir = join(root, `quantized-${dtype}`);
      quantizedCopy(src, dir, dtype);
      const ours = await (await loadTfjsModel(dir)).predict(x, { verbose: 0 });
      assertWithin(`${dtype} weights`, ours.data, await predictInTfjs(await loadInTfjs(join(dir, 'model.json')), x), 1e-5);
    }
  });

  test('quantized export (uint8, uint16, float16): TF.js reads it, as loadTfjsModel does; files 4x / 2x smaller', async () => {
    const [, , bnCnn] = exportCases();
    const model = bnCnn!.build();
    const x = randomImages(2, [28, 28, 1], 12);
    const exact = await model.predict(x, { verbose: 0 });
    for (const [quantize, bytes, tol] of [
      ['uint8', 1, 0.1],
      ['uint16', 2, 1e-3],
      ['float16', 2, 1e-2],
    ] as const) {
      const dir = join(root, `export-${quantize}`);
      await exportTfjs(model, dir, { quantize });
      const shardBytes = readdirSync(dir)
        .filter((f) => f.endsWith('.bin'))
        .reduce((n, f) => n + statSync(join(dir, f)).size, 0);
      assert.equal(shardBytes, model.countParams() * bytes, quantize);
      const ours = (await (await loadTfjsModel(dir)).predict(x, { verbose: 0 })).data;
      assertWithin(`${quantize} export in TF.js`, await predictInTfjs(await loadInTfjs(join(dir, 'model.json')), x), ours, 1e-5);
      assertWithin(`${quantize} export near the float32 model`, ours, exact.data, tol);
    }
    await assert.rejects(
      exportTfjs(model, join(root, 'q'), { quantize: 'int4' as never }),
      /invalid 'quantize'. Expected one of 'uint8', 'uint16', 'float16'/,
    );
  });

  test('float32 -> float16 rounds as NumPy does (nearest even, subnormals, overflow to infinity)', {
    skip: skipUnless(missingH5py),
  }, () => {
    need(missingH5py);
    const values = [0, 1, -2.5, 65504, 65519, 65520, -1e6, 6.1e-5, 5.96e-8, 2.98e-8, 2.99e-8, 1e-9, 1 / 3, 1 + 2 ** -11];
    const next = seededUniform(5);
    for (let i = 0; i < 200; i++) values.push((next() - 0.5) * 2 ** Math.floor(next() * 40 - 26));
    const script =
      'import json, sys, numpy as np; v = np.array(json.loads(sys.stdin.read()), dtype=np.float32); print(json.dumps(v.astype(np.float16).view(np.uint16).tolist()))';
    const expected = JSON.parse(execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(values), encoding: 'utf8' }));
    assert.deepEqual(values.map(float32ToFloat16), expected);
    // JSON has no -0, infinities or NaN: their IEEE half bits by hand.
    assert.deepEqual(
      [-0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN].map(float32ToFloat16),
      [0x8000, 0x7c00, 0xfc00, 0x7e00],
    );
  });

  test('int32 weights are read as their integer values', async () => {
    const model = new Sequential([new Dense(2, { inputShape: [3], name: 'ints' })]);
    const dir = join(root, 'int32');
    await exportTfjs(model, dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    json.weightsManifest[0].weights[0].dtype = 'int32';
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    writeFileSync(
      join(dir, 'group1-shard1of1.bin'),
      Buffer.concat([Buffer.from(Int32Array.of(1, -2, 3, 4, 5, -6).buffer), Buffer.from(Float32Array.of(0.5, -0.5).buffer)]),
    );
    const loaded = await loadTfjsModel(dir);
    assert.deepEqual(Array.from(loaded.getWeights()[0]!), [1, -2, 3, 4, 5, -6]);
    assert.deepEqual(Array.from(loaded.getWeights()[1]!), [0.5, -0.5]);
  });

  test("the Python converter's layout loads too: topology under model_config, weight names with scopes and ':0'", async () => {
    const [, lenet] = exportCases();
    const model = lenet!.build();
    const dir = join(root, 'converter-layout');
    await exportTfjs(model, dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    json.modelTopology = { keras_version: '2.4.0', backend: 'tensorflow', model_config: json.modelTopology };
    for (const [i, w] of json.weightsManifest[0].weights.entries()) w.name = i % 2 ? `${w.name}:0` : `${model.name}/${w.name}`;
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    const x = randomImages(2, [28, 28, 1], 4);
    const loaded = await loadTfjsModel(join(dir, 'model.json'));
    assert.deepEqual((await loaded.predict(x, { verbose: 0 })).data, (await model.predict(x, { verbose: 0 })).data);
  });

  test('damaged or foreign files fail with clear errors', async () => {
    const [mnist] = exportCases();
    const dir = join(root, 'damaged');
    await exportTfjs(mnist!.build(), dir);
    const shard = join(dir, 'group1-shard1of1.bin');
    writeFileSync(shard, readFileSync(shard).subarray(0, 1000));
    await assert.rejects(loadTfjsModel(dir), (e: Error) => e instanceof FormatError && /truncated/.test(e.message));
    await assert.rejects(loadTfjsModel(join(root, 'nowhere')), NotFoundError);
    const graph = join(root, 'graph-model');
    mkdirSync(graph);
    writeFileSync(join(graph, 'model.json'), JSON.stringify({ format: 'graph-model', modelTopology: {} }));
    await assert.rejects(loadTfjsModel(graph), (e: Error) => e instanceof FormatError && /graph model/.test(e.message));
    writeFileSync(join(graph, 'model.json'), '{"modelTopology": ');
    await assert.rejects(loadTfjsModel(graph), (e: Error) => e instanceof FormatError && /not valid JSON/.test(e.message));
  });

  test('export refuses unsupported layers and foreign folders, writes nothing, and replaces an earlier export', async () => {
    const model = new Sequential([new Resizing(8, 8, { inputShape: [16, 16, 3] }), new Dense(2)]);
    const dir = join(root, 'refused');
    await assert.rejects(
      exportTfjs(model, dir),
      (e: Error) => e instanceof ConfigError && /'resizing\w*' \(Resizing\)/.test(e.message),
    );
    assert.equal(existsSync(dir), false);
    const [mnist, lenet] = exportCases();
    const target = join(root, 'replaced');
    await exportTfjs(mnist!.build(), target);
    await exportTfjs(lenet!.build(), target);
    assert.equal((await loadTfjsModel(target)).countParams(), lenet!.build().countParams());
    assert.deepEqual(
      readdirSync(root).filter((n) => n.includes('.tmp-')),
      [],
    );
    writeFileSync(join(target, 'notes.txt'), 'mine');
    await assert.rejects(
      exportTfjs(mnist!.build(), target),
      (e: Error) => e instanceof ConfigError && /notes\.txt/.test(e.message),
    );
    assert.equal(readFileSync(join(target, 'notes.txt'), 'utf8'), 'mine');
    await assert.rejects(exportTfjs(mnist!.build(), target, { shardSize: 10 } as never), /unknown option 'shardSize'/);
    await assert.rejects(
      exportTfjs(mnist!.build(), join(root, 'web', 'model.json')),
      /Expected a folder path.*Hint: give '.*web'/,
    );
    assert.equal(existsSync(join(root, 'web')), false);
  });
});
