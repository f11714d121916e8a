// `convkit convert <in> <out>`: reads any model file convkit loads and writes it in the format the output's
// extension names (see src/io/convert.ts for the list of output formats).

import { convertModel } from '../io/convert.js';
import { applyGlobalOptions, type GlobalOptions } from './common.js';

export interface ConvertCommandOptions extends GlobalOptions {
  /** commander's --no-optimizer: false drops the compile settings and optimizer state. */
  optimizer?: boolean;
}

const INPUT_NAMES = { keras: 'Keras 3 .keras', h5: 'Keras .h5', tfjs: 'TF.js layers model' } as const;

export async function convertCommand(input: string, output: string, options: ConvertCommandOptions): Promise<void> {
  applyGlobalOptions(options);
  const {
    model,
    inputFormat,
    output: writer,
  } = await convertModel(input, output, {
    includeOptimizer: options.optimizer ?? true,
  });
  console.log(
    `Converted ${input} (${INPUT_NAMES[inputFormat]}) to ${output} (${writer.description}, ${writer.suffixes.join(' / ')}): ${model.className} '${model.name}', ${model.countParams().toLocaleString('en-US')} params`,
  );
}
