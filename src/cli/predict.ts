// `convkit predict`: classifies image files with a saved model; a table for people or JSON lines for programs.

import { ConfigError } from '../errors.js';
import { readLabels } from '../io/labels-file.js';
import { loadModel } from '../io/load-model.js';
import { loadImage, stackImages } from '../preprocessing/image.js';
import { applyGlobalOptions, type GlobalOptions } from './common.js';

export interface PredictOptions extends GlobalOptions {
  top: number;
  json?: boolean;
  labels?: string;
  scale?: number;
  offset?: number;
  invert?: boolean;
}

export async function predictCommand(modelPath: string, imagePaths: string[], options: PredictOptions): Promise<void> {
  applyGlobalOptions(options);
  const model = await loadModel(modelPath, { compile: false });
  const inputShape = model.expectedInputShapes()[0] ?? [];
  if (inputShape.length !== 4 || inputShape.slice(1).some((d) => d === null)) {
    throw new ConfigError(
      `predict: the model takes inputs of shape ${JSON.stringify(inputShape)}; only image models (N, H, W, C) can predict on image files.`,
    );
  }
  const [, height, width, channels] = inputShape as [null, number, number, number];
  const colorMode = channels === 1 ? 'grayscale' : channels === 4 ? 'rgba' : 'rgb';
  const images = await Promise.all(imagePaths.map((p) => loadImage(p, { targetSize: [height, width], colorMode })));
  const x = stackImages(images);
  const scale = options.scale ?? 1 / 255;
  const offset = options.offset ?? 0;
  for (let i = 0; i < x.data.length; i++) {
    const pixel = options.invert ? 255 - x.data[i]! : x.data[i]!;
    x.data[i] = pixel * scale + offset;
  }
  const probabilities = await model.predict(x, { verbose: 0 });
  const classes = probabilities.shape[1] ?? 1;
  const labels = options.labels ? readLabels(options.labels) : Array.from({ length: classes }, (_, i) => String(i));
  if (labels.length < classes) {
    throw new ConfigError(`--labels: ${options.labels} names ${labels.length} classes, but the model outputs ${classes}.`);
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
