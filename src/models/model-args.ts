// The arguments of `new Model(...)`: Keras's positional `Model(inputs, outputs, { name })` or one object
// `{ inputs, outputs, name }`, checked by the shared options rule. Only parsing; the graph is wired in model.ts.

import { ConfigError, invalid } from '../errors.js';
import { checkOptions, isPlainObject } from '../options.js';
import type { SymbolicTensor } from './input.js';

export interface ModelArgs {
  inputs: SymbolicTensor | SymbolicTensor[];
  outputs: SymbolicTensor | SymbolicTensor[];
  name?: string;
  trainable?: boolean;
}

/** The options beside Keras's positional `new Model(inputs, outputs, { name })`. */
export type ModelOptions = Omit<ModelArgs, 'inputs' | 'outputs'>;

const MODEL_KEYS = ['inputs', 'outputs', 'name', 'trainable'];

/** One ModelArgs from either form; inputs and outputs are both present or both absent (a model built later). */
export function parseModelArgs(
  first: ModelArgs | ModelOptions | SymbolicTensor | SymbolicTensor[] | undefined,
  outputs: SymbolicTensor | SymbolicTensor[] | undefined,
  options: ModelOptions | undefined,
): Partial<ModelArgs> {
  let args: Partial<ModelArgs>;
  if (first === undefined || isPlainObject(first)) {
    if (outputs !== undefined || options !== undefined) {
      throw new ConfigError(
        'Model: invalid arguments. Expected new Model(inputs, outputs, options?) or new Model({ inputs, outputs }), received an options object followed by more arguments.',
      );
    }
    args = checkOptions<ModelArgs>('Model', first, MODEL_KEYS);
  } else {
    if (outputs === undefined) throw new ConfigError(invalid('Model', 'outputs', 'the output tensor(s)', outputs));
    args = { ...checkOptions<ModelOptions>('Model', options, ['name', 'trainable']), inputs: first as SymbolicTensor, outputs };
  }
  if ((args.inputs === undefined) !== (args.outputs === undefined)) {
    throw new ConfigError(invalid('Model', args.inputs === undefined ? 'inputs' : 'outputs', 'symbolic tensors', undefined));
  }
  return args;
}
