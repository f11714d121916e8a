// Seed 003's plot_image and seed 004's batch-prediction grid, and fastai's top losses: images with the predicted
// class and its confidence, the true class, framed green when right and red when wrong (a ✓/✗ mark too, so colour
// is not the only cue). Returns SVG documents (savePlot writes them as .svg or .png). Node only (sharp).

import { ConfigError, invalid, ShapeError } from '../errors.js';
import { checkOptions } from '../options.js';
import { formatShape, type NumericArray, type Tensor } from '../tensor.js';
import { type GridTile, gridSvg, MUTED, RIGHT, WRONG } from './image-grid.js';
import {
  batchDims,
  checkValueRange,
  displayImage,
  guessValueRange,
  imagePng,
  pngDataUri,
  type ValueRange,
} from './image-tiles.js';

export interface ImageGridOptions {
  /** Class names in index order (default '0', '1', ...). */
  classNames?: string[];
  /** Tiles per row (default 5). */
  columns?: number;
  /** Longest side of each picture in pixels (default 112). */
  tileSize?: number;
  /** Pixel values shown as black and white (default: guessed from the batch, see guessValueRange). */
  valueRange?: ValueRange;
  title?: string;
  /** At most this many images (default 25). */
  limit?: number;
}

const KEYS = ['classNames', 'columns', 'tileSize', 'valueRange', 'title', 'limit'];

/** One example with a high loss (evaluateClassifier's LossExample has these fields). */
export interface LossTile {
  /** Row of `images` that holds the example's picture. */
  index: number;
  trueClass: number;
  predictedClass: number;
  /** Probability of the predicted class. */
  confidence: number;
  loss: number;
}

interface Settings {
  names: (c: number) => string;
  columns: number;
  size: number;
  range: ValueRange;
  title: string | undefined;
  limit: number;
}

function settings(where: string, images: Tensor<NumericArray>, rawOptions: ImageGridOptions | undefined): Settings {
  const options = checkOptions<ImageGridOptions>(where, rawOptions, KEYS);
  const positive = (name: string, value: number | undefined, fallback: number, max: number) => {
    const v = value ?? fallback;
    if (!Number.isInteger(v) || v < 1 || v > max) throw new ConfigError(invalid(where, name, `an integer in 1..${max}`, v));
    return v;
  };
  const classNames = options.classNames;
  if (classNames !== undefined && !(Array.isArray(classNames) && classNames.every((n) => typeof n === 'string'))) {
    throw new ConfigError(invalid(where, 'classNames', 'an array of strings', classNames));
  }
  return {
    names: (c) => classNames?.[c] ?? String(c),
    columns: positive('columns', options.columns, 5, 100),
    size: positive('tileSize', options.tileSize, 112, 1024),
    range: options.valueRange === undefined ? guessValueRange(images) : checkValueRange(options.valueRange, where),
    title: options.title,
    limit: positive('limit', options.limit, 25, 10_000),
  };
}

async function tile(images: Tensor<NumericArray>, index: number, s: Settings): Promise<Omit<GridTile, 'caption'>> {
  const image = displayImage(images, index, s.range);
  const png = await imagePng(image, s.size);
  const scale = s.size / Math.max(image.width, image.height);
  return { href: pngDataUri(png), width: Math.round(image.width * scale), height: Math.round(image.height * scale) };
}

/** Predicted class and confidence per row of (N, K) probabilities; a one-unit (N, 1) output is binary (p >= 0.5). */
export function predictedClasses(
  probabilities: Tensor<NumericArray>,
  where: string,
): { predicted: Int32Array; confidence: Float32Array } {
  const [n, units] = probabilities.shape as [number, number];
  if (probabilities.shape.length !== 2 || units < 1 || probabilities.data.length !== n * units) {
    throw new ShapeError(
      invalid(where, 'probabilities', 'an (N, K) tensor (model.predict output)', formatShape(probabilities.shape)),
    );
  }
  const predicted = new Int32Array(n);
  const confidence = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (units === 1) {
      const p = probabilities.data[i]!;
      predicted[i] = p >= 0.5 ? 1 : 0;
      confidence[i] = p >= 0.5 ? p : 1 - p;
      continue;
    }
    let best = 0;
    for (let k = 1; k < units; k++) if (probabilities.data[i * units + k]! > probabilities.data[i * units + best]!) best = k;
    predicted[i] = best;
    confidence[i] = probabilities.data[i * units + best]!;
  }
  return { predicted, confidence };
}

