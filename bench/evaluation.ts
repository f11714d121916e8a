// Evaluation benchmark: (1) evaluateClassifier against model.evaluate on the 10,000 MNIST test images with the
// seeds' CNN (what the full report costs over Keras's two numbers), and (2) confusionMatrix + classificationReport
// against scikit-learn's confusion_matrix + classification_report on the same 1,000,000 random labels, timed inside
// each process (Debian's /usr/bin/python3) in the same run.

import { spawnSync } from 'node:child_process';
import { mnistCnn } from '../src/applications/seed-models.js';
import { loadNativeBackend } from '../src/backend/native.js';
import { setBackend } from '../src/backend/registry.js';
import { mnist, normalize } from '../src/datasets/index.js';
import { classificationReport, confusionMatrix, formatClassificationReport } from '../src/evaluation/classification-metrics.js';
import { evaluateClassifier } from '../src/evaluation/evaluate-classifier.js';
import { setRandomSeed } from '../src/training/seed.js';

const SKLEARN = `
import sys, time, numpy as np
from sklearn.metrics import confusion_matrix, classification_report
n, k = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(0)
t = rng.integers(0, k, n); p = np.where(rng.random(n) < 0.8, t, rng.integers(0, k, n))
best = 1e9
for _ in range(3):
    s = time.perf_counter(); confusion_matrix(t, p, labels=list(range(k))); classification_report(t, p, labels=list(range(k)), zero_division=0); best = min(best, time.perf_counter() - s)
print(best)
`;

function best(repeats: number, run: () => void): number {
  let fastest = Number.POSITIVE_INFINITY;
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    run();
    fastest = Math.min(fastest, (performance.now() - start) / 1000);
  }
  return fastest;
}

export async function runEvaluationBench(threads: number): Promise<string> {
  const backend = loadNativeBackend();
  setBackend(backend);
  backend.setThreads(threads);
  const [, [xRaw, yRaw]] = await mnist.loadData();
  const x = normalize(xRaw);
  const y = { data: Float32Array.from(yRaw.data), shape: [yRaw.data.length] };
  setRandomSeed(0);
  const model = mnistCnn();
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  await model.evaluate(x, y, { batchSize: 32, verbose: 0 }); // warm-up: thread tuning, buffers
  let evaluateSeconds = Number.POSITIVE_INFINITY;
  let reportSeconds = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 3; r++) {
    let start = performance.now();
    await model.evaluate(x, y, { batchSize: 32, verbose: 0 });
    evaluateSeconds = Math.min(evaluateSeconds, (performance.now() - start) / 1000);
    start = performance.now();
    await evaluateClassifier(model, [x, y], { batchSize: 32, print: false });
    reportSeconds = Math.min(reportSeconds, (performance.now() - start) / 1000);
  }

  const n = 1_000_000;
  const k = 10;
  let seed = 1;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const yTrue = Int32Array.from({ length: n }, () => Math.floor(next() * k));
  const yPred = yTrue.map((t) => (next() < 0.8 ? t : Math.floor(next() * k)));
  const convkitSeconds = best(3, () => {
    confusionMatrix(yTrue, yPred, { numClasses: k });
    formatClassificationReport(classificationReport(yTrue, yPred, { numClasses: k }));
  });
  const py = spawnSync('/usr/bin/python3', ['-c', SKLEARN, String(n), String(k)], { encoding: 'utf8' });
  const sklearnSeconds = py.status === 0 ? Number(py.stdout.trim()) : Number.NaN;
  const f = (s: number) => s.toFixed(3);
  return [
    '| | convkit | reference | convkit / reference |',
    '| --- | ---: | ---: | ---: |',
    `| MNIST test set, seed CNN (s): evaluateClassifier vs model.evaluate | ${f(reportSeconds)} | ${f(evaluateSeconds)} | ${(reportSeconds / evaluateSeconds).toFixed(2)} |`,
    `| 1,000,000 labels, 10 classes (s): confusion matrix + report vs sklearn 1.2 | ${f(convkitSeconds)} | ${py.status === 0 ? f(sklearnSeconds) : 'sklearn missing'} | ${(convkitSeconds / sklearnSeconds).toFixed(2)} |`,
  ].join('\n');
}
