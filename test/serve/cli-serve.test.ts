// `convkit serve` as a user runs it: a real process on a free loopback port; SIGTERM while a request waits in the
// batcher answers that request, then exits 0; bad flags fail at once with a clear message.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { missingFile, need, skipUnless } from '../helpers/requirements.js';
import { type Digit, digitInstance, MNIST_KERAS, testDigits } from './serve-fixtures.js';

const missing = missingFile(MNIST_KERAS);
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

/** Resolves with the first `Serving ... at <url>` the process prints. */
function servingUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /at (http:\/\/127\.0\.0\.1:\d+)\/v1\/models\//.exec(out);
      if (match) resolve(match[1]!);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`convkit serve exited (${code}) before serving: ${err}${out}`)));
  });
}

describe('convkit serve (CLI)', { skip: skipUnless(missing) }, () => {
  test('SIGTERM: the request waiting in the batcher is answered, then exit 0', async () => {
    need(missing);
    const [digit] = (await testDigits(1)) as [Digit];
    // A 1.5 s batch window keeps the request queued, so SIGTERM surely arrives while it is in flight.
    const child = spawn(
      process.execPath,
      [...CLI, 'serve', MNIST_KERAS, '--name', 'digits', '--port', '0', '--batch-timeout-ms', '1500'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = await servingUrl(child);
    const pending = fetch(`${url}/v1/models/digits:predict`, {
      method: 'POST',
      body: JSON.stringify({ instances: [digitInstance(digit.pixels)] }),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill('SIGTERM');
    const response = await pending;
    assert.equal(response.status, 200);
    const row = ((await response.json()) as { predictions: number[][] }).predictions[0]!;
    assert.equal(row.indexOf(Math.max(...row)), digit.label);
    assert.equal(await exited, 0);
    assert.match(stdout, /SIGTERM: finishing requests in flight/);
    assert.match(stdout, /Stopped\./);
    await assert.rejects(fetch(`${url}/v1/models/digits`), 'nothing listens after the exit');
  });

  test('bad flags and files fail before serving, with the flag named', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [...CLI, 'serve', ...args], { encoding: 'utf8', timeout: 120_000 });
    const noModel = run('--port', '0');
    assert.equal(noModel.status, 1);
    assert.match(noModel.stderr, /no model given/);
    assert.match(run(MNIST_KERAS, '--port', '70000').stderr, /--port: expected an integer >= 0 and <= 65535, received '70000'/);
    assert.match(run('--model', 'mnist', '--port', '0').stderr, /--model: expected name=path/);
    assert.match(
      run(MNIST_KERAS, '--preprocess', 'imagenet', '--port', '0').stderr,
      /--preprocess: expected none \| mnist \| teachable-machine/,
    );
    const missingFileRun = run('no-such-model.keras', '--port', '0');
    assert.equal(missingFileRun.status, 1);
    assert.match(missingFileRun.stderr, /no-such-model.keras/);
    assert.doesNotMatch(missingFileRun.stderr, /\n\s+at /, 'no stack trace');
  });
});
