// The starting model of `convkit train --data`: a seed model by name, or a model file (.keras, or a Keras .h5
// full model) whose input size and channels then set the image size and colour mode (unless given), checked
// against the folder's classes before training starts. Also decides the pixel scale: 1/255 before the model,
// unless the model begins with its own Rescaling layer.

import { buildSeedModel, SEED_MODELS } from '../applications/seed-models.js';
import { ConfigError, invalid, ShapeError } from '../errors.js';
import { loadModel } from '../io/load-model.js';
import type { Model } from '../models/model.js';

export type ColorMode = 'grayscale' | 'rgb' | 'rgba';

export interface FolderModelChoice {
  /** --model: a seed model name or a model file path. */
  model: string;
  imageSize?: [number, number];
  colorMode?: ColorMode;
}

/** True when --model names a file rather than a seed model. */
export function isModelFile(model: string): boolean {
  return !(model in SEED_MODELS) && /\.(keras|h5|hdf5)$/i.test(model);
}

/** The first layer after the input (looking inside a nested model), or null. */
function firstLayerClass(model: Model): string | null {
  const first = model.layers.find((layer) => layer.className !== 'InputLayer');
  if (!first) return null;
  return 'layers' in first && Array.isArray((first as Model).layers) ? firstLayerClass(first as Model) : first.className;
}

/** The image size and colour mode a model file fixes, checked against what the command line asked for. */
export async function loadFolderModel(choice: FolderModelChoice): Promise<{
  model: Model;
  imageSize: [number, number];
  colorMode: ColorMode;
  prescale: number;
}> {
  const model = await loadModel(choice.model, { compile: false });
  const [shape] = model.expectedInputShapes();
  const [, h, w, c] = shape ?? [];
  if (shape?.length !== 4 || typeof c !== 'number') {
    throw new ShapeError(
      invalid(
        '--model',
        'input shape',
        'an image model with input (batch, height, width, channels)',
        shape,
        `'${choice.model}' cannot take images.`,
      ),
    );
  }
  const modes: Record<number, ColorMode> = { 1: 'grayscale', 3: 'rgb', 4: 'rgba' };
  const colorMode = choice.colorMode ?? modes[c];
  if (!colorMode || { grayscale: 1, rgb: 3, rgba: 4 }[colorMode] !== c) {
    throw new ConfigError(
      invalid(
        '--color-mode',
        'value',
        `a colour mode with ${c} channel(s), as '${choice.model}' takes`,
        choice.colorMode ?? `${c} channels`,
      ),
    );
  }
  const fixed = typeof h === 'number' && typeof w === 'number' ? ([h, w] as [number, number]) : null;
  const imageSize = choice.imageSize ?? fixed;
  if (!imageSize) {
    throw new ConfigError(invalid('--image-size', 'value', 'H,W (the model accepts any size)', undefined, 'Give --image-size.'));
  }
  if (fixed && (fixed[0] !== imageSize[0] || fixed[1] !== imageSize[1])) {
    throw new ConfigError(
      invalid(
        '--image-size',
        'value',
        `${fixed.join(',')}, the input size of '${choice.model}'`,
        imageSize.join(','),
        "Leave --image-size out to use the model's size.",
      ),
    );
  }
  const prescale = firstLayerClass(model) === 'Rescaling' ? 1 : 1 / 255;
  return { model, imageSize, colorMode, prescale };
}

/** The number of classes a model's output gives (1 unit: two classes through a sigmoid). */
export function outputClasses(model: Model, imageSize: [number, number], channels: number): number {
  const out = model.computeOutputShape([null, imageSize[0], imageSize[1], channels]);
  const units = out[out.length - 1];
  if (out.length !== 2 || typeof units !== 'number') {
    throw new ShapeError(invalid('--model', 'output shape', '(batch, classes) class scores', out));
  }
  return units === 1 ? 2 : units;
}

/** A seed model for the folder, built for its image size and classes. */
export function seedModelFor(name: string, imageSize: [number, number], channels: number, classes: number): Model {
  return buildSeedModel(name, { inputShape: [imageSize[0], imageSize[1], channels], numClasses: classes });
}
