// convkit serve refuses bad requests with a 4xx and a message that says what was wrong, and keeps serving:
// malformed JSON, wrong shapes and types, huge bodies, bytes that are not an image, unknown models and verbs,
// missing or wrong tokens, multipart mistakes; a deadline gives 503. After each, a good request still works.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ServerHandle, serve } from '../../src/serve/server.js';
import { missingFile, need, skipUnless } from '../helpers/requirements.js';
import { type Digit, digitInstance, loadMnistModel, MNIST_KERAS, testDigits } from './serve-fixtures.js';

const missing = missingFile(MNIST_KERAS);
const TOKEN = 'correct-horse-battery';
const auth = { Authorization: `Bearer ${TOKEN}` };

describe('serve: bad input gets a clear 4xx and the server keeps serving', { skip: skipUnless(missing) }, () => {
  let server: ServerHandle;
  let digit: Digit;
  const predict = (body: string | object, headers: Record<string, string> = auth) =>
    fetch(`${server.url}/v1/models/mnist:predict`, {
      method: 'POST',
      headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  async function refused(response: Response, status: number, message: RegExp): Promise<void> {
    const text = await response.text();
    assert.equal(response.status, status, text);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
    assert.match(JSON.parse(text).error, message);
    const good = await predict({ instances: [digitInstance(digit.pixels)] });
    assert.equal(good.status, 200, 'the server still answers a good request');
    const answer = (await good.json()) as { predictions: number[][] };
    const row = answer.predictions[0]!;
    assert.equal(row.indexOf(Math.max(...row)), digit.label);
  }

  before(async () => {
    need(missing);
    [digit] = (await testDigits(1)) as [Digit];
    // Served from memory (config and weights), the other way models reach a worker; the API test serves the file.
    server = await serve({ mnist: await loadMnistModel() }, { port: 0, token: TOKEN, maxBodyBytes: 256 * 1024, web: true });
  });
  after(() => server?.close());

  test('malformed JSON, a non-object body, both or neither of instances/inputs, unknown keys', async () => {
    await refused(await predict('{"instances": [1, 2'), 400, /malformed JSON/);
    await refused(await predict('[1, 2, 3]'), 400, /expected a JSON object with "instances" or "inputs"/);
    await refused(await predict({ instances: [], inputs: [] }), 400, /exactly one of "instances".*received both/);
    await refused(await predict({}), 400, /received neither/);
    await refused(await predict({ instance: [] }), 400, /unknown key\(s\) \["instance"\]. Accepted keys: instances, inputs/);
    await refused(await predict({ instances: [] }), 400, /non-empty list/);
    await refused(await predict({ signature_name: 'classify', instances: [1] }), 400, /unknown signature "classify"/);
  });

  test('wrong shapes and wrong types name the first bad element', async () => {
    const good = digitInstance(digit.pixels);
    await refused(
      await predict({ instances: [good.slice(0, 27)] }),
      400,
      /instances\[0\]: expected a list of 28.*received a list of 27/,
    );
    const noChannel = good.map((row) => row.map((px) => px[0]!));
    await refused(await predict({ instances: [noChannel] }), 400, /instances\[0\]\[0\]\[0\]: expected a list of 1.*received 0/);
    const text = good.map((row) => row.map((px) => [...px]));
    text[3]![4]![0] = 'abc' as unknown as number;
    await refused(
      await predict({ instances: [good, text] }),
      400,
      /instances\[1\]\[3\]\[4\]\[0\]: expected a number, received "abc"/,
    );
    await refused(
      await predict({ inputs: { pixels: [good] } }),
      400,
      /expected the model's one input "input_layer\w*".*\["pixels"\]/,
    );
    await refused(await predict({ instances: [{ b64: 12 }] }), 400, /invalid "b64" value/);
  });

  test('bytes that are not an image, sent as b64', async () => {
    const notImage = Buffer.from('this is not an image at all').toString('base64');
    await refused(
      await predict({ instances: [{ b64: notImage }] }),
      400,
      /instances\[0\]: could not decode the bytes as an image/,
    );
  });

  test('a body over the limit gets 413, before it is read whole', async () => {
    const huge = JSON.stringify({ instances: Array.from({ length: 60 }, () => digitInstance(digit.pixels)) });
    assert.ok(huge.length > 256 * 1024);
    await refused(await predict(huge), 413, /larger than the limit of 262144 bytes/);
  });

  test('unknown model names, versions, verbs and routes are 404 with the served names', async () => {
    const unknown = await fetch(`${server.url}/v1/models/../../etc/passwd:predict`, {
      method: 'POST',
      headers: auth,
      body: '{}',
    });
    assert.equal(unknown.status, 404);
    await refused(
      await fetch(`${server.url}/v1/models/mnsit:predict`, { method: 'POST', headers: auth, body: '{}' }),
      404,
      /Servable not found for request: Latest\(mnsit\). Served here: mnist/,
    );
    await refused(
      await fetch(`${server.url}/v1/models/mnist:regress`, { method: 'POST', headers: auth, body: '{}' }),
      404,
      /unknown verb ':regress'/,
    );
    await refused(await fetch(`${server.url}/v2/nothing`, { headers: auth }), 404, /no route GET \/v2\/nothing/);
  });

  test('a missing or wrong token is 401; the page itself needs none', async () => {
    await refused(await predict({ instances: [digitInstance(digit.pixels)] }, {}), 401, /missing or wrong bearer token/);
    const wrong = await predict({ instances: [] }, { Authorization: 'Bearer correct-horse-battery-staple' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('www-authenticate'), 'Bearer');
    await refused(await fetch(`${server.url}/v1/models/mnist`), 401, /bearer token/);
    const page = await fetch(`${server.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  });

  test(':classify-image without multipart, without the image field, or with a broken image', async () => {
    const url = `${server.url}/v1/models/mnist:classify-image`;
    await refused(await fetch(url, { method: 'POST', headers: auth, body: '{}' }), 415, /expects multipart\/form-data/);
    const noImage = new FormData();
    noImage.append('photo', new Blob([new Uint8Array([1, 2, 3])]), 'x.png');
    await refused(
      await fetch(url, { method: 'POST', headers: auth, body: noImage }),
      400,
      /field 'image' is missing.*\["photo"\]/,
    );
    const broken = new FormData();
    broken.append('image', new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])]), 'broken.png');
    await refused(
      await fetch(url, { method: 'POST', headers: auth, body: broken }),
      400,
      /could not decode the bytes as an image/,
    );
  });
});

describe('serve: a request past its deadline gets 503', { skip: skipUnless(missing) }, () => {
  test('requestTimeoutMs 1 with 256 rows: 503, and the server still answers afterwards', async () => {
    need(missing);
    const [digit] = (await testDigits(1)) as [Digit];
    const server = await serve({ mnist: await loadMnistModel() }, { port: 0, requestTimeoutMs: 1, web: false });
    try {
      const rows = Array.from({ length: 256 }, () => digitInstance(digit.pixels));
      const response = await fetch(`${server.url}/v1/models/mnist:predict`, {
        method: 'POST',
        body: JSON.stringify({ instances: rows }),
      });
      assert.equal(response.status, 503);
      assert.match(((await response.json()) as { error: string }).error, /timed out after 1 ms/);
      const status = await fetch(`${server.url}/v1/models/mnist`);
      assert.equal(status.status, 200);
    } finally {
      await server.close();
    }
  });
});
