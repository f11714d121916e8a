// The web page's files (web/ in the package: HTML, JS, CSS), read once at start and served from memory by name,
// so no request path ever reaches the file system. A strict Content-Security-Policy keeps the page offline.

import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import { NotFoundError } from '../errors.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Scripts, styles and fetches from this server only; images may also be blob:/data: (previews, overlays). */
const CSP = "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; connect-src 'self'";

/** web/ beside src/ or dist/: the same relative place in a checkout and in the installed package. */
export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

export class WebAssets {
  private readonly files = new Map<string, { body: string; type: string }>();

  constructor(dir: string = WEB_DIR) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      throw new NotFoundError(
        `serve: the web page's folder ${dir} is missing. Hint: reinstall convkit, or serve with { web: false }.`,
      );
    }
    for (const name of names) {
      const type = TYPES[extname(name)];
      if (type) this.files.set(name, { body: readFileSync(join(dir, name), 'utf8'), type });
    }
  }

  /** Routes `/` to index.html, `/dashboard` to dashboard.html, and `/<file>` to each known file. */
  mount(app: Hono, index = 'index.html'): void {
    const send = (name: string) => {
      const file = this.files.get(name);
      if (!file) return null;
      return new Response(file.body, {
        headers: { 'Content-Type': file.type, 'Cache-Control': 'no-cache', 'Content-Security-Policy': CSP },
      });
    };
    app.get('/', (c) => send(index) ?? c.notFound());
    for (const name of this.files.keys()) app.get(`/${name}`, (c) => send(name) ?? c.notFound());
  }
}
