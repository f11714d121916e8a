// `convkit summary`: prints the Keras-style summary of a model file (.keras, Keras .h5, TF.js), the layer and weight
// listing of a weights-only file, or the summary of a seed model by name.

import { buildSeedModel } from '../applications/seed-models.js';
import { ConfigError } from '../errors.js';
import { h5KindOfFile } from '../io/legacy-h5.js';
import { loadModel, modelFileFormat } from '../io/load-model.js';
import { describeWeightsFile, formatWeightsFileSummary } from '../io/weights-summary.js';
import type { Model } from '../models/model.js';
import { applyGlobalOptions, type GlobalOptions } from './common.js';

export interface SummaryOptions extends GlobalOptions {
  model?: string;
  /** H, W, C (parsed by main.ts's shapeOption). */
  inputShape?: [number, number, number];
  flops?: boolean;
}

/** True when `path` is an HDF5 file holding weights only (nothing to build a model from). */
async function isWeightsOnly(path: string): Promise<boolean> {
  // 'loadModel' names the reader in file errors, as when the model itself is loaded.
  if (modelFileFormat(path, 'loadModel').format !== 'h5') return false;
  const kind = await h5KindOfFile(path, 'loadModel');
  return kind === 'legacy-weights' || kind === 'keras-weights';
}

export async function summaryCommand(modelPath: string | undefined, options: SummaryOptions): Promise<void> {
  applyGlobalOptions(options);
  if (modelPath && options.model) {
    throw new ConfigError(
      `summary: give either a model file or --model NAME, received both (${modelPath} and ${options.model}).`,
    );
  }
  let model: Model;
  if (modelPath) {
    if (await isWeightsOnly(modelPath)) {
      console.log(formatWeightsFileSummary(await describeWeightsFile(modelPath)));
      return;
    }
    model = await loadModel(modelPath, { compile: false });
  } else if (options.model) {
    model = buildSeedModel(options.model, options.inputShape ? { inputShape: options.inputShape } : {});
  } else {
    throw new ConfigError(
      "summary: nothing to summarise. Expected a model file (.keras, .h5, TF.js model.json) or --model NAME (e.g. 'convkit summary --model mnist-cnn').",
    );
  }
  model.summary(options.flops ? { showFlops: true } : {});
}
