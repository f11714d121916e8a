// Python str.format for checkpoint paths, the subset Keras users write: {name}, {name:02d}, {name:.2f},
// {name:.4f}, {name:8.3e}, and {{ }} escapes. Not a general formatter (no alignment, signs or conversions).

import { describe, ValueError } from '../errors.js';

const SPEC = /^(0)?(\d+)?(?:\.(\d+))?([dfe%])?$/;

function formatValue(value: number, spec: string, field: string, template: string): string {
  const match = SPEC.exec(spec);
  if (!match) {
    throw new ValueError(
      `ModelCheckpoint: invalid format spec '${spec}' for '${field}' in ${describe(template)}. Expected one of d, 02d, .2f, .4f, .3e. Hint: Python's full format mini-language is not supported.`,
    );
  }
  const [, zero, widthText, precText, type] = match;
  const precision = precText === undefined ? undefined : Number(precText);
  let text: string;
  switch (type) {
    case 'd':
      if (!Number.isInteger(value)) {
        throw new ValueError(
          `ModelCheckpoint: invalid value for '{${field}:${spec}}' in ${describe(template)}. Expected an integer, received ${value}. Hint: use ':.4f' for non-integer metrics.`,
        );
      }
      text = String(Math.abs(value));
      break;
    case 'f':
      text = Math.abs(value).toFixed(precision ?? 6);
      break;
    case 'e':
      text = Math.abs(value)
        .toExponential(precision ?? 6)
        .replace(/e([+-])(\d)$/, 'e$10$2');
      break;
    case '%':
      text = `${(Math.abs(value) * 100).toFixed(precision ?? 6)}%`;
      break;
    default:
      text = precision === undefined ? String(Math.abs(value)) : Math.abs(value).toPrecision(precision);
  }
  if (!Number.isFinite(value)) text = Number.isNaN(value) ? 'nan' : 'inf';
  const sign = value < 0 ? '-' : '';
  const width = widthText === undefined ? 0 : Number(widthText);
  const padding = Math.max(0, width - sign.length - text.length);
  return zero ? `${sign}${'0'.repeat(padding)}${text}` : `${' '.repeat(padding)}${sign}${text}`;
}

/**
 * Fills `{name}` / `{name:spec}` fields from values (Keras passes epoch 1-based plus the logs).
 * @example formatFilepath('ckpt-{epoch:02d}-{val_loss:.2f}.keras', { epoch: 3, val_loss: 0.1234 }) // 'ckpt-03-0.12.keras'
 */
export function formatFilepath(template: string, values: Record<string, number>): string {
  return template.replace(
    /\{\{|\}\}|\{([^{}:]*)(?::([^{}]*))?\}/g,
    (whole, field: string | undefined, spec: string | undefined) => {
      if (whole === '{{') return '{';
      if (whole === '}}') return '}';
      const name = field ?? '';
      const value = values[name];
      if (value === undefined) {
        throw new ValueError(
          `ModelCheckpoint: cannot fill '{${name}}' in ${describe(template)}. Expected one of: ${Object.keys(values).sort().join(', ')}. Hint: the key must be a metric in the logs (validation metrics need validationData).`,
        );
      }
      return formatValue(value, spec ?? '', name, template);
    },
  );
}
