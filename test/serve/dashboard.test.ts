// The training dashboard: in chromium, the loss curve grows while a real fit() runs (the run pauses at epoch ends
// until the page has shown them, so the test never races the training), and the end is shown with the diagnosis of
// fit's own History; from the CLI, `convkit train --dashboard` streams batch and epoch events, ends with the
// diagnosis of the epochs it streamed, and keeps serving until SIGTERM.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { Callback } from '../../src/callbacks/callback.js';
import { mnist } from '../../src/datasets/index.js';
import { diagnose } from '../../src/evaluation/diagnose.js';
import { Dense } from '../../src/layers/dense.js';
import { Flatten } from '../../src/layers/flatten.js';
import { Input } from '../../src/models/input.js';
import { Sequential } from '../../src/models/sequential.js';
import { TrainingDashboard } from '../../src/serve/dashboard.js';
import { setRandomSeed } from '../../src/training/seed.js';
import { launchBrowser, missingChromium, watchPage } from '../helpers/browser.js';
import { need, skipUnless } from '../helpers/requirements.js';

const shots = process.env.CONVKIT_SCREENSHOT_DIR;

/** Holds fit() at the end of each epoch until the test lets it go on. */
class EpochGate extends Callback {
  private releases: (() => void)[] = [];
  readonly reached: Promise<void>[] = [];
  private arrive: (() => void)[] = [];
  constructor(epochs: number) {
    super();
    for (let i = 0; i < epochs; i++) this.reached.push(new Promise((resolve) => this.arrive.push(resolve)));
  }
  release(epoch: number): void {
    this.releases[epoch]?.();
  }
  override async onEpochEnd(epoch: number): Promise<void> {
    const released = new Promise<void>((resolve) => {
      this.releases[epoch] = resolve;
    });
    this.arrive[epoch]!();
    await released;
  }
}

async function mnistSubset(n: number) {
  const [[xTrain, yTrain]] = await mnist.loadData();
  const x = { data: Float32Array.from(xTrain.data.subarray(0, n * 784), (v) => v / 255), shape: [n, 28, 28, 1] };
  const y = { data: Float32Array.from(yTrain.data.subarray(0, n)), shape: [n] };
  return { x, y };
}

describe('training dashboard in chromium', { skip: skipUnless(missingChromium), timeout: 240_000 }, () => {
  let browser: Browser;
  before(async () => {
    need(missingChromium);
    browser = await launchBrowser();
  });
  after(() => browser?.close());

  test('the loss curve grows batch by batch and epoch by epoch during fit()', async () => {
    const { x, y } = await mnistSubset(1280);
    setRandomSeed(5);
    const model = new Sequential([
      Input([28, 28, 1]),
      new Flatten(),
      new Dense(32, { activation: 'relu' }),
      new Dense(10, { activation: 'softmax' }),
    ]);
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const dashboard = await TrainingDashboard.start({ port: 0, title: 'mlp on 1280 digits' });
    const gate = new EpochGate(3);
    const page = await browser.newPage();
    const watch = watchPage(page);
    try {
      await page.goto(`${dashboard.url}/`);
      const fitting = model.fit(x, y, {
        epochs: 3,
        batchSize: 64,
        validationSplit: 0.2,
        verbose: 0,
        callbacks: [dashboard, gate],
      });
      const steps = 16; // 1024 training rows / 64
      const loss = page.locator('.chart[data-metric="loss"] svg');
      const counts = async () => ({
        batches: Number(await loss.getAttribute('data-batch-points')),
        epochs: Number(await loss.getAttribute('data-epoch-points')),
      });
      const seen: { batches: number; epochs: number }[] = [];
      for (let epoch = 0; epoch < 3; epoch++) {
        await gate.reached[epoch];
        await page.waitForFunction(
          (n) => document.querySelector('.chart[data-metric="loss"] svg')?.getAttribute('data-epoch-points') === String(n),
          epoch + 1,
        );
        seen.push(await counts());
        if (epoch === 1 && shots) await page.screenshot({ path: join(shots, 'dashboard-mid-run.png'), fullPage: true });
        gate.release(epoch);
      }
      const history = await fitting;
      assert.deepEqual(seen, [
        { batches: steps, epochs: 1 },
        { batches: 2 * steps, epochs: 2 },
        { batches: 3 * steps, epochs: 3 },
      ]);
      await page.waitForFunction(() => document.body.dataset.state === 'finished');
      assert.equal(await page.locator('#progress').innerText(), 'training finished');
      // The verdict is diagnose() of fit's own History (the dashboard's default), shown with its reasons and remedies.
      const expected = diagnose(history);
      assert.ok(await page.locator('#diagnosis').isVisible());
      assert.equal(await page.locator('#verdict').innerText(), expected.verdict);
      assert.equal(`${expected.verdict}: ${await page.locator('#headline').innerText()}`, expected.headline);
      assert.deepEqual(await page.locator('#remedies li').allInnerTexts(), expected.remedies);
      assert.deepEqual(await page.locator('#evidence li').allInnerTexts(), [
        ...expected.evidence.slice(1),
        ...expected.limitations,
      ]);
      assert.equal(await page.locator('.chart[data-metric="val_loss"]').count(), 0, 'validation joins its metric chart');
      assert.equal(await page.locator('.chart[data-metric="loss"] .val-line').count(), 1);
      assert.equal(await page.locator('.chart[data-metric="accuracy"] .epoch-line').count(), 1);
      if (shots) await page.screenshot({ path: join(shots, 'dashboard-end.png'), fullPage: true });
      assert.deepEqual(watch.errors, []);
      assert.deepEqual(
        watch.requests.filter((url) => !url.startsWith(dashboard.url)),
        [],
      );
    } finally {
      await page.close();
      await dashboard.close();
    }
  });
});

