// A grid of captioned picture tiles as one SVG document: each tile is a PNG embedded as a data URI (librsvg and
// browsers both draw those), framed in a colour when it has one, with caption lines below. The prediction, top-loss
// and explanation figures are all such grids. SVG text is escaped here; the layout is plain arithmetic.

import { PLOT_FONT } from './render.js';

export interface CaptionLine {
  text: string;
  /** CSS colour (default dark grey). */
  color?: string;
  bold?: boolean;
}

export interface GridTile {
  /** A PNG data URI; empty for a blank cell. */
  href: string;
  /** Drawn size of the picture in the tile. */
  width: number;
  height: number;
  /** Frame colour around the picture (none when absent). */
  frame?: string;
  caption: CaptionLine[];
}

export interface GridLayout {
  columns: number;
  title?: string;
}

/** Frame colours of right and wrong predictions (colour-blind-safe green and red with distinct lightness). */
export const RIGHT = '#1a7f37';
export const WRONG = '#cf222e';
export const MUTED = '#57606a';

const PAD = 10;
const FRAME = 4;
const LINE = 16;
const FONT_SIZE = 13;
const TITLE = 30;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Shortens text to about `max` characters (an ellipsis marks the cut) so captions do not run into the next tile. */
export function fitText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

/** Lays out tiles row by row; every cell is as large as the largest picture plus its caption lines. */
export function gridSvg(tiles: GridTile[], layout: GridLayout): string {
  const columns = Math.max(1, Math.min(layout.columns, tiles.length));
  const rows = Math.ceil(tiles.length / columns);
  const picW = Math.max(...tiles.map((t) => t.width));
  const picH = Math.max(...tiles.map((t) => t.height));
  const lines = Math.max(0, ...tiles.map((t) => t.caption.length));
  // Captions are centred under the picture; a cell is at least wide enough for ~18 characters.
  const cellW = Math.max(picW + 2 * FRAME, 18 * FONT_SIZE * 0.6) + 2 * PAD;
  const cellH = picH + 2 * FRAME + lines * LINE + 2 * PAD;
  const top = layout.title ? TITLE : 0;
  const width = Math.ceil(columns * cellW);
  const height = Math.ceil(top + rows * cellH);
  const maxChars = Math.floor((cellW - 4) / (FONT_SIZE * 0.6));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${PLOT_FONT}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ];
  if (layout.title) {
    parts.push(
      `<text class="title" x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold" fill="#24292f">${escapeXml(layout.title)}</text>`,
    );
  }
  tiles.forEach((tile, i) => {
    if (tile.href === '') return;
    const x0 = (i % columns) * cellW;
    const y0 = top + Math.floor(i / columns) * cellH;
    const px = x0 + (cellW - tile.width) / 2;
    const py = y0 + PAD + FRAME + (picH - tile.height) / 2;
    parts.push(`<g class="tile">`);
    if (tile.frame) {
      parts.push(
        `<rect class="frame" x="${px - FRAME / 2}" y="${py - FRAME / 2}" width="${tile.width + FRAME}" height="${tile.height + FRAME}" fill="none" stroke="${tile.frame}" stroke-width="${FRAME}"/>`,
      );
    }
    parts.push(`<image x="${px}" y="${py}" width="${tile.width}" height="${tile.height}" href="${tile.href}"/>`);
    tile.caption.forEach((line, k) => {
      const y = y0 + PAD + picH + 2 * FRAME + (k + 1) * LINE - 3;
      const weight = line.bold ? ' font-weight="bold"' : '';
      parts.push(
        `<text x="${x0 + cellW / 2}" y="${y}" text-anchor="middle" font-size="${FONT_SIZE}"${weight} fill="${line.color ?? '#24292f'}">${escapeXml(fitText(line.text, maxChars))}</text>`,
      );
    });
    parts.push('</g>');
  });
  parts.push('</svg>');
  return parts.join('\n');
}
