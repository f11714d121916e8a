// `convkit summary`: prints the Keras-style summary of a saved model or of a seed model by name.

import { buildSeedModel } from '../applications/seed-models.js';
import { ConfigError } from '../errors.js';
import { loadModel } from '../io/load-model.js';
import type { Model } from '../models/model.js';
import { applyGlobalOptions, type GlobalOptions } from './common.js';

export interface SummaryOptions extends GlobalOptions {
  model?: string;
  /** H, W, C (parsed by main.ts's shapeOption). */
  inputShape?: [number, number, number];
  flops?: boolean;
}

export async function summaryCommand(modelPath: string | undefined, options: SummaryOptions): Promise<void> {
  applyGlobalOptions(options);
  if (modelPath && options.model) {
    throw new ConfigError(
      `summary: give either a .keras file or --model NAME, received both (${modelPath} and ${options.model}).`,
    );
  }
  let model: Model;
  if (modelPath) model = await loadModel(modelPath, { compile: false });
  else if (options.model) {
    model = buildSeedModel(options.model, options.inputShape ? { inputShape: options.inputShape } : {});
  } else {
    throw new ConfigError(
      "summary: nothing to summarise. Expected a .keras file or --model NAME (e.g. 'convkit summary --model mnist-cnn').",
    );
  }
  model.summary(options.flops ? { showFlops: true } : {});
}
