// `convkit summary`: prints the Keras-style summary of a saved model or of a seed model by name.

import { buildSeedModel } from '../applications/seed-models.js';
import { ConfigError, describe } from '../errors.js';
import { loadModel } from '../io/keras-file.js';
import type { Model } from '../models/model.js';
import { applyGlobalOptions, type GlobalOptions } from './common.js';

export interface SummaryOptions extends GlobalOptions {
  model?: string;
  inputShape?: string;
  flops?: boolean;
}

function parseInputShape(text: string): [number, number, number] {
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 3 || parts.some((p) => !Number.isInteger(p) || p < 1)) {
    throw new ConfigError(
      `--input-shape: invalid value. Expected three positive integers 'H,W,C' such as 28,28,1, received ${describe(text)}.`,
    );
  }
  return parts as [number, number, number];
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
    const inputShape = options.inputShape ? parseInputShape(options.inputShape) : undefined;
    model = buildSeedModel(options.model, inputShape ? { inputShape } : {});
  } else {
    throw new ConfigError(
      "summary: nothing to summarise. Expected a .keras file or --model NAME (e.g. 'convkit summary --model mnist-cnn').",
    );
  }
  model.summary(options.flops ? { showFlops: true } : {});
}
