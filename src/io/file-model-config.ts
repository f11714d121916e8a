// Builds the model a file's JSON config describes. A config the layers refuse (an unknown class, a misspelt or
// unsupported option: a damaged file, a newer Keras, or a custom layer) becomes a FormatError naming the file; an
// unknown class also gets the supported list and how to make a custom layer loadable.

import { ConfigError, FormatError, NotFoundError, ShapeError, ValueError } from '../errors.js';
import { LAYERS } from '../layers/index.js';
import type { CustomObjects } from '../layers/serialization.js';
import type { Model } from '../models/model.js';
import { modelFromKeras } from '../models/model-config.js';

/** The model of a file's config; FormatError (naming `source`) when convkit cannot build it. */
export function modelFromFileConfig(config: unknown, source: string, customObjects?: CustomObjects): Model {
  try {
    return modelFromKeras(config, customObjects);
  } catch (error) {
    const unknown = error instanceof NotFoundError ? /^Unknown layer class "([^"]*)"/.exec(error.message) : null;
    if (unknown) {
      const name = unknown[1]!;
      const id = /^[A-Za-z_$][\w$]*$/.test(name) ? name : 'MyLayer';
      throw new FormatError(
        `'${source}': unknown layer class "${name}". Expected one of the supported classes (${Object.keys(LAYERS).sort().join(', ')}), received "${name}". Hint: for a custom layer, write its class (a Layer subclass) and make it known before loading: registerLayer('${name}', ${id}), or loadModel(path, { customObjects: { ${name === id ? id : `'${name}': ${id}`} } }).`,
      );
    }
    if (
      error instanceof ConfigError ||
      error instanceof ShapeError ||
      error instanceof ValueError ||
      error instanceof FormatError
    ) {
      const message = error.message.replace(/^modelFromKeras: /, '');
      throw new FormatError(
        `'${source}': the model config cannot be built: ${message}${/Hint:/.test(message) ? '' : ' Hint: the file is damaged, or uses an option convkit does not support.'}`,
      );
    }
    throw error;
  }
}
