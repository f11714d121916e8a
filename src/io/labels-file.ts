// Class-name files: one name per line, or Teachable Machine's "index name" lines; blank lines are ignored.

import { MAX_INPUT_BYTES, readInputFile } from './file-checks.js';

/** Reads class names from a labels file (`labels.txt`), in class-index order. */
export function readLabels(path: string, where = '--labels'): string[] {
  const bytes = readInputFile(path, {
    where,
    expected: 'a text file with one class name per line',
    maxBytes: MAX_INPUT_BYTES.text,
  });
  return new TextDecoder()
    .decode(bytes)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => line.replace(/^\d+\s+/, ''));
}
