// The augmentation a command line asks for, as Keras augmentation layers: "flip,rotation=0.1,zoom=0.1" ->
// [RandomFlip('horizontal'), RandomRotation(0.1), RandomZoom(0.1)]. Seed 004's ImageDataGenerator(rotation_range,
// width/height_shift_range, horizontal_flip) maps onto rotation, translation and flip.

import { ConfigError, invalid } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import { RandomBrightness } from '../layers/random-brightness.js';
import { RandomContrast } from '../layers/random-contrast.js';
import { RandomFlip } from '../layers/random-flip.js';
import { RandomRotation } from '../layers/random-rotation.js';
import { RandomTranslation } from '../layers/random-translation.js';
import { RandomZoom } from '../layers/random-zoom.js';

const FLIP_MODES = ['horizontal', 'vertical', 'horizontal_and_vertical'] as const;
const KINDS = ['flip', 'rotation', 'zoom', 'translation', 'brightness', 'contrast'] as const;

/**
 * Augmentation layers from a spec: comma-separated `flip[=horizontal|vertical|horizontal_and_vertical]`,
 * `rotation=F` (a fraction of a full turn), `zoom=F`, `translation=F` (both axes), `brightness=F`, `contrast=F`.
 * `valueRange` is the pixel range the model sees (brightness clips to it). '' or 'none' gives no layers.
 * @example parseAugmentation('flip,rotation=0.1,zoom=0.1', [-1, 1])
 */
export function parseAugmentation(spec: string, valueRange: [number, number] = [0, 255], where = '--augment'): Layer[] {
  if (typeof spec !== 'string')
    throw new ConfigError(invalid(where, 'augment', 'a comma-separated list such as flip,rotation=0.1', spec));
  if (spec.trim() === '' || spec.trim() === 'none') return [];
  const seen = new Set<string>();
  return spec.split(',').map((part) => {
    const [rawKind, rawValue, extra] = part.trim().split('=');
    const kind = (rawKind ?? '').trim();
    const expected = `one of ${KINDS.join(', ')}, each 'name' or 'name=value' (e.g. flip,rotation=0.1,zoom=0.1)`;
    if (!(KINDS as readonly string[]).includes(kind) || extra !== undefined)
      throw new ConfigError(invalid(where, 'augment', expected, part));
    if (seen.has(kind)) throw new ConfigError(invalid(where, 'augment', `each kind once`, spec, `'${kind}' appears twice.`));
    seen.add(kind);
    if (kind === 'flip') {
      const mode = rawValue?.trim() ?? 'horizontal';
      if (!(FLIP_MODES as readonly string[]).includes(mode))
        throw new ConfigError(invalid(where, 'augment', `flip=${FLIP_MODES.join('|')}`, part));
      return new RandomFlip(mode as (typeof FLIP_MODES)[number]);
    }
    const value = rawValue === undefined ? Number.NaN : Number(rawValue);
    if (!(value > 0 && value < 1)) {
      throw new ConfigError(invalid(where, 'augment', `${kind}=F with F a fraction between 0 and 1 (exclusive)`, part));
    }
    switch (kind) {
      case 'rotation':
        return new RandomRotation(value);
      case 'zoom':
        return new RandomZoom(value);
      case 'translation':
        return new RandomTranslation(value, value);
      case 'brightness':
        return new RandomBrightness(value, { valueRange });
      default:
        return new RandomContrast(value, { valueRange });
    }
  });
}
