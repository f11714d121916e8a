// Temp files of killed saves: a child process is SIGKILLed in the middle of an atomic write (its temp file and
// private HDF5 temp folder exist), and the next save into the same places removes them, while the temp file of
// a writer that still runs is left alone. BackupAndRestore's folder does not outlive such leftovers.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { BackupAndRestore } from '../../src/callbacks/backup-and-restore.js';
import { loadModel, saveModel } from '../../src/io/keras-file.js';
import { Dense } from '../../src/layers/dense.js';
import { Sequential } from '../../src/models/sequential.js';

const root = mkdtempSync(join(tmpdir(), 'convkit-stale-'));
const osTemp = join(root, 'os-tmp'); // TMPDIR for both processes, so the sweep is observed in isolation
const out = join(root, 'out');
after(() => rmSync(root, { recursive: true, force: true }));

/** Starts a convkit save in a child and SIGKILLs it once the temp file exists; returns the dead child's pid. */
async function killedSave(target: string): Promise<number> {
  const atomic = pathToFileURL(resolve('src/io/atomic-write.ts')).href;
  const script = `
    import { writeFileSync } from 'node:fs';
    import { atomicWrite, makePrivateTempDir } from '${atomic}';
    makePrivateTempDir('h5'); // as saveModel's HDF5 step does
    await atomicWrite(${JSON.stringify(target)}, async (temp) => {
      writeFileSync(temp, '');
      process.stdout.write('writing\\n');
      await new Promise(() => {}); // killed here, mid-save
    });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, TMPDIR: osTemp },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((done) => child.stdout!.on('data', (d) => String(d).includes('writing') && done()));
  child.kill('SIGKILL');
  await new Promise((done) => child.on('exit', done));
  return child.pid!;
}

function tinyModel(): Sequential {
  const model = new Sequential([new Dense({ units: 2, inputShape: [3] })]);
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return model;
}

describe('io: temp files of killed saves', () => {
  let deadPid = 0;
  let sleeper: ChildProcess;
  const savedTmpdir = process.env.TMPDIR;

  before(async () => {
    mkdirSync(osTemp, { recursive: true });
    mkdirSync(out, { recursive: true });
    deadPid = await killedSave(join(out, 'model.keras'));
    sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' });
    process.env.TMPDIR = osTemp;
  });
  after(() => {
    sleeper.kill('SIGKILL');
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
  });

  test('the next save removes the dead writer temp file and HDF5 folder, and keeps a live writer one', async () => {
    const leftovers = readdirSync(out).filter((n) => n.startsWith(`model.keras.tmp-${deadPid}-`));
    assert.equal(leftovers.length, 1, 'the killed save should have left its temp file');
    assert.equal(statSync(join(out, leftovers[0]!)).size, 0);
    assert.equal(readdirSync(osTemp).filter((n) => n.startsWith(`convkit-h5-${deadPid}-`)).length, 1);
    const live = join(out, `other.keras.tmp-${sleeper.pid}-abcd1234`);
    writeFileSync(live, 'still being written');

    await saveModel(tinyModel(), join(out, 'model.keras'));

    assert.deepEqual(readdirSync(out).sort(), ['model.keras', `other.keras.tmp-${sleeper.pid}-abcd1234`]);
    assert.deepEqual(
      readdirSync(osTemp).filter((n) => n.startsWith('convkit-')),
      [],
      'stale convkit-h5 folder left behind',
    );
    assert.equal((await loadModel(join(out, 'model.keras'))).countParams(), 8);
  });

  test('BackupAndRestore removes its folder even with temp files of a killed save inside', async () => {
    const backupDir = join(root, 'backup');
    mkdirSync(backupDir);
    writeFileSync(join(backupDir, `training_metadata.json.tmp-${deadPid}-k1ll3d00`), '');
    writeFileSync(join(backupDir, `backup-epoch-3.keras.tmp-${deadPid}-k1ll3d01`), '');
    const x = { data: Float32Array.of(1, 2, 3, 4, 5, 6), shape: [2, 3] };
    const y = { data: Float32Array.of(1, 0, 0, 1), shape: [2, 2] };
    await tinyModel().fit(x, y, { epochs: 1, verbose: 0, callbacks: [new BackupAndRestore({ backupDir })] });
    assert.equal(existsSync(backupDir), false, `left: ${existsSync(backupDir) ? readdirSync(backupDir).join(', ') : ''}`);
  });
});
