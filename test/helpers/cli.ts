// Runs the convkit CLI from source (through tsx) in a child process, as a user runs it: exit code, stdout, stderr.

import { spawnSync } from 'node:child_process';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `convkit <args>`; a run that takes over 4 minutes is killed (code null). */
export function convkit(...args: string[]): CliRun {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
