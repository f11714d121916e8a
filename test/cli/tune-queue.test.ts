// `convkit tune --queue` with a real Redis server (Debian's redis-server on a random loopback port, started and
// stopped here) and two real `convkit tune-worker` processes: one is killed with SIGKILL in the middle of a trial;
// BullMQ's stalled-job check gives that trial to the other worker, and every trial lands in the one leaderboard
// exactly once. Also: an unreachable Redis gives a clear error instead of retrying forever.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { need, skipUnless } from '../helpers/requirements.js';

const REDIS = '/usr/bin/redis-server';
const missingRedis = existsSync(REDIS) ? null : `${REDIS} not found (apt-get install redis-server)`;
const ARGS = ['--import', 'tsx', 'src/cli/main.ts'];
const dir = mkdtempSync(join(tmpdir(), 'convkit-tune-queue-'));
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A free loopback port (the OS picks it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => resolve(true)).once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    }).catch(() => false);
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`redis-server did not listen on ${port}`);
}

/** A child process whose output is collected, with a way to wait for a line. */
function start(args: string[]) {
  const child = spawn(process.execPath, [...ARGS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const output = { text: '' };
  child.stdout!.on('data', (d) => (output.text += d));
  child.stderr!.on('data', (d) => (output.text += d));
  const waitFor = async (pattern: RegExp, ms = 120_000): Promise<RegExpMatchArray> => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const m = output.text.match(pattern);
      if (m) return m;
      if (child.exitCode !== null) break;
      await sleep(20);
    }
    throw new Error(`no ${pattern} in output:\n${output.text}`);
  };
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A process that does not end fails the test instead of hanging the suite.
  const exited = Promise.race([
    exit,
    new Promise<never>((_, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${args[0]} did not exit:\n${output.text}`));
      }, 180_000);
      timer.unref(); // the deadline alone must not keep the test process running
      void exit.then(() => clearTimeout(timer));
    }),
  ]);
  return { child, output, waitFor, exited };
}

describe('convkit tune --queue (Redis, BullMQ)', () => {
  test('two workers, one killed mid-trial: its trial is retried and every trial lands once', {
    skip: skipUnless(missingRedis),
  }, async () => {
    need(missingRedis);
    const port = await freePort();
    const redis = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    children.push(redis);
    try {
      await waitForPort(port);
      const url = `redis://127.0.0.1:${port}`;
      const workerArgs = ['tune-worker', '--queue', url, '--lock-duration', '1500'];
      const a = start(workerArgs);
      const b = start(workerArgs);
      await a.waitFor(/waiting for trials/);
      await b.waitFor(/waiting for trials/);
      const space = join(dir, 'space.json');
      writeFileSync(
        space,
        JSON.stringify({ lr: { type: 'loguniform', min: 1e-3, max: 1e-2 }, filters: { type: 'choice', values: [4, 8] } }),
      );
      const out = join(dir, 'search');
      const tune = start([
        'tune',
        '--space',
        space,
        '--dataset',
        'mnist',
        '--limit',
        '300',
        '--trials',
        '4',
        '--epochs',
        '2',
        '--seed',
        '3',
        '--queue',
        url,
        '--out',
        out,
      ]);
      // Kill worker A as soon as it has begun a trial (it then still loads the data or trains).
      const [, killedTrial] = await a.waitFor(/trial (t\d+) \(job \S+\) started/);
      a.child.kill('SIGKILL');
      await a.exited;
      const code = await tune.exited;
      assert.equal(code, 0, tune.output.text);
      assert.match(tune.output.text, /rank\s+trial\s+val_accuracy/);
      assert.doesNotMatch(a.output.text, new RegExp(`trial ${killedTrial} \\(job \\S+\\) finished`));
      assert.match(b.output.text, new RegExp(`trial ${killedTrial} \\(job \\S+\\) started`), 'the lost trial went to worker B');
      const records = readFileSync(join(out, 'trials.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { id: string; status: string; worker: string; history: { val_accuracy: number[] } });
      assert.deepEqual(records.map((r) => r.id).sort(), ['t0000', 't0001', 't0002', 't0003']);
      assert.ok(records.every((r) => r.status === 'completed' && r.history.val_accuracy.length === 2));
      const bName = `:${b.child.pid}`;
      assert.ok(records.find((r) => r.id === killedTrial)!.worker.endsWith(bName), 'the retried trial was finished by B');
      assert.ok(existsSync(join(out, 'best.keras')), 'the best model came back through Redis');
      b.child.kill('SIGTERM');
      assert.equal(await b.exited, 0, b.output.text);
    } finally {
      redis.kill('SIGKILL');
    }
  });

  test('an unreachable Redis is reported clearly, not retried forever', () => {
    const space = join(dir, 'space2.json');
    writeFileSync(space, '{"lr": {"type": "loguniform", "min": 0.001, "max": 0.01}}');
    const r = spawnSync(
      process.execPath,
      [...ARGS, 'tune', '--space', space, '--trials', '2', '--queue', 'redis://127.0.0.1:1', '--out', join(dir, 'unreachable')],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    assert.equal(r.status, 1);
    assert.match(r.stderr, /--queue: cannot reach Redis at redis:\/\/127.0.0.1:1 \(.*ECONNREFUSED.*\)\. Hint: start it/);
  });
});
