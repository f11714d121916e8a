// Parsing of the CLI's option values, one rule per number-valued option: every numeric option goes through
// numberOption(), so 'abc', '', 'Infinity' and out-of-range values are refused by name before any work starts.
// Also the CLI's last-resort error report: a clear message and a non-zero exit, never a stack trace.

import { availableParallelism } from 'node:os';
import { InvalidArgumentError } from 'commander';
import pc from 'picocolors';
import { ConvkitError } from '../errors.js';
import { errnoReason, isErrnoError } from '../io/file-checks.js';

export interface NumberRule {
  integer?: boolean;
  min?: number;
  /** True when `min` itself is not allowed. */
  minExclusive?: boolean;
  max?: number;
  maxExclusive?: boolean;
  /** Said after the expectation, e.g. why the maximum is what it is. */
  hint?: string;
}

function expectation(rule: NumberRule): string {
  const kind = rule.integer ? 'an integer' : 'a number';
  const low = rule.min === undefined ? '' : `${rule.minExclusive ? '>' : '>='} ${rule.min}`;
  const high = rule.max === undefined ? '' : `${rule.maxExclusive ? '<' : '<='} ${rule.max}`;
  const range = [low, high].filter(Boolean).join(' and ');
  return range ? `${kind} ${range}` : `a finite ${rule.integer ? 'integer' : 'number'}`;
}

/**
 * A commander value parser for a numeric option.
 * @example .option('--epochs <n>', 'training epochs', numberOption('--epochs', { integer: true, min: 1 }), 5)
 */
export function numberOption(flag: string, rule: NumberRule): (value: string) => number {
  return (value: string): number => {
    const n = value.trim() === '' ? Number.NaN : Number(value);
    const ok =
      Number.isFinite(n) &&
      (!rule.integer || Number.isInteger(n)) &&
      (rule.min === undefined || (rule.minExclusive ? n > rule.min : n >= rule.min)) &&
      (rule.max === undefined || (rule.maxExclusive ? n < rule.max : n <= rule.max));
    if (!ok) {
      throw new InvalidArgumentError(
        `${flag}: expected ${expectation(rule)}, received '${value}'.${rule.hint ? ` Hint: ${rule.hint}` : ''}`,
      );
    }
    return n;
  };
}

/** An 'H,W' option (an image size): two positive integers, checked like every numeric option. */
export function sizeOption(flag: string): (value: string) => [number, number] {
  const part = numberOption(flag, { integer: true, min: 1 });
  return (value: string) => {
    const parts = value.split(',');
    if (parts.length !== 2) {
      throw new InvalidArgumentError(`${flag}: expected two positive integers 'H,W' such as 64,64, received '${value}'.`);
    }
    return parts.map((p) => part(p.trim())) as [number, number];
  };
}

/** An 'H,W,C' option: three positive integers, each checked by the same rule as every numeric option. */
export function shapeOption(flag: string): (value: string) => [number, number, number] {
  const part = numberOption(flag, { integer: true, min: 1 });
  return (value: string) => {
    const parts = value.split(',');
    if (parts.length !== 3) {
      throw new InvalidArgumentError(`${flag}: expected three positive integers 'H,W,C' such as 28,28,1, received '${value}'.`);
    }
    return parts.map((p) => part(p.trim())) as [number, number, number];
  };
}

/** --threads: at most the cores this process may use; more only makes every step wait (measured 40x slower). */
export function threadsOption(): (value: string) => number {
  const cores = availableParallelism();
  return numberOption('--threads', {
    integer: true,
    min: 1,
    max: cores,
    hint: `this machine gives convkit ${cores} core${cores === 1 ? '' : 's'}; more threads than cores make each step slower.`,
  });
}

/** The message the CLI prints for any failure: convkit errors as they are, file errors explained, others named. */
export function cliErrorMessage(error: unknown): string {
  if (error instanceof ConvkitError) return error.message;
  if (isErrnoError(error)) {
    const path = typeof error.path === 'string' ? ` '${error.path}'` : '';
    return `${error.syscall ?? 'file access'}${path} failed: ${errnoReason(error)}. Hint: check the path, its folder and their permissions.`;
  }
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const hint = process.env.CONVKIT_DEBUG
    ? ''
    : ' Hint: this looks like a convkit bug; run again with CONVKIT_DEBUG=1 for details.';
  return `unexpected failure: ${text}.${hint}`;
}

/** Prints `error: <message>` (and the stack only when CONVKIT_DEBUG is set) and marks the exit as failed. */
export function reportCliError(error: unknown): void {
  process.stderr.write(`${pc.red('error')}: ${cliErrorMessage(error)}\n`);
  if (process.env.CONVKIT_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
}
