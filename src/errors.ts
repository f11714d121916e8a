// Typed errors with stable codes. Every message names the argument, what was expected, what was received, and a hint.

export type ErrorCode = 'SHAPE' | 'CONFIG' | 'FORMAT' | 'VALUE' | 'NOT_FOUND' | 'BACKEND' | 'IO' | 'STATE';

export class ConvkitError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Tensor or buffer shapes/lengths that do not fit together. */
export class ShapeError extends ConvkitError {
  constructor(message: string) {
    super('SHAPE', message);
  }
}

/** A constructor option, layer config or attrs object that is invalid. */
export class ConfigError extends ConvkitError {
  constructor(message: string) {
    super('CONFIG', message);
  }
}

/** A file that is corrupt, truncated, or not the format it claims to be. */
export class FormatError extends ConvkitError {
  constructor(message: string) {
    super('FORMAT', message);
  }
}

/** A runtime value that is out of range: a label >= classes, a NaN loss. */
export class ValueError extends ConvkitError {
  constructor(message: string) {
    super('VALUE', message);
  }
}

/** A missing file, folder, layer name or registry entry. */
export class NotFoundError extends ConvkitError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

/** A call the object cannot serve right now: a second fit() while the model is still training. */
export class StateError extends ConvkitError {
  constructor(message: string) {
    super('STATE', message);
  }
}

/** A failure inside a compute backend (native addon errors arrive as this). */
export class BackendError extends ConvkitError {
  constructor(message: string) {
    super('BACKEND', message);
  }
}

/** A path that cannot be read or written as asked: not a regular file, too large, read-only, no permission. */
export class IOError extends ConvkitError {
  constructor(message: string) {
    super('IO', message);
  }
}

/** Renders a received value compactly for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name;
    const length = 'length' in value ? (value as { length: number }).length : value.byteLength;
    return `${name}(${length})`;
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (typeof value === 'object') {
    try {
      const text = JSON.stringify(value);
      return text.length > 120 ? `${text.slice(0, 117)}...` : text;
    } catch {
      return String(value);
    }
  }
  return String(value);
}

/** `Where: invalid 'arg'. Expected X, received Y. Hint.` */
export function invalid(where: string, arg: string, expected: string, received: unknown, hint = ''): string {
  return `${where}: invalid '${arg}'. Expected ${expected}, received ${describe(received)}.${hint ? ` ${hint}` : ''}`;
}