describe('convkit train --dashboard', { timeout: 240_000 }, () => {
  test('streams begin, one event per batch and per epoch, and end; serves until SIGTERM, then exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-dashboard-'));
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'train',
        '--model',
        'mlp',
        '--epochs',
        '2',
        '--limit',
        '640',
        '--batch-size',
        '64',
        '--validation-split',
        '0.2',
        '--out',
        join(dir, 'dash.keras'),
        '--dashboard',
        '--port',
        '0',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          stdout += c.toString();
          const match = /Dashboard: (http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout);
          if (match) resolve(match[1]!);
        });
        void exited.then((code) => reject(new Error(`train exited (${code}) before its dashboard: ${stderr}`)));
      });
      // Read the event stream until 'end' (a late reader gets the events it missed first).
      const response = await fetch(`${url}/events`);
      assert.equal(response.headers.get('content-type'), 'text/event-stream');
      const reader = response.body!.getReader();
      let text = '';
      while (!/event: end\n/.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      await reader.cancel();
      const events = text
        .split('\n\n')
        .filter(Boolean)
        .map((block) => ({
          event: /event: (\w+)/.exec(block)?.[1],
          data: JSON.parse(/data: (.*)/.exec(block)?.[1] ?? 'null'),
        }));
      const kinds = events.map((e) => e.event);
      assert.equal(kinds[0], 'begin');
      assert.deepEqual(events[0]!.data, { title: 'mlp on mnist', epochs: 2, steps: 8 });
      assert.equal(kinds.filter((k) => k === 'batch').length, 16);
      assert.deepEqual(
        events.filter((e) => e.event === 'epoch').map((e) => Object.keys(e.data.logs).sort()),
        [
          ['accuracy', 'learning_rate', 'loss', 'val_accuracy', 'val_loss'],
          ['accuracy', 'learning_rate', 'loss', 'val_accuracy', 'val_loss'],
        ],
      );
      assert.equal(kinds.at(-1), 'end');
      // The end carries diagnose() of the epoch logs streamed before it.
      const streamed: Record<string, number[]> = {};
      for (const e of events.filter((e) => e.event === 'epoch')) {
        for (const [key, value] of Object.entries(e.data.logs as Record<string, number>)) (streamed[key] ??= []).push(value);
      }
      const expected = diagnose({ history: streamed });
      const { diagnosis } = events.at(-1)!.data;
      assert.equal(diagnosis.verdict, expected.verdict);
      assert.equal(diagnosis.headline, expected.headline);
      assert.deepEqual(diagnosis.remedies, expected.remedies);
      await new Promise<void>((resolve) => {
        const check = () => (/dashboard stays at/.test(stdout) ? resolve() : setTimeout(check, 50));
        check();
      });
      child.kill('SIGTERM');
      const code = await exited;
      assert.equal(code, 0, `exit ${code} (signal ${child.signalCode}): ${stderr}`);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
