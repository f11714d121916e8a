// A TrainingTarget stand-in for callback tests: records learning rates, weights and saves without a model.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Callback, Logs, TrainingTarget } from '../../src/callbacks/callback.js';

export class FakeTarget implements TrainingTarget {
  stopTraining = false;
  lr: number;
  weights: Float32Array[] = [new Float32Array([0])];
  readonly saves: { path: string; weightsOnly: boolean }[] = [];
  readonly restores: string[] = [];

  constructor(lr = 0.1) {
    this.lr = lr;
  }
  getLearningRate(): number {
    return this.lr;
  }
  setLearningRate(value: number): void {
    this.lr = value;
  }
  getWeights(): Float32Array[] {
    return this.weights.map((w) => w.slice());
  }
  setWeights(values: Float32Array[]): void {
    this.weights = values.map((w) => w.slice());
  }
  async save(path: string, options: { weightsOnly?: boolean } = {}): Promise<void> {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(this.weights.map((w) => [...w])));
    this.saves.push({ path, weightsOnly: options.weightsOnly ?? false });
  }
  async restore(path: string): Promise<void> {
    this.restores.push(path);
  }
}

/** Drives a callback through epochs with synthetic logs; weights[0][0] is set to the epoch before each end. */
export async function runEpochs(callback: Callback, target: FakeTarget, epochLogs: Logs[]): Promise<{ stoppedAfter: number }> {
  callback.setModel(target);
  callback.setParams({ epochs: epochLogs.length, steps: 1, verbose: 0, initialEpoch: 0 });
  await callback.onTrainBegin();
  let epoch = 0;
  for (; epoch < epochLogs.length; epoch++) {
    await callback.onEpochBegin(epoch);
    target.weights = [new Float32Array([epoch])];
    await callback.onEpochEnd(epoch, { ...epochLogs[epoch] });
    if (target.stopTraining) break;
  }
  await callback.onTrainEnd();
  return { stoppedAfter: epoch };
}
