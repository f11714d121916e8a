// convkit serve's REST API against a real server on a random loopback port: TensorFlow Serving's status,
// metadata and :predict (row and columnar, nested lists and b64 images), :classify-image, several models at once,
// dynamic batching; answers compared with model.predict in this process on the same input.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { gradCam } from '../../src/explain/grad-cam.js';
import type { Model } from '../../src/models/model.js';
import { heatmapOverlayPng } from '../../src/plots/explanation-figure.js';
import { loadImage } from '../../src/preprocessing/image.js';
import { type ServerHandle, serve } from '../../src/serve/server.js';
import { close } from '../helpers/close.js';
import { missingFile, need, skipUnless } from '../helpers/requirements.js';
import {
  CAT_PHOTO,
  type Digit,
  digitInstance,
  digitPng,
  expectedMnist,
  loadMnistModel,
  MNIST_KERAS,
  smallRgbModel,
  testDigits,
} from './serve-fixtures.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read by path in assertions.
type Json = any;

const missing = missingFile(MNIST_KERAS) ?? missingFile(CAT_PHOTO);

async function call(server: ServerHandle, path: string, init?: RequestInit): Promise<{ status: number; body: Json }> {
  const response = await fetch(server.url + path, init);
  const text = await response.text();
  return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text };
}

