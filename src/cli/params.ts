// `convkit params --compare a,b`: seed 003's parameter analysis. `mlp,cnn` builds the seed's pair for
// --input-shape; two model files (anything loadModel reads) are compared as saved. Prints both summaries, the
// ratio and the weight-sharing explanation.

import { basename } from 'node:path';
import { ConfigError, describe } from '../errors.js';
import { loadModel } from '../io/load-model.js';
import type { Model } from '../models/model.js';
import { compareParams, seed003Models } from '../models/parameter-comparison.js';
import { applyGlobalOptions, type GlobalOptions } from './common.js';

export interface ParamsOptions extends GlobalOptions {
  compare?: string;
  inputShape?: [number, number, number];
  json?: boolean;
}

const SEED_PAIR = ['mlp', 'cnn'];

async function modelsFor(options: ParamsOptions): Promise<{ models: [Model, Model]; names: [string, string] }> {
  const parts = (options.compare ?? '').split(',').map((p) => p.trim());
  if (parts.length !== 2 || parts.some((p) => p === '')) {
    throw new ConfigError(
      `params --compare: expected two names separated by a comma ('mlp,cnn' or 'a.keras,b.keras'), received ${describe(options.compare)}.`,
    );
  }
  const [a, b] = parts as [string, string];
  if (SEED_PAIR.includes(a) && SEED_PAIR.includes(b)) {
    const [mlp, cnn] = seed003Models(options.inputShape ?? [400, 600, 3]);
    return { models: [a === 'mlp' ? mlp : cnn, b === 'mlp' ? mlp : cnn], names: [a, b] };
  }
  if (options.inputShape) {
    throw new ConfigError(
      'params: --input-shape is for --compare mlp,cnn; saved models keep the input shape they were built with.',
    );
  }
  if (SEED_PAIR.includes(a) !== SEED_PAIR.includes(b)) {
    throw new ConfigError(`params --compare: mix of a seed name and a file (${a}, ${b}). Expected 'mlp,cnn' or two model files.`);
  }
  const names: [string, string] = a === b ? [a, b] : [basename(a), basename(b)];
  return { models: [await loadModel(a, { compile: false }), await loadModel(b, { compile: false })], names };
}

export async function paramsCommand(options: ParamsOptions): Promise<void> {
  applyGlobalOptions(options);
  const { models, names } = await modelsFor(options);
  const [a, b] = models;
  const comparison = compareParams(a, b, names);
  if (options.json) {
    console.log(JSON.stringify(comparison));
    return;
  }
  a.summary();
  console.log('');
  b.summary();
  console.log('');
  for (const line of comparison.explanation) console.log(line);
  const [h, w, c] = options.inputShape ?? [400, 600, 3];
  if (names.includes('mlp') && c !== 1) {
    // Seed 003 first counts the MLP on a grayscale image (Flatten(input_shape=(400, 600))): 24,000,100.
    console.log(
      `On a grayscale ${h}x${w} image (seed 003's first example) the MLP would have ${h} x ${w} x 100 + 100 = ${(h * w * 100 + 100).toLocaleString('en-US')} parameters.`,
    );
  }
}
