// Reads a training history back from the CSV file CSVLogger (convkit's or Keras's) writes: a header 'epoch' +
// metric names, one row per epoch. 'nan' / 'inf' are kept as NaN / Infinity (a diverged run); a column that is 'NA'
// in every row (validation that never ran) is dropped. Node only (reads a file). Not here: the diagnosis.

import { FormatError } from '../errors.js';
import { MAX_INPUT_BYTES, readInputFile } from '../io/file-checks.js';

export interface HistoryCsv {
  /** Metric name -> one value per epoch (fit's History.history shape). */
  history: Record<string, number[]>;
  /** The epochs as written (0-based, as Keras writes them). */
  epoch: number[];
  /** What was dropped or assumed while reading (shown to the user). */
  notes: string[];
}

function value(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'nan') return Number.NaN;
  if (t === 'inf' || t === '+inf' || t === 'infinity') return Number.POSITIVE_INFINITY;
  if (t === '-inf' || t === '-infinity') return Number.NEGATIVE_INFINITY;
  return t === '' ? Number.NaN : Number(t);
}

/**
 * Parses CSVLogger text (separator ',' unless the header uses ';' or a tab).
 * @example parseHistoryCsv('epoch,loss,val_loss\n0,0.9,1.0\n1,0.5,0.7\n').history.val_loss // [1, 0.7]
 */
export function parseHistoryCsv(text: string, source = 'history CSV'): HistoryCsv {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = lines[0];
  const bad = (what: string, hint = "Expected CSVLogger's file: a header 'epoch,loss,...' and one row per epoch.") =>
    new FormatError(`${source}: ${what}. ${hint}`);
  if (header === undefined) throw bad('the file is empty');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what marks a binary file
  if (/[\u0000-\u0008\u000e-\u001f]/.test(text.slice(0, 4096))) throw bad('the file is binary, not text (a model file?)');
  const separator = [',', ';', '\t'].find((s) => header.includes(s)) ?? ',';
  const names = header.split(separator).map((n) => n.trim());
  if (names[0] !== 'epoch') throw bad(`the first column is ${JSON.stringify(names[0]?.slice(0, 40))}, not 'epoch'`);
  if (!names.includes('loss')) throw bad(`there is no 'loss' column (columns: ${names.join(', ')})`);
  if (lines.length < 2) throw bad('there are no epoch rows');
  const columns: Record<string, (number | null)[]> = Object.fromEntries(names.slice(1).map((n) => [n, []]));
  const epoch: number[] = [];
  const notes: string[] = [];
  lines.slice(1).forEach((line, row) => {
    const cells = line.split(separator);
    if (cells.length !== names.length) throw bad(`line ${row + 2} has ${cells.length} fields, the header ${names.length}`);
    const e = Number(cells[0]);
    if (!Number.isInteger(e)) throw bad(`line ${row + 2}: epoch ${JSON.stringify(cells[0])} is not an integer`);
    if (epoch.length > 0 && e <= epoch[epoch.length - 1]!) {
      // CSVLogger(append) after a fresh fit: a second run starts again; diagnose the last one.
      notes.push(
        `Line ${row + 2} starts a new run (epoch ${e} after ${epoch[epoch.length - 1]}); only the last run is diagnosed.`,
      );
      epoch.length = 0;
      for (const values of Object.values(columns)) values.length = 0;
    }
    epoch.push(e);
    names.slice(1).forEach((name, i) => {
      const cell = cells[i + 1]!.trim();
      const v = cell === 'NA' ? null : value(cell);
      if (v !== null && Number.isNaN(v) && cell.toLowerCase() !== 'nan' && cell !== '') {
        throw bad(`line ${row + 2}, column '${name}': ${JSON.stringify(cell)} is not a number`);
      }
      columns[name]!.push(v);
    });
  });
  const history: Record<string, number[]> = {};
  for (const [name, values] of Object.entries(columns)) {
    const missing = values.filter((v) => v === null).length;
    if (missing === values.length) continue; // e.g. val_ columns of a run without validation
    if (missing > 0) {
      notes.push(`Column '${name}' is missing (NA) in ${missing} of ${values.length} epochs; it is left out.`);
      continue;
    }
    history[name] = values as number[];
  }
  if (!history.loss) throw bad("the 'loss' column has no values");
  return { history, epoch, notes };
}

/** Reads and parses a CSVLogger file; errors name the file. */
export function readHistoryCsv(path: string): HistoryCsv {
  const bytes = readInputFile(path, {
    where: 'diagnose',
    expected: "a CSVLogger file (header 'epoch,loss,...')",
    maxBytes: MAX_INPUT_BYTES.text,
  });
  return parseHistoryCsv(new TextDecoder().decode(bytes), path);
}
