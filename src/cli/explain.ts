// `convkit explain`: why a saved model classified an image as it did. Loads the image as `convkit predict` does,
// prints the top classes, and writes a Grad-CAM (or saliency) overlay as PNG, or with an .svg output a figure with
// the image, its Grad-CAM and its saliency side by side.

import { ConfigError, describe } from '../errors.js';
import { CONVOLUTIONS, flattenLayers } from '../explain/class-gradients.js';
import { gradCam } from '../explain/grad-cam.js';
import { saliencyMap } from '../explain/saliency.js';
import { atomicWriteBytes } from '../io/atomic-write.js';
import { checkWritable } from '../io/file-checks.js';
import { labelsFileFor, readLabelsSync } from '../io/labels.js';
import { loadModel } from '../io/load-model.js';
import { explanationFigure, heatmapOverlayPng } from '../plots/explanation-figure.js';
import { savePlot } from '../plots/render.js';
import { loadImagesFor } from '../preprocessing/presets.js';
import { applyGlobalOptions, checkPixelOptions, type GlobalOptions } from './common.js';

export interface ExplainOptions extends GlobalOptions {
  out: string;
  /** A class index or a class name (from --labels). Default: the predicted class. */
  class?: string;
  layer?: string;
  method: string;
  labels?: string;
  preprocess?: string;
  scale?: number;
  offset?: number;
  invert?: boolean;
  alpha: number;
  size?: number;
}

/** --class as an index: a number, or a name looked up in the labels. */
function classIndex(value: string | undefined, names: string[]): number | undefined {
  if (value === undefined) return undefined;
  const byName = names.indexOf(value);
  if (byName >= 0) return byName;
  const n = Number(value);
  if (value.trim() !== '' && Number.isInteger(n) && n >= 0 && n < names.length) return n;
  throw new ConfigError(
    `--class: invalid value. Expected a class index 0..${names.length - 1} or one of the names ${names.map((s) => JSON.stringify(s)).join(', ')}, received ${describe(value)}.${names.every((s, i) => s === String(i)) ? ' Hint: give --labels to use class names.' : ''}`,
  );
}

export async function explainCommand(modelPath: string, imagePath: string, options: ExplainOptions): Promise<void> {
  // Everything a user can get wrong is checked before the model is loaded and run.
  checkWritable(options.out, '--out', ['.png', '.svg']);
  if (!['gradcam', 'saliency'].includes(options.method)) {
    throw new ConfigError(`--method: invalid value. Expected 'gradcam' or 'saliency', received ${describe(options.method)}.`);
  }
  const pixels = checkPixelOptions(options);
  applyGlobalOptions(options);
  const labelsFile = labelsFileFor(modelPath, options.labels);
  const labels = labelsFile ? readLabelsSync(labelsFile, options.labels ? '--labels' : 'labels.txt beside the model') : null;
  if (labelsFile && !options.labels) console.log(`Class names from ${labelsFile}`);
  const model = await loadModel(modelPath, { compile: false });
  const units = model.outputs[0]?.shape.at(-1) ?? 0;
  const classes = units === 1 ? 2 : units;
  const names = labels ?? Array.from({ length: classes }, (_, i) => String(i));
  if (names.length !== classes) {
    throw new ConfigError(
      `--labels: ${labelsFile} names ${names.length} classes, but the model outputs ${classes}. Expected one name per class.`,
    );
  }
  const wanted = classIndex(options.class, names);
  // As `convkit predict` loads it: the model's input size and channels, the preset or scale/offset.
  const image = await loadImagesFor(model, [imagePath], pixels);
  const hasConvolution = options.layer !== undefined || flattenLayers(model).some((l) => CONVOLUTIONS.has(l.className));
  if (options.method === 'gradcam' && !hasConvolution) {
    throw new ConfigError(
      `--method gradcam: the model has no convolution layer (${flattenLayers(model)
        .map((l) => l.className)
        .join(
          ', ',
        )}). Expected a CNN for Grad-CAM. Hint: use --method saliency, or --layer with a layer whose output is (H, W, C).`,
    );
  }
  // An .svg figure shows Grad-CAM beside the saliency map whenever the model has a convolution.
  const needCam = options.method === 'gradcam' || (options.out.endsWith('.svg') && hasConvolution);
  const classOption = wanted === undefined ? {} : { classIndex: wanted };
  const cam = needCam
    ? gradCam(model, image, { ...classOption, ...(options.layer !== undefined ? { layerName: options.layer } : {}) })
    : null;
  const saliency = saliencyMap(model, image, classOption);
  const probabilities = Array.from(saliency.output.data);
  const rows = units === 1 ? [1 - probabilities[0]!, probabilities[0]!] : probabilities;
  const ranked = rows.map((p, i) => ({ p, i })).sort((a, b) => b.p - a.p);
  console.log(
    `${imagePath}: ${ranked
      .slice(0, 3)
      .map((r) => `${names[r.i]} ${(100 * r.p).toFixed(1)}%`)
      .join(', ')}`,
  );
  const explained = saliency.classIndex;
  if (cam) {
    const [h, w] = cam.heatmap.shape as [number, number];
    console.log(
      `Grad-CAM for class ${names[explained]} (${cam.scoreKind} ${cam.score.toFixed(3)}) at layer ${cam.layerName} (${h}x${w})`,
    );
  }
  if (options.out.endsWith('.svg')) {
    const figure = await explanationFigure(
      [{ image, ...(cam ? { gradCam: cam } : {}), saliency, caption: [{ text: imagePath.split('/').pop() ?? imagePath }] }],
      {
        classNames: names,
        ...(options.size !== undefined ? { size: options.size } : {}),
      },
    );
    await savePlot(figure, options.out);
  } else {
    const heat = options.method === 'gradcam' ? cam!.heatmap : saliency.map;
    const png = await heatmapOverlayPng(image, heat, {
      alpha: options.alpha,
      ...(options.size !== undefined ? { size: options.size } : {}),
    });
    await atomicWriteBytes(options.out, png);
  }
  console.log(
    `Saved ${options.out} (${options.method === 'gradcam' || options.out.endsWith('.svg') ? 'Grad-CAM' : 'saliency'} for ${names[explained]})`,
  );
}
