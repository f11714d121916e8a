// `convkit convert <in> <out>`: reads any model file convkit loads and writes it in the format the output's
// extension names, or --format names (see src/io/convert.ts for the output formats and their options).

import { type ConvertOptions, convertModel } from '../io/convert.js';
import { applyGlobalOptions, type GlobalOptions } from './common.js';

export interface ConvertCommandOptions extends GlobalOptions {
  /** commander's --no-optimizer: false drops the compile settings and optimizer state. */
  optimizer?: boolean;
  format?: string;
  opset?: number;
  quantize?: string;
}

const INPUT_NAMES = { keras: 'Keras 3 .keras', h5: 'Keras .h5', tfjs: 'TF.js layers model' } as const;

/** ', opset 17, uint8 weights' for the options given. */
function details(options: ConvertCommandOptions): string {
  return `${options.opset === undefined ? '' : `, opset ${options.opset}`}${options.quantize === undefined ? '' : `, ${options.quantize} weights`}`;
}

export async function convertCommand(input: string, output: string, options: ConvertCommandOptions): Promise<void> {
  applyGlobalOptions(options);
  const {
    model,
    inputFormat,
    output: writer,
  } = await convertModel(input, output, {
    includeOptimizer: options.optimizer ?? true,
    // The library checks the values (and that each option suits the output format), naming the accepted ones.
    ...(options.format === undefined ? {} : { format: options.format as ConvertOptions['format'] & string }),
    ...(options.opset === undefined ? {} : { opset: options.opset }),
    ...(options.quantize === undefined ? {} : { quantize: options.quantize as ConvertOptions['quantize'] & string }),
  });
  console.log(
    `Converted ${input} (${INPUT_NAMES[inputFormat]}) to ${output} (${writer.description}, ${options.format === undefined ? writer.suffixes.join(' / ') : `--format ${options.format}`}${details(options)}): ${model.className} '${model.name}', ${model.countParams().toLocaleString('en-US')} params`,
  );
}
