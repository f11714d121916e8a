// `convkit evaluate`: loads a .keras model and reports loss and metrics on a dataset's test split.

import { NormalizedBatches } from '../datasets/normalized-batches.js';
import { loadModel } from '../io/load-model.js';
import { applyGlobalOptions, type GlobalOptions, loadNamedDataset } from './common.js';

export interface EvaluateOptions extends GlobalOptions {
  dataset: string;
  dataDir?: string;
  batchSize: number;
}

export async function evaluateCommand(modelPath: string, options: EvaluateOptions): Promise<void> {
  applyGlobalOptions(options);
  const model = await loadModel(modelPath);
  const data = await loadNamedDataset(options.dataset, options.dataDir);
  // A model saved without a compile config is evaluated as the seeds train it.
  if (!model.isCompiled()) model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  // The dataset files hold class indices; a model compiled with categorical cross-entropy expects them one-hot.
  const categorical = model.compiled?.loss.kind === 'categoricalCrossentropy';
  const classes = categorical ? (model.outputs[0]?.shape.at(-1) ?? 0) : 0;
  const test = new NormalizedBatches(data.xTest, data.yTest, options.batchSize, false, classes);
  const result = await model.evaluate(test, { verbose: 1, returnDict: true });
  for (const [name, value] of Object.entries(result)) console.log(`${name}: ${value.toFixed(4)}`);
}
