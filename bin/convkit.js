#!/usr/bin/env node
// The `convkit` command: runs the compiled CLI in dist/ (plain JavaScript, no TypeScript loader at run time).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(main)) await import(main.href);
else {
  console.error('convkit: dist/ is missing: this checkout was not built. Run `npm run build` (`npm ci` and `npm pack` build it too).');
  process.exitCode = 1;
}
