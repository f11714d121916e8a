// ONNX export checked by three outside readers: Debian's full onnx.proto decodes the file (our hand-declared schema
// must agree with it), python3-onnx's checker (full_check, with shape inference) accepts it, and onnxruntime-node
// runs it on the same NHWC arrays with the same predictions as convkit, for several batch sizes.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { exportOnnx } from '../../src/io/onnx-export.js';
import { Conv2D } from '../../src/layers/conv2d.js';
import { Dense } from '../../src/layers/dense.js';
import { ReLU } from '../../src/layers/relu.js';
import { Resizing } from '../../src/layers/resizing.js';
import { Sequential } from '../../src/models/sequential.js';
import { assertWithin } from '../helpers/close.js';
import { decodeWithOnnxProto, missingOnnx, onnxCheckerErrors, runInOnnxRuntime } from '../helpers/onnx.js';
import { need, skipUnless } from '../helpers/requirements.js';
import { coverageModel, exportCases, randomImages, randomizeStatistics } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'convkit-onnx-'));
after(() => rmSync(root, { recursive: true, force: true }));

const cases = [
  ...exportCases(),
  {
    name: 'every converted layer',
    inputShape: [16, 16, 3],
    build: () => {
      const model = coverageModel('onnx');
      randomizeStatistics(model, 3);
      return model;
    },
  },
];

describe('io: ONNX export', { skip: skipUnless(missingOnnx) }, () => {
  const written: string[] = [];

  for (const c of cases) {
    test(`${c.name}: onnxruntime predicts as convkit on NHWC input, any batch size`, async () => {
      need(missingOnnx);
      const model = c.build();
      const path = join(root, `${c.name.replace(/\W+/g, '-')}.onnx`);
      await exportOnnx(model, path);
      written.push(path);
      for (const n of [1, 3]) {
        const x = randomImages(n, c.inputShape, 20 + n);
        const expected = await model.predict(x, { verbose: 0 });
        const result = await runInOnnxRuntime(path, x);
        assert.deepEqual(result.dims, expected.shape);
        assertWithin(`${c.name}, batch ${n}`, result.data, expected.data, 1e-5);
      }
    });
  }

  test('the files decode with the full onnx.proto: opset, IR version, NHWC input with a dynamic batch, names', async () => {
    need(missingOnnx);
    const [mnist] = exportCases();
    const model = mnist!.build();
    const path = join(root, 'mnist-opset17.onnx');
    await exportOnnx(model, path, { opset: 17 });
    written.push(path);
    const decoded = await decodeWithOnnxProto(readFileSync(path));
    assert.equal(decoded.ir_version, 8);
    assert.deepEqual(
      decoded.opset_import.map((o) => o.version),
      [17],
    );
    assert.equal(decoded.producer_name, 'convkit');
    const [input] = decoded.graph.input;
    assert.equal(input!.name, model.inputs[0]!.name);
    assert.deepEqual(input!.type.tensor_type.shape.dim, [
      { dim_param: 'batch' },
      { dim_value: 28 },
      { dim_value: 28 },
      { dim_value: 1 },
    ]);
    assert.equal(decoded.graph.output[0]!.name, model.layers.at(-1)!.name);
    assert.deepEqual(decoded.graph.output[0]!.type.tensor_type.shape.dim, [{ dim_param: 'batch' }, { dim_value: 10 }]);
    const ops = decoded.graph.node.map((n) => n.op_type);
    assert.equal(ops[0], 'Transpose', 'NHWC input is transposed to NCHW first');
    assert.deepEqual(ops.slice(ops.indexOf('Flatten') - 1, ops.indexOf('Flatten') + 1), ['Transpose', 'Flatten']);
    // The first convolution's weight is Keras's (3, 3, 1, 32) kernel as ONNX's (32, 1, 3, 3).
    const kernel = decoded.graph.initializer.find((t) => t.dims.join() === '32,1,3,3')!;
    const values = new Float32Array(new Uint8Array(kernel.raw_data!).buffer);
    const keras = model.layers[0]!.weights[0]!.value;
    assert.equal(values[5 * 9 + 1 * 3 + 2], keras[(1 * 3 + 2) * 32 + 5], 'W[o=5, 0, y=1, x=2] = K[1, 2, 0, 5]');
  });

  test('a 4-D output comes back NHWC under the output layer name', async () => {
    need(missingOnnx);
    const model = new Sequential([new Conv2D(4, 3, { inputShape: [8, 8, 2], padding: 'same', name: 'segment' })]);
    const path = join(root, 'four-d.onnx');
    await exportOnnx(model, path);
    written.push(path);
    const x = randomImages(2, [8, 8, 2], 1);
    const result = await runInOnnxRuntime(path, x);
    assert.deepEqual(result.dims, [2, 8, 8, 4]);
    assertWithin('4-D output', result.data, (await model.predict(x, { verbose: 0 })).data, 1e-5);
    const decoded = await decodeWithOnnxProto(readFileSync(path));
    assert.equal(decoded.graph.output[0]!.name, 'segment');
  });

  test('python3-onnx accepts every file written (check_model, full_check=True)', () => {
    need(missingOnnx);
    assert.ok(written.length >= cases.length + 1, 'the export tests ran first');
    const errors = onnxCheckerErrors(written);
    assert.deepEqual(
      written.map((p, i) => [p, errors[i]]).filter(([, e]) => e !== null),
      [],
    );
  });

  test('an unsupported layer or a bad option fails before anything is written', async () => {
    const path = join(root, 'refused.onnx');
    const resizing = new Sequential([new Resizing(8, 8, { inputShape: [16, 16, 3] }), new Dense(2)]);
    await assert.rejects(
      exportOnnx(resizing, path),
      (e: Error) => e instanceof ConfigError && /'resizing\w*' \(Resizing\)/.test(e.message),
    );
    const thresholded = new Sequential([new Dense(2, { inputShape: [4] }), new ReLU({ threshold: 0.5, name: 'gate' })]);
    await assert.rejects(
      exportOnnx(thresholded, path),
      (e: Error) => e instanceof ConfigError && /'gate' \(ReLU\).*threshold/.test(e.message),
    );
    assert.equal(existsSync(path), false);
    const [mnist] = exportCases();
    await assert.rejects(
      exportOnnx(mnist!.build(), path, { opset: 11 }),
      /invalid 'opset'. Expected an integer from 13 to 21, received 11/,
    );
    await assert.rejects(exportOnnx(mnist!.build(), path, { opSet: 13 } as never), /unknown option 'opSet'/);
    await assert.rejects(exportOnnx(new Sequential([new Dense(2)]), path), /not built yet/);
    assert.equal(existsSync(path), false);
  });
});