const percent = (p: number) => (Number.isNaN(p) ? 'NaN%' : `${Math.round(100 * p)}%`);

/**
 * The first images with their predictions: "✓ Trouser 97%" over "true: Trouser", framed green when right and red
 * when wrong. Without labels only the prediction is shown, unframed.
 * @example await savePlot(await predictionGrid(xTest, await model.predict(xTest), yTest, { classNames }), 'grid.png');
 */
export async function predictionGrid(
  images: Tensor<NumericArray>,
  probabilities: Tensor<NumericArray>,
  labels?: ArrayLike<number> | null,
  options?: ImageGridOptions,
): Promise<string> {
  const [n] = batchDims(images, 'predictionGrid');
  const s = settings('predictionGrid', images, options);
  const { predicted, confidence } = predictedClasses(probabilities, 'predictionGrid');
  if (predicted.length !== n || (labels && labels.length !== n)) {
    throw new ShapeError(
      invalid(
        'predictionGrid',
        labels && labels.length !== n ? 'labels' : 'probabilities',
        `${n} rows (one per image)`,
        labels && labels.length !== n ? labels.length : predicted.length,
      ),
    );
  }
  const tiles: GridTile[] = [];
  for (let i = 0; i < Math.min(n, s.limit); i++) {
    const guess = `${s.names(predicted[i]!)} ${percent(confidence[i]!)}`;
    if (!labels) {
      tiles.push({ ...(await tile(images, i, s)), caption: [{ text: guess, bold: true }] });
      continue;
    }
    const right = predicted[i] === labels[i];
    tiles.push({
      ...(await tile(images, i, s)),
      frame: right ? RIGHT : WRONG,
      caption: [
        { text: `${right ? '✓' : '✗'} ${guess}`, color: right ? RIGHT : WRONG, bold: true },
        { text: `true: ${s.names(labels[i]!)}`, color: MUTED },
      ],
    });
  }
  return gridSvg(tiles, { columns: s.columns, ...(s.title !== undefined ? { title: s.title } : {}) });
}

/**
 * The examples the model got most wrong (highest loss first, as given): prediction and confidence, true class, loss.
 * @example await savePlot(await topLossesGrid(xTest, evaluation.topLosses, { classNames }), 'top-losses.png');
 */
export async function topLossesGrid(
  images: Tensor<NumericArray>,
  examples: LossTile[],
  options?: ImageGridOptions,
): Promise<string> {
  const [n] = batchDims(images, 'topLossesGrid');
  const s = settings('topLossesGrid', images, options);
  if (!Array.isArray(examples) || examples.length === 0) {
    throw new ConfigError(
      invalid(
        'topLossesGrid',
        'examples',
        'a non-empty array of { index, trueClass, predictedClass, confidence, loss }',
        examples,
      ),
    );
  }
  const tiles: GridTile[] = [];
  for (const e of examples.slice(0, s.limit)) {
    if (!Number.isInteger(e.index) || e.index < 0 || e.index >= n) {
      throw new ConfigError(invalid('topLossesGrid', 'examples[].index', `a row of images in 0..${n - 1}`, e.index));
    }
    const right = e.predictedClass === e.trueClass;
    tiles.push({
      ...(await tile(images, e.index, s)),
      frame: right ? RIGHT : WRONG,
      caption: [
        {
          text: `${right ? '✓' : '✗'} ${s.names(e.predictedClass)} ${percent(e.confidence)}`,
          color: right ? RIGHT : WRONG,
          bold: true,
        },
        { text: `true: ${s.names(e.trueClass)}`, color: MUTED },
        { text: `loss ${e.loss.toFixed(2)}`, color: MUTED },
      ],
    });
  }
  return gridSvg(tiles, { columns: s.columns, ...(s.title !== undefined ? { title: s.title } : {}) });
}