const postJson = (server: ServerHandle, path: string, body: unknown) =>
  call(server, path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('serve: TensorFlow Serving REST API', { skip: skipUnless(missing) }, () => {
  let server: ServerHandle;
  let mnistModel: Model;
  let rgbModel: Model;
  let digits: Digit[];

  before(async () => {
    need(missing);
    digits = await testDigits(6);
    mnistModel = await loadMnistModel();
    rgbModel = smallRgbModel();
    await rgbModel.predict({ data: new Float32Array(16 * 16 * 3), shape: [1, 16, 16, 3] }, { verbose: 0 }); // builds it
    server = await serve(
      { mnist: MNIST_KERAS, pets: { model: rgbModel, labels: ['cat', 'dog'] } },
      { port: 0, batchTimeoutMs: 50, web: false },
    );
  });
  after(() => server?.close());

  test('status and metadata, as TensorFlow Serving writes them', async () => {
    const status = await call(server, '/v1/models/mnist');
    assert.equal(status.status, 200);
    assert.deepEqual(status.body, {
      model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }],
    });
    assert.equal((await call(server, '/v1/models/mnist/versions/1')).status, 200);
    const wrongVersion = await call(server, '/v1/models/mnist/versions/2');
    assert.equal(wrongVersion.status, 404);
    assert.match(wrongVersion.body.error, /Specific\(mnist, 2\)/);
    const meta = await call(server, '/v1/models/mnist/metadata');
    assert.equal(meta.status, 200);
    assert.deepEqual(meta.body.model_spec, { name: 'mnist', signature_name: '', version: '1' });
    const signature = meta.body.metadata.signature_def.signature_def.serving_default;
    assert.equal(signature.method_name, 'tensorflow/serving/predict');
    const [inputName] = Object.keys(signature.inputs);
    assert.match(inputName!, /^input_layer/, 'the Keras input layer name');
    const dims = (t: Json) => t.tensor_shape.dim.map((d: Json) => Number(d.size));
    assert.deepEqual(dims(signature.inputs[inputName!]), [-1, 28, 28, 1]);
    assert.equal(signature.inputs[inputName!].dtype, 'DT_FLOAT');
    assert.deepEqual(dims(Object.values(signature.outputs)[0]), [-1, 10]);
  });

  test('predict, row format: the same numbers as model.predict here, and the right digits', async () => {
    const { status, body } = await postJson(server, '/v1/models/mnist:predict', {
      instances: digits.map((d) => digitInstance(d.pixels)),
    });
    assert.equal(status, 200, JSON.stringify(body));
    const expected = await expectedMnist(mnistModel, digits);
    assert.equal(body.predictions.length, digits.length);
    close(body.predictions.flat(), expected, 1e-6, 'predictions');
    const predicted = body.predictions.map((row: number[]) => row.indexOf(Math.max(...row)));
    assert.deepEqual(
      predicted,
      digits.map((d) => d.label),
    );
  });

  test('predict, columnar format and named inputs: {"outputs": ...}', async () => {
    const meta = await call(server, '/v1/models/mnist/metadata');
    const [inputName] = Object.keys(meta.body.metadata.signature_def.signature_def.serving_default.inputs) as [string];
    const expected = await expectedMnist(mnistModel, digits.slice(0, 2));
    const columnar = await postJson(server, '/v1/models/mnist:predict', {
      inputs: digits.slice(0, 2).map((d) => digitInstance(d.pixels)),
    });
    assert.equal(columnar.status, 200, JSON.stringify(columnar.body));
    assert.equal(columnar.body.predictions, undefined);
    close(columnar.body.outputs.flat(), expected, 1e-6, 'outputs');
    const named = await postJson(server, '/v1/models/mnist:predict', {
      signature_name: 'serving_default',
      inputs: { [inputName]: digits.slice(0, 2).map((d) => digitInstance(d.pixels)) },
    });
    close(named.body.outputs.flat(), expected, 1e-6, 'named outputs');
    const namedRows = await postJson(server, '/v1/models/mnist:predict', {
      instances: digits.slice(0, 2).map((d) => ({ [inputName]: digitInstance(d.pixels) })),
    });
    close(namedRows.body.predictions.flat(), expected, 1e-6, 'named instances');
  });

  test('predict with {"b64": PNG bytes}: decoded and scaled by 1/255 like the nested lists', async () => {
    const pngs = await Promise.all(digits.slice(0, 3).map((d) => digitPng(d.pixels)));
    const { status, body } = await postJson(server, '/v1/models/mnist:predict', {
      instances: pngs.map((png) => ({ b64: png.toString('base64') })),
    });
    assert.equal(status, 200, JSON.stringify(body));
    close(body.predictions.flat(), await expectedMnist(mnistModel, digits.slice(0, 3)), 1e-6, 'b64 predictions');
  });

  test(':classify-image with a multipart photo: label, probabilities and top-k as model.predict gives them', async () => {
    const photo = readFileSync(CAT_PHOTO);
    const form = new FormData();
    form.append('image', new Blob([photo], { type: 'image/jpeg' }), 'cat.jpg');
    const { status, body } = await call(server, '/v1/models/pets:classify-image', { method: 'POST', body: form });
    assert.equal(status, 200, JSON.stringify(body));
    // Expected: convkit's own image loader (stretch to 16x16, RGB), /255, model.predict in this process.
    const image = await loadImage(CAT_PHOTO, { targetSize: [16, 16], colorMode: 'rgb' });
    const scaled = { data: image.data.map((v) => v / 255), shape: image.shape };
    const expected = (await rgbModel.predict(scaled, { verbose: 0 })).data;
    close(body.probabilities, expected, 1e-5, 'probabilities');
    const best = expected[0]! >= expected[1]! ? 0 : 1;
    assert.equal(body.label, ['cat', 'dog'][best]);
    assert.deepEqual(
      body.top.map((t: { label: string }) => t.label),
      best === 0 ? ['cat', 'dog'] : ['dog', 'cat'],
    );
    const topOne = await call(server, '/v1/models/pets:classify-image?top=1', { method: 'POST', body: form });
    assert.equal(topOne.body.top.length, 1);
    const topFive = await call(server, '/v1/models/pets:classify-image?top=5', { method: 'POST', body: form });
    assert.equal(topFive.body.top.length, 2, 'top beyond the classes lists them all');
    assert.equal((await call(server, '/v1/models/pets:classify-image?top=0', { method: 'POST', body: form })).status, 400);
  });

  test(':gradcam: the overlay PNG is gradCam + heatmapOverlayPng computed here on the same input', async () => {
    const instance = digitInstance(digits[0]!.pixels);
    const response = await fetch(`${server.url}/v1/models/mnist:gradcam`, {
      method: 'POST',
      body: JSON.stringify({ instances: [instance] }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    assert.equal(response.headers.get('content-type'), 'image/png');
    const image = { data: Float32Array.from(instance.flat(2)), shape: [1, 28, 28, 1] };
    const cam = gradCam(mnistModel, image);
    assert.equal(response.headers.get('x-class-index'), String(digits[0]!.label));
    assert.equal(response.headers.get('x-layer-name'), cam.layerName);
    const expected = await heatmapOverlayPng(image, cam.heatmap, { valueRange: [0, 1] });
    const [got, want] = await Promise.all(
      [new Uint8Array(await response.arrayBuffer()), expected].map((png) =>
        sharp(png).raw().toBuffer({ resolveWithObject: true }),
      ),
    );
    assert.deepEqual(got!.info, want!.info);
    // The worker's native kernels may sum in another order than this process's: a pixel may differ by a level or two.
    let worst = 0;
    for (let i = 0; i < want!.data.length; i++) worst = Math.max(worst, Math.abs(got!.data[i]! - want!.data[i]!));
    assert.ok(worst <= 2, `overlay pixels differ by up to ${worst} levels`);
    // A photo upload and an explicit class work too; a class out of range is a 400.
    const form = new FormData();
    form.append('image', new Blob([readFileSync(CAT_PHOTO)]), 'cat.jpg');
    const dogCam = await fetch(`${server.url}/v1/models/pets:gradcam?class=1`, { method: 'POST', body: form });
    assert.equal(dogCam.status, 200, await dogCam.clone().text());
    assert.equal(dogCam.headers.get('x-class-index'), '1');
    const bad = await fetch(`${server.url}/v1/models/pets:gradcam?class=2`, { method: 'POST', body: form });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /'class': expected an integer from 0 to 1, received "2"/);
  });

  test('several models: each answers with its own shapes; the page list names both', async () => {
    const pets = await postJson(server, '/v1/models/pets:predict', {
      instances: [Array.from({ length: 16 }, () => Array.from({ length: 16 }, () => [0.5, 0.25, 1]))],
    });
    assert.equal(pets.status, 200, JSON.stringify(pets.body));
    assert.equal(pets.body.predictions[0].length, 2);
    close([pets.body.predictions[0][0] + pets.body.predictions[0][1]], [1], 1e-5, 'softmax sum');
    const list = await call(server, '/api/models');
    assert.deepEqual(
      list.body.models.map((m: { name: string; view: string; labels: string[] }) => [m.name, m.view, m.labels.length]),
      [
        ['mnist', 'draw', 10],
        ['pets', 'photo', 2],
      ],
    );
  });

  test('dynamic batching: concurrent requests share batches, each gets its own rows back', async () => {
    const before = server.batchSizes().mnist!;
    const answers = await Promise.all(
      digits.map((d) => postJson(server, '/v1/models/mnist:predict', { instances: [digitInstance(d.pixels)] })),
    );
    const expected = await expectedMnist(mnistModel, digits);
    answers.forEach((a, i) => {
      assert.equal(a.status, 200);
      close(a.body.predictions[0], expected.subarray(i * 10, (i + 1) * 10), 1e-5, `digit ${i}`);
    });
    const after = server.batchSizes().mnist!;
    const formed = Object.entries(after).flatMap(([size, n]) =>
      Array.from({ length: n - (before[Number(size)] ?? 0) }, () => Number(size)),
    );
    assert.equal(
      formed.reduce((a, b) => a + b, 0),
      digits.length,
      'every row ran once',
    );
    assert.ok(formed.length < digits.length, `some requests were batched together (batches: ${formed.join(', ')})`);
  });
});
