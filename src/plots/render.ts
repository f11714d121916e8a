// Turning plots into files, in Node and without a browser: a Vega-Lite spec is compiled to Vega and rendered to SVG
// by a headless vega View; sharp (librsvg) rasterises SVG to PNG. Charts carry their data inline, so the view gets a
// loader that refuses every URL: rendering never touches the network. The image grids are SVG already (see
// image-grid.ts) and take the same path to PNG. vega and sharp load on first use, not when convkit/node is imported.

import type { TopLevelSpec } from 'vega-lite';
import { ConfigError, describe, invalid } from '../errors.js';
import { atomicWriteBytes } from '../io/atomic-write.js';
import { checkWritable } from '../io/file-checks.js';
import { checkOptions } from '../options.js';

/** A chart (a Vega-Lite spec, as the spec builders return) or a finished SVG document. */
export type Plot = TopLevelSpec | string;

/** Fonts every chart and grid asks for (DejaVu Sans is on Debian images; librsvg falls back to any sans). */
export const PLOT_FONT = 'DejaVu Sans, Verdana, Arial, sans-serif';

/** Shared Vega-Lite config: legible font sizes and a white background (PNG has no page behind it). */
export const PLOT_CONFIG = {
  background: 'white',
  font: PLOT_FONT,
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14 },
} as const;

/** The SVG of a plot and the warnings vega-lite and vega raised while making it (tests require none). */
export interface RenderedSvg {
  svg: string;
  warnings: string[];
}

/** renderSvg, keeping vega's warnings (conflicting scales, dropped encodings) instead of printing them. */
export async function renderSvgWithWarnings(plot: Plot): Promise<RenderedSvg> {
  if (typeof plot === 'string') {
    if (!plot.trimStart().startsWith('<svg')) {
      throw new ConfigError(invalid('renderSvg', 'plot', 'a Vega-Lite spec or an SVG document', `${plot.slice(0, 40)}...`));
    }
    return { svg: plot, warnings: [] };
  }
  if (typeof plot !== 'object' || plot === null) {
    throw new ConfigError(invalid('renderSvg', 'plot', 'a Vega-Lite spec or an SVG document', describe(plot)));
  }
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const warnings: string[] = [];
  const errors: string[] = [];
  const logger = vega.logger(vega.Warn, undefined, (method, _level, input) => {
    const text = input.map((v) => (v instanceof Error ? v.message : String(v))).join(' ');
    (method === 'error' ? errors : warnings).push(text);
  });
  const loader = vega.loader();
  // vega only logs a failed load and draws the chart without the data; the refusal is raised after rendering.
  const refused: string[] = [];
  const refuse = async (uri: string): Promise<never> => {
    refused.push(uri);
    throw new ConfigError(`renderSvg: refused to load '${uri}'.`);
  };
  loader.load = refuse;
  loader.sanitize = refuse;
  const view = new vega.View(vega.parse(vegaLite.compile(plot, { logger }).spec), { renderer: 'none', loader, logger });
  try {
    const svg = await view.toSVG();
    if (refused.length > 0) {
      throw new ConfigError(
        `renderSvg: the spec asks to load '${refused[0]}'. Expected inline data ('values'); plots never read files or the network.`,
      );
    }
    // vega logs dataflow failures and draws an empty chart: an error here instead.
    if (errors.length > 0) throw new ConfigError(`renderSvg: ${errors[0]}`);
    return { svg, warnings };
  } finally {
    view.finalize();
  }
}

/**
 * Renders a Vega-Lite spec to an SVG document (inline data only: a spec that names a URL is refused). An SVG
 * document is returned as it is.
 * @example const svg = await renderSvg(confusionMatrixSpec(matrix, names));
 */
export async function renderSvg(plot: Plot): Promise<string> {
  return (await renderSvgWithWarnings(plot)).svg;
}

export interface PngOptions {
  /** Pixel density multiplier (default 2: crisp on high-DPI screens and when zoomed). */
  scale?: number;
}

/** Rasterises a plot to PNG bytes with sharp (librsvg). */
export async function renderPng(plot: Plot, rawOptions?: PngOptions): Promise<Buffer> {
  const options = checkOptions<PngOptions>('renderPng', rawOptions, ['scale']);
  const scale = options.scale ?? 2;
  if (!(typeof scale === 'number' && scale > 0 && scale <= 8)) {
    throw new ConfigError(invalid('renderPng', 'scale', 'a number in (0, 8]', scale));
  }
  const svg = await renderSvg(plot);
  const { default: sharp } = await import('sharp');
  return sharp(Buffer.from(svg), { density: 72 * scale })
    .png()
    .toBuffer();
}

/**
 * Writes a plot to `path`: '.svg' as SVG text, '.png' rasterised (atomically: a temp file renamed into place).
 * @example await savePlot(learningCurvesSpec(history), 'curves.png');
 */
export async function savePlot(plot: Plot, path: string, options?: PngOptions): Promise<void> {
  checkWritable(path, 'savePlot', ['.svg', '.png']);
  const bytes = path.endsWith('.svg') ? await renderSvg(plot) : await renderPng(plot, options);
  await atomicWriteBytes(path, bytes);
}
