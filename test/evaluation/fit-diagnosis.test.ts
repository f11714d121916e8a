// fit() prints the diagnosis after training (two or more epochs, verbose not 0) and the `diagnose` option turns it
// off or on; stdout is captured around each fit.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { Dense } from '../../src/layers/dense.js';
import { Sequential } from '../../src/models/sequential.js';
import type { FitOptions } from '../../src/training/trainer.js';

async function printedBy(options: FitOptions): Promise<string> {
  const model = new Sequential([new Dense(3, { activation: 'softmax', inputShape: [4] })]);
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const x = { data: Float32Array.from({ length: 80 }, (_, i) => Math.sin(i)), shape: [20, 4] };
  const y = { data: Float32Array.from({ length: 20 }, (_, i) => i % 3), shape: [20] };
  const chunks: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await model.fit(x, y, { batchSize: 10, validationSplit: 0.25, ...options });
  } finally {
    process.stdout.write = write;
  }
  return chunks.join('');
}

describe('fit prints the diagnosis', () => {
  test('after two or more epochs, unless verbose is 0 or diagnose is false', async () => {
    const shown = await printedBy({ epochs: 3, verbose: 2 });
    assert.match(shown, /^Diagnosis: (overfitting|underfitting|healthy|not yet converged|diverging)$/m);
    assert.match(shown, /What to try:/);
    assert.doesNotMatch(await printedBy({ epochs: 3, verbose: 0 }), /Diagnosis/);
    assert.doesNotMatch(await printedBy({ epochs: 3, verbose: 2, diagnose: false }), /Diagnosis/);
    assert.doesNotMatch(await printedBy({ epochs: 1, verbose: 2 }), /Diagnosis/);
    assert.match(await printedBy({ epochs: 2, verbose: 0, diagnose: true }), /^Diagnosis: /m);
  });

  test('the option is checked like every fit option', async () => {
    await assert.rejects(
      printedBy({ epochs: 2, diagnose: 'yes' as never }),
      (e: Error) => e instanceof ConfigError && /'diagnose'/.test(e.message),
    );
    await assert.rejects(printedBy({ epochs: 2, diagnosis: false } as never), /diagnosis.*diagnose/s);
  });
});
