// scikit-learn as an independent reference (Debian's python3-sklearn, seen only by /usr/bin/python3): runs a small
// Python script with JSON in on stdin and JSON out on stdout.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PYTHON } from './requirements.js';

/** Null when /usr/bin/python3 imports sklearn, else why not. */
export const missingSklearn: string | null = (() => {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  try {
    execFileSync(PYTHON, ['-c', 'import sklearn, numpy'], { stdio: 'ignore' });
    return null;
  } catch {
    return `${PYTHON} cannot import sklearn (apt-get install python3-sklearn)`;
  }
})();

/** Runs `script` (which reads `data = json.load(sys.stdin)` and prints one JSON value) and parses its output. */
export function runPython<T>(script: string, input: unknown): T {
  const prelude = 'import json, sys, warnings\nwarnings.simplefilter("ignore")\ndata = json.load(sys.stdin)\n';
  const out = execFileSync(PYTHON, ['-c', prelude + script], { input: JSON.stringify(input), encoding: 'utf8' });
  return JSON.parse(out) as T;
}
