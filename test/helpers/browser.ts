// A real browser for end-to-end tests: playwright-core driving Debian's chromium (installed by .ci/run), headless,
// with everything that would reach the network on its own switched off. `watchPage` records what a test must
// assert on: console errors, uncaught page errors, and every request (to prove a page stays offline).
// Missing chromium is a skip locally and a failure in CI, as every requirement (see requirements.ts).

import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Null when Debian's chromium is installed, else why the browser tests cannot run. */
export const missingChromium: string | null = existsSync(CHROMIUM) ? null : `${CHROMIUM} not found (apt-get install chromium)`;

/** Launches headless chromium; the caller closes it (`after(() => browser.close())`). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export interface PageWatch {
  /** console.error messages and uncaught exceptions, as text. */
  errors: string[];
  /** Every URL the page requested, in order. */
  requests: string[];
  /** Requests that failed (URL and reason). */
  failed: string[];
}

/** Starts recording a page's errors and requests; call before page.goto. */
export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { errors: [], requests: [], failed: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') watch.errors.push(message.text());
  });
  page.on('pageerror', (error) => watch.errors.push(`uncaught: ${error.message}`));
  page.on('request', (request) => watch.requests.push(request.url()));
  page.on('requestfailed', (request) => watch.failed.push(`${request.url()}: ${request.failure()?.errorText ?? 'failed'}`));
  return watch;
}

/** Every <img> of the page with its source and natural size (0 when it did not load). */
export async function pageImages(page: Page): Promise<{ src: string; naturalWidth: number; complete: boolean }[]> {
  return page.$$eval('img', (images) =>
    images.map((img) => ({ src: img.getAttribute('src') ?? '', naturalWidth: img.naturalWidth, complete: img.complete })),
  );
}

export interface OpenedPage {
  images: { src: string; naturalWidth: number; complete: boolean }[];
  errors: string[];
  failed: string[];
  /** Requests outside the page's own folder. */
  outside: string[];
  /** Widths of the page's inline SVG charts as laid out (a broken SVG has none). */
  svgWidths: number[];
}

/**
 * Opens a local HTML file (a report) in headless chromium and returns what an offline page must get right; with
 * `screenshot`, also saves a full-page screenshot there (to look at by eye).
 */
export async function openLocalPage(file: string, screenshot?: string): Promise<OpenedPage> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const watch = watchPage(page);
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    const folder = pathToFileURL(dirname(file)).href;
    return {
      images: await pageImages(page),
      errors: watch.errors,
      failed: watch.failed,
      outside: watch.requests.filter((url) => !url.startsWith(folder)),
      svgWidths: await page.$$eval('svg', (svgs) => svgs.map((s) => s.getBoundingClientRect().width)),
    };
  } finally {
    await browser.close();
  }
}
