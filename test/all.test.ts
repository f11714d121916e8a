// The single test entry: imports every *.test.ts under test/ so one node:test run ends with one summary.

import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));

function findTests(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (entry.endsWith('.test.ts') && path !== fileURLToPath(import.meta.url)) found.push(path);
  }
  return found;
}

const only = process.env.CONVKIT_TEST_FILTER;
for (const file of findTests(root)) {
  if (only && !relative(root, file).includes(only)) continue;
  await import(pathToFileURL(file).href);
}
