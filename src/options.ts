// The one rule for every options object in convkit (layers, fit/evaluate/predict, compile, optimizers, losses,
// metrics, callbacks, schedules, initializers, regularizers, dataset loaders, summary): an unknown key throws a
// ConfigError naming it and listing the accepted keys, with "did you mean" for Keras's snake_case spellings and
// common aliases (lr, batch_size, nb_epoch ...) and for near-miss typos. Keras's positional forms
// (`new Dense(128, { activation })`, `new Adam(1e-4)`) go through `withPositional`, which also refuses a bare value
// where no positional argument exists. This file only checks names; each class validates its own values.

import { ConfigError, describe } from './errors.js';

/** Keras spellings that are not just the snake_case of convkit's camelCase name. */
const KERAS_ALIASES: Record<string, string> = {
  lr: 'learningRate',
  nb_epoch: 'epochs',
  nb_epochs: 'epochs',
  epoch: 'epochs',
  batch: 'batchSize',
  nb_filter: 'filters',
  output_dim: 'units',
  input_dim: 'inputShape',
  num_classes: 'numClasses',
  validation_batch: 'validationBatchSize',
  alpha: 'negativeSlope',
  threshold: 'thresholds',
};

/** 'batch_size' -> 'batchSize', 'beta_1' -> 'beta1'. */
export function camelCase(key: string): string {
  return key.replace(/_+([a-z0-9])/gi, (_, c: string) => c.toUpperCase());
}

/** Edit distance, for typo suggestions ('kernalSize' -> 'kernelSize'). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** The accepted key a user most likely meant by `key`, or null. */
export function suggestKey(key: string, accepted: readonly string[]): string | null {
  const lower = (s: string) => s.toLowerCase();
  const candidates = [camelCase(key), KERAS_ALIASES[key] ?? '', KERAS_ALIASES[lower(key)] ?? ''];
  for (const candidate of candidates) {
    const hit = accepted.find((a) => lower(a) === lower(candidate));
    if (hit) return hit;
  }
  let best: string | null = null;
  // Short keys get no typo guess ('l1' is not a misspelt 'l2'); longer ones allow up to 2 edits.
  let bestDistance = Math.min(3, Math.ceil(key.length / 3));
  for (const a of accepted) {
    const d = distance(lower(camelCase(key)), lower(a));
    if (d < bestDistance) {
      best = a;
      bestDistance = d;
    }
  }
  return best;
}

/** A plain `{...}` object (not an array, typed array, class instance or null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Checks an options object: undefined gives {}, anything but a plain object throws, and so does any key outside
 * `accepted` (keys whose value is undefined are ignored, as if absent).
 * @example const o = checkOptions('fit', options, ['epochs', 'batchSize']); // throws on { batch_size: 64 }
 */
export function checkOptions<T extends object = Record<string, unknown>>(
  where: string,
  options: unknown,
  accepted: readonly string[],
  argName = 'options',
): T {
  if (options === undefined) return {} as T;
  if (!isPlainObject(options)) {
    throw new ConfigError(
      `${where}: invalid '${argName}'. Expected an options object { ${accepted.join(', ')} }, received ${describe(options)}.`,
    );
  }
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || accepted.includes(key)) continue;
    const guess = suggestKey(key, accepted);
    const hint = guess ? ` Did you mean '${guess}'?` : '';
    throw new ConfigError(`${where}: unknown option '${key}'.${hint} Accepted options: ${accepted.join(', ') || '(none)'}.`);
  }
  return options as T;
}

/**
 * Keras's positional forms beside the options object: `args` are the constructor's arguments, `names` the
 * options that may be given by position, in Keras's order. A trailing plain object is the options object.
 * More positional values than `names`, or an option given both ways, throw a ConfigError. `accepted` null leaves
 * the key check to the caller (layers check keys with their base options through checkKeys).
 * @example withPositional('Dense', [128, { activation: 'relu' }], ['units', 'activation'], KEYS) // { units: 128, activation: 'relu' }
 */
export function withPositional<T extends object = Record<string, unknown>>(
  where: string,
  args: readonly unknown[],
  names: readonly string[],
  accepted: readonly string[] | null,
): T {
  const list = [...args];
  while (list.length > 0 && list[list.length - 1] === undefined) list.pop();
  const last = list[list.length - 1];
  const options = isPlainObject(last) ? (list.pop() as Record<string, unknown>) : {};
  if (accepted) checkOptions(where, options, accepted);
  if (list.length > names.length) {
    const expected = names.length === 0 ? 'only an options object' : `at most ${names.length} (${names.join(', ')})`;
    throw new ConfigError(
      `${where}: too many positional arguments. Expected ${expected}, received ${list.map(describe).join(', ')}. Hint: pass the other settings by name in an options object.`,
    );
  }
  const merged: Record<string, unknown> = {};
  list.forEach((value, i) => {
    const name = names[i]!;
    if (options[name] !== undefined) {
      throw new ConfigError(
        `${where}: '${name}' given twice: positionally (${describe(value)}) and in the options (${describe(options[name])}). Give it once.`,
      );
    }
    if (value !== undefined) merged[name] = value;
  });
  return { ...merged, ...options } as T;
}
