// `convkit predict`: classifies image files with a saved model; a table for people or JSON lines for programs.

import { ConfigError } from '../errors.js';
import { labelsFileFor, readLabelsSync } from '../io/labels.js';
import { loadModel } from '../io/load-model.js';
import { loadImagesFor } from '../preprocessing/presets.js';
import { applyGlobalOptions, checkPixelOptions, type GlobalOptions } from './common.js';

export interface PredictOptions extends GlobalOptions {
  top: number;
  json?: boolean;
  labels?: string;
  preprocess?: string;
  scale?: number;
  offset?: number;
  invert?: boolean;
}

export async function predictCommand(modelPath: string, imagePaths: string[], options: PredictOptions): Promise<void> {
  applyGlobalOptions(options);
  const pixels = checkPixelOptions(options);
  // Labels are read before the model and images, so a bad --labels path fails at once.
  const labelsFile = labelsFileFor(modelPath, options.labels);
  const names = labelsFile ? readLabelsSync(labelsFile, options.labels ? '--labels' : 'labels.txt beside the model') : null;
  if (labelsFile && !options.labels) console.error(`Class names from ${labelsFile}`);
  const model = await loadModel(modelPath, { compile: false });
  const x = await loadImagesFor(model, imagePaths, pixels);
  const probabilities = await model.predict(x, { verbose: 0 });
  const classes = probabilities.shape[1] ?? 1;
  const labels = names ?? Array.from({ length: classes }, (_, i) => String(i));
  if (labels.length !== classes) {
    throw new ConfigError(
      `--labels: ${labelsFile} names ${labels.length} classes, but the model outputs ${classes}. Expected one name per output class. Hint: use the labels file saved with this model.`,
    );
  }
  imagePaths.forEach((path, n) => {
    const row = Array.from(probabilities.data.subarray(n * classes, (n + 1) * classes));
    const ranked = row.map((p, index) => ({ index, p })).sort((a, b) => b.p - a.p);
    const best = ranked[0]!;
    if (options.json) {
      console.log(
        JSON.stringify({ image: path, probabilities: row, label: labels[best.index], index: best.index, confidence: best.p }),
      );
      return;
    }
    const top = ranked.slice(0, options.top).map((r) => `${labels[r.index]} ${(100 * r.p).toFixed(1)}%`);
    console.log(`${path}: ${top.join(', ')}`);
  });
}
