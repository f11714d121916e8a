// `convkit convert --format / --opset / --quantize`, checked by the programs that read the outputs: TF.js reads a
// quantized folder (its dequantized weights within the quantization step of the originals, the shards 4x / 2x
// smaller), the onnx checker and onnxruntime read an opset-17 file named without '.onnx' (opset 21: onnxruntime only,
// Debian's onnx 1.12 checker stops at opset 17), h5py and zipfile see the Keras layouts in files named .bin / .out.
// Options that do not fit the output, or bad values, fail before the input is read, and nothing is written.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { convertModel } from '../../src/io/convert.js';
import { loadModel } from '../../src/io/load-model.js';
import { convkit } from '../helpers/cli.js';
import { assertWithin } from '../helpers/close.js';
import { readWithH5py } from '../helpers/h5py.js';
import { decodeWithOnnxProto, missingOnnx, onnxCheckerErrors, runInOnnxRuntime } from '../helpers/onnx.js';
import { missingFile, missingH5py, need, SHARED_DATA, skipUnless } from '../helpers/requirements.js';
import { loadInTfjs, predictInTfjs } from '../helpers/tfjs.js';
import { randomImages } from './fixtures.js';

const MNIST_H5 = join(SHARED_DATA, 'keras-mnist', 'classic-cnn', 'mnist_cnn.h5');
const missing = missingFile(MNIST_H5) ?? missingOnnx ?? missingH5py;
const dir = mkdtempSync(join(tmpdir(), 'convkit-convert-options-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('convkit convert: --format, --opset, --quantize', { skip: skipUnless(missing) }, () => {
  test('--format tfjs --quantize uint8|uint16|float16: TF.js reads the folder; weights within one quantization step', async () => {
    need(missing);
    const model = await loadModel(MNIST_H5, { compile: false });
    const x = randomImages(2, [28, 28, 1], 5);
    for (const [quantize, bytes] of [
      ['uint8', 1],
      ['uint16', 2],
      ['float16', 2],
    ] as const) {
      const out = join(dir, `web-${quantize}`); // no trailing slash: the format makes it a folder
      if (quantize === 'uint8') {
        const r = convkit('convert', MNIST_H5, out, '--format', 'tfjs', '--quantize', quantize);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /\(TF\.js layers model folder, --format tfjs, uint8 weights\)/);
      } else {
        await convertModel(MNIST_H5, out, { format: 'tfjs', quantize }); // the same path without a process each
      }
      const shards = readdirSync(out).filter((f) => f.endsWith('.bin'));
      assert.equal(
        shards.reduce((n, f) => n + statSync(join(out, f)).size, 0),
        model.countParams() * bytes,
      );
      const inTfjs = await loadInTfjs(join(out, 'model.json'));
      // TF.js's own dequantization, compared with the float32 originals: uint8/uint16 round to a step of
      // (max - min) / (2^bits - 1) per weight, float16 to a relative 2^-11.
      const original = model.getWeights();
      const decoded = await Promise.all(inTfjs.getWeights().map((w) => w.data()));
      assert.equal(decoded.length, original.length);
      for (const [i, values] of decoded.entries()) {
        const want = original[i]!;
        let low = Infinity;
        let high = -Infinity;
        for (const v of want) [low, high] = [Math.min(low, v), Math.max(high, v)];
        let worst = 0;
        let allowed = 0;
        for (const [j, v] of want.entries()) {
          const step =
            quantize === 'float16' ? Math.abs(v) * 2 ** -11 + 2 ** -24 : (high - low) / (quantize === 'uint8' ? 255 : 65535);
          // A step of rounding plus float32's error on (value - min) / scale.
          const tol = quantize === 'float16' ? step : step / 2 + 1e-6 * (high - low);
          worst = Math.max(worst, Math.abs(values[j]! - v) - tol);
          allowed = Math.max(allowed, tol);
        }
        assert.ok(worst <= 0, `${quantize} weight ${i}: off by ${worst} beyond the step ${allowed}`);
      }
      // convkit reads the quantized folder back as TF.js does.
      const back = await loadModel(out);
      assertWithin(
        `${quantize} TF.js vs convkit`,
        await predictInTfjs(inTfjs, x),
        (await back.predict(x, { verbose: 0 })).data,
        1e-5,
      );
    }
  });

  test('--opset 17 (checker + onnxruntime) and --opset 21 (onnxruntime), --format onnx on a .bin name', async () => {
    need(missing);
    const model = await loadModel(MNIST_H5, { compile: false });
    const x = randomImages(3, [28, 28, 1], 9);
    const expected = (await model.predict(x, { verbose: 0 })).data;
    const paths = [];
    for (const opset of [17, 21]) {
      const out = join(dir, `mnist-opset${opset}.bin`);
      if (opset === 17) {
        const r = convkit('convert', MNIST_H5, out, '--format', 'onnx', '--opset', String(opset));
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /\(ONNX model, --format onnx, opset 17\)/);
      } else {
        await convertModel(MNIST_H5, out, { format: 'onnx', opset });
      }
      const decoded = await decodeWithOnnxProto(readFileSync(out));
      assert.deepEqual(
        decoded.opset_import.map((o) => o.version),
        [opset],
      );
      assertWithin(`opset ${opset} in onnxruntime`, (await runInOnnxRuntime(out, x)).data, expected, 1e-5);
      paths.push(out);
    }
    assert.deepEqual(onnxCheckerErrors([paths[0]!]), [null]);
  });

  test('--format h5 / format keras write the Keras layouts whatever the name', async () => {
    need(missing);
    const model = await loadModel(MNIST_H5, { compile: false });
    const x = randomImages(2, [28, 28, 1], 13);
    const expected = (await model.predict(x, { verbose: 0 })).data;
    const h5 = join(dir, 'mnist.bin');
    const keras = join(dir, 'mnist.out');
    assert.equal(convkit('convert', MNIST_H5, h5, '--format', 'h5').code, 0);
    await convertModel(MNIST_H5, keras, { format: 'keras' });
    const legacy = readWithH5py(h5, 'h5');
    assert.ok(
      Object.keys(legacy.datasets).some((name) => name.startsWith('model_weights/')),
      Object.keys(legacy.datasets).join(),
    );
    const archive = readWithH5py(keras, 'keras');
    assert.deepEqual(archive.entries, ['config.json', 'metadata.json', 'model.weights.h5']);
    assert.equal(archive.crcOk, true);
    for (const path of [h5, keras]) {
      assertWithin(path, (await (await loadModel(path)).predict(x, { verbose: 0 })).data, expected, 0);
    }
  });

  test('options that do not fit the output, and bad values, fail before the input is read; nothing is written', async () => {
    need(missing);
    const notAModel = join(dir, 'missing-input.h5'); // never read: every case fails on the options first
    const cases: [string[], RegExp][] = [
      [
        ['m.keras', '--quantize', 'uint8'],
        /'quantize' applies to TF\.js output .* only\. Expected no 'quantize' for Keras 3 model output, received "uint8"/,
      ],
      [
        ['web/', '--opset', '14'],
        /'opset' applies to ONNX output .* only\. Expected no 'opset' for TF\.js layers model folder output/,
      ],
      [['m.onnx', '--opset', '11'], /--opset: expected an integer >= 13 and <= 21, received '11'/],
      [['m.onnx', '--opset', '13.5'], /--opset: expected an integer/],
      [
        ['web', '--format', 'tfjs', '--quantize', 'int4'],
        /'--quantize <type>' argument 'int4' is invalid\. Allowed choices are uint8, uint16, float16/,
      ],
      [
        ['m.tflite', '--format', 'tflite'],
        /'--format <name>' argument 'tflite' is invalid\. Allowed choices are keras, h5, onnx, tfjs/,
      ],
      [
        ['folder/', '--format', 'keras'],
        /invalid 'output'\. Expected a file path for Keras 3 model output, received ".*folder\/"/,
      ],
      [['model'], /invalid 'output'\. Expected a path ending in .*Hint: .*or name it with format/],
    ];
    for (const [[out, ...flags], message] of cases) {
      const r = convkit('convert', notAModel, join(dir, 'refused', out!), ...flags);
      assert.equal(r.code, 1, `${out} ${flags.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at |missing-input/);
    }
    assert.equal(existsSync(join(dir, 'refused')), false);
    // The library says the same, naming its option.
    await assert.rejects(
      convertModel(notAModel, join(dir, 'refused', 'm.onnx'), { opset: 22 }),
      /convertModel: invalid 'opset'\. Expected an integer from 13 to 21, received 22/,
    );
    await assert.rejects(
      convertModel(notAModel, join(dir, 'refused', 'web'), { format: 'tfjs', quantize: 'int8' as never }),
      /convertModel: invalid 'quantize'\. Expected one of 'uint8', 'uint16', 'float16', received "int8"/,
    );
    await assert.rejects(
      convertModel(notAModel, join(dir, 'refused', 'm.keras'), { format: 'weights.h5' as never }),
      /invalid 'format'/,
    );
  });
});
