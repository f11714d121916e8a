// Class-name files: Teachable Machine's labels.txt ("index name" per line, 0-based, sometimes a trailing blank
// line) and plain one-name-per-line lists. Reading checks the indexes (each 0..n-1 once), synchronously or not;
// writing uses the Teachable Machine form, atomically. The one labels reader of the project (predict, explain,
// evaluate, report, serve, finetune).

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FormatError } from '../errors.js';
import { atomicWriteBytes } from './atomic-write.js';
import { MAX_INPUT_BYTES, readInputFile } from './file-checks.js';

/**
 * Parses labels text: "index name" lines (any order, each index once) or plain names; blank lines are ignored.
 * A file where only some lines start with a number is plain names ('5 Galoon' stays '5 Galoon').
 */
export function parseLabels(text: string, source = 'labels'): string[] {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const indexed = lines.map((line) => /^(\d+)\s+(\S.*)$/.exec(line));
  if (lines.length === 0 || !indexed.every((m) => m !== null)) return lines;
  const names: string[] = new Array(lines.length);
  for (const m of indexed as RegExpExecArray[]) {
    const index = Number(m[1]);
    if (index >= lines.length || names[index] !== undefined) {
      throw new FormatError(
        `${source}: invalid line '${m[0]}'. Expected each index from 0 to ${lines.length - 1} once ("index name" per line), received index ${index}${names[index] !== undefined ? ' twice' : ''}.`,
      );
    }
    names[index] = m[2]!;
  }
  return names;
}

/**
 * Reads a labels file now (the CLI and the server, which need the names before anything else runs). `where` names
 * the option or setting in errors ('--labels').
 * @example readLabelsSync('labels.txt', '--labels') // ['Cat', 'Dog']
 */
export function readLabelsSync(path: string, where = 'readLabels'): string[] {
  const bytes = readInputFile(path, {
    where,
    expected: 'a text file with one class name per line ("index name" lines as Teachable Machine writes also work)',
    maxBytes: MAX_INPUT_BYTES.text,
  });
  return parseLabels(new TextDecoder().decode(bytes), path);
}

/**
 * Reads a labels file: Teachable Machine's "0 Cat" lines or one plain name per line.
 * @example await readLabels('labels.txt') // ['Cat', 'Dog']
 */
export async function readLabels(path: string, where = 'readLabels'): Promise<string[]> {
  return readLabelsSync(path, where);
}

/** Writes class names as Teachable Machine's labels.txt ("0 cats\n1 dogs\n"), atomically. */
export async function writeLabels(path: string, names: readonly string[]): Promise<void> {
  await atomicWriteBytes(path, names.map((name, i) => `${i} ${name}\n`).join(''));
}

/**
 * The labels file for a model: the one given, else the labels.txt beside the model file (Teachable Machine exports
 * keras_model.h5 and labels.txt together), else null.
 */
export function labelsFileFor(modelPath: string, given: string | undefined): string | null {
  if (given !== undefined) return given;
  const beside = join(dirname(modelPath), 'labels.txt');
  return existsSync(beside) ? beside : null;
}
