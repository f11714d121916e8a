// Explanations as pictures: a heatmap (Grad-CAM or saliency) blended over its image in a jet colormap, as PNG,
// and a figure with one row per image (the image, its Grad-CAM overlay, its saliency map) for reports. The heatmap
// is resized bilinearly from its own resolution straight to the display size, so a 7x7 Grad-CAM map over a
// 28x28 digit shown at 168 px is smooth, not blocky. Node only (sharp).

import { ConfigError, invalid, ShapeError } from '../errors.js';
import type { GradCamResult } from '../explain/grad-cam.js';
import { blendHeatmap, resizeMap } from '../explain/heatmap.js';
import type { SaliencyResult } from '../explain/saliency.js';
import { checkOptions } from '../options.js';
import { formatShape, type NumericArray, type Tensor } from '../tensor.js';
import { type CaptionLine, type GridTile, gridSvg, MUTED } from './image-grid.js';
import { checkValueRange, displayImage, guessValueRange, pngDataUri, type ValueRange } from './image-tiles.js';

export interface OverlayPngOptions {
  /** Heatmap opacity, 0..1 (default 0.4, as Keras's Grad-CAM example). */
  alpha?: number;
  /** Longest side of the picture in pixels (default: the image's own, at least 224). */
  size?: number;
  /** Pixel values shown as black and white (default: guessed, see guessValueRange). */
  valueRange?: ValueRange;
}

const OVERLAY_KEYS = ['alpha', 'size', 'valueRange'];

function asBatch(image: Tensor<NumericArray>, where: string): Tensor<NumericArray> {
  const shape = image?.shape;
  if (Array.isArray(shape) && shape.length === 3) return { data: image.data, shape: [1, ...shape] };
  if (Array.isArray(shape) && shape.length === 4 && shape[0] === 1) return image;
  throw new ShapeError(
    invalid(where, 'image', 'one image (H, W, C) or (1, H, W, C)', Array.isArray(shape) ? formatShape(shape) : image),
  );
}

/** The image at display size as RGB/gray bytes, and that size. */
async function displayAt(image: Tensor<NumericArray>, range: ValueRange, size: number | undefined) {
  const shown = displayImage(image, 0, range);
  const longest = Math.max(shown.width, shown.height);
  const target = size ?? Math.max(longest, 224);
  const width = Math.max(1, Math.round((shown.width * target) / longest));
  const height = Math.max(1, Math.round((shown.height * target) / longest));
  const { default: sharp } = await import('sharp');
  const { data, info } = await sharp(shown.pixels, {
    raw: { width: shown.width, height: shown.height, channels: shown.channels },
  })
    .resize(width, height, { fit: 'fill', kernel: target > longest ? 'nearest' : 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  // sharp may hand gray back as RGB: the channel count is read from its answer.
  return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height, channels: info.channels };
}

/**
 * PNG of a [0, 1] heatmap (any resolution, e.g. GradCamResult.heatmap or SaliencyResult.map) over its image.
 * @example writeFileSync('cam.png', await heatmapOverlayPng(image, gradCam(model, image).heatmap));
 */
export async function heatmapOverlayPng(
  image: Tensor<NumericArray>,
  heatmap: Tensor,
  rawOptions?: OverlayPngOptions,
): Promise<Buffer> {
  const options = checkOptions<OverlayPngOptions>('heatmapOverlayPng', rawOptions, OVERLAY_KEYS);
  const alpha = options.alpha ?? 0.4;
  if (!(typeof alpha === 'number' && alpha >= 0 && alpha <= 1))
    throw new ConfigError(invalid('heatmapOverlayPng', 'alpha', 'a number in [0, 1]', alpha));
  const size = options.size;
  if (size !== undefined && !(Number.isInteger(size) && size >= 8 && size <= 4096)) {
    throw new ConfigError(invalid('heatmapOverlayPng', 'size', 'an integer number of pixels in 8..4096', size));
  }
  if (heatmap?.shape?.length !== 2)
    throw new ShapeError(invalid('heatmapOverlayPng', 'heatmap', 'an (h, w) map', heatmap?.shape));
  const batch = asBatch(image, 'heatmapOverlayPng');
  const range =
    options.valueRange === undefined ? guessValueRange(batch) : checkValueRange(options.valueRange, 'heatmapOverlayPng');
  const shown = await displayAt(batch, range, size);
  const heat = resizeMap(heatmap, shown.height, shown.width);
  const rgb = blendHeatmap(shown.pixels, shown.channels, heat, alpha);
  const { default: sharp } = await import('sharp');
  return sharp(rgb, { raw: { width: shown.width, height: shown.height, channels: 3 } })
    .png()
    .toBuffer();
}

/** One row of an explanation figure. */
export interface ExplanationRow {
  /** The image as the model took it, (H, W, C) or (1, H, W, C). */
  image: Tensor<NumericArray>;
  gradCam?: GradCamResult;
  saliency?: SaliencyResult;
  /** Caption of the image tile (e.g. the true and predicted class). */
  caption?: CaptionLine[];
}

export interface ExplanationFigureOptions {
  classNames?: string[];
  /** Longest side of each picture (default 168). */
  size?: number;
  valueRange?: ValueRange;
  title?: string;
}

/**
 * An SVG figure, one row per image: the image, its Grad-CAM overlay and its saliency overlay (when given).
 * @example await savePlot(await explanationFigure([{ image, gradCam: gradCam(model, image) }]), 'cam.svg');
 */
export async function explanationFigure(rows: ExplanationRow[], rawOptions?: ExplanationFigureOptions): Promise<string> {
  const options = checkOptions<ExplanationFigureOptions>('explanationFigure', rawOptions, [
    'classNames',
    'size',
    'valueRange',
    'title',
  ]);
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new ConfigError(invalid('explanationFigure', 'rows', 'a non-empty array of { image, gradCam?, saliency? }', rows));
  }
  const size = options.size ?? 168;
  const name = (c: number) => options.classNames?.[c] ?? String(c);
  const columns = Math.max(...rows.map((r) => 1 + (r.gradCam ? 1 : 0) + (r.saliency ? 1 : 0)));
  const tiles: GridTile[] = [];
  for (const row of rows) {
    const batch = asBatch(row.image, 'explanationFigure');
    const range = options.valueRange ?? guessValueRange(batch);
    const overlay = async (heat: Tensor, alpha: number, caption: CaptionLine[]) => {
      const png = await heatmapOverlayPng(batch, heat, { alpha, size, valueRange: range });
      const { default: sharp } = await import('sharp');
      const meta = await sharp(png).metadata();
      tiles.push({ href: pngDataUri(png), width: meta.width ?? size, height: meta.height ?? size, caption });
    };
    await overlay({ data: new Float32Array(1), shape: [1, 1] }, 0, row.caption ?? [{ text: 'image' }]);
    if (row.gradCam) {
      const c = row.gradCam;
      await overlay(c.heatmap, 0.45, [
        { text: `Grad-CAM: ${name(c.classIndex)}`, bold: true },
        { text: `layer ${c.layerName}`, color: MUTED },
      ]);
    }
    if (row.saliency) {
      await overlay(row.saliency.map, 0.6, [
        { text: `saliency: ${name(row.saliency.classIndex)}`, bold: true },
        { text: 'gradient magnitude', color: MUTED },
      ]);
    }
    // A row with fewer maps ends in blank cells, so the next image starts a new row.
    while (tiles.length % columns !== 0) tiles.push({ href: '', width: 0, height: 0, caption: [] });
  }
  return gridSvg(tiles, { columns, ...(options.title !== undefined ? { title: options.title } : {}) });
}
