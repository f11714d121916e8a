// The `convkit` command line: parses arguments with commander and calls the library; no logic of its own.
// Each command's module (and through it the library) is imported only when that command runs, so `--help` starts
// at once.

import { Command, InvalidArgumentError } from 'commander';
import pc from 'picocolors';
import { ConvkitError } from '../errors.js';

function integer(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} must be an integer >= ${min}, received '${value}'.`);
    return n;
  };
}

function fraction(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0 || n >= 1)
      throw new InvalidArgumentError(`${name} must be a number in [0, 1), received '${value}'.`);
    return n;
  };
}

function positive(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number, received '${value}'.`);
    return n;
  };
}

const program = new Command()
  .name('convkit')
  .description('Build, train, evaluate and run convolutional image classifiers, the Keras way.')
  .option('--backend <name>', "compute backend: 'native' (oneDNN) or 'reference' (TypeScript)")
  .option('--threads <n>', "threads for the native backend (default: adapts to the machine's load)", integer('--threads', 1))
  .showHelpAfterError();

program
  .command('train')
  .description('train one of the seed models on MNIST or Fashion-MNIST and save it as .keras')
  .option('--dataset <name>', 'mnist | fashion-mnist', 'mnist')
  .option('--data-dir <dir>', 'folder with the dataset IDX files (default: embedded MNIST / the convkit cache)')
  .option('--model <name>', 'mnist-cnn | fashion-cnn | lenet5 | bn-dropout-cnn | mlp', 'mnist-cnn')
  .option('--epochs <n>', 'training epochs', integer('--epochs', 1), 5)
  .option('--batch-size <n>', 'samples per step', integer('--batch-size', 1), 64)
  .option('--validation-split <f>', 'fraction of the training data held out for validation', fraction('--validation-split'), 0)
  .option('--lr <rate>', 'learning rate (default: the optimizer default)', positive('--lr'))
  .option('--optimizer <name>', 'adam | sgd | rmsprop | adamw', 'adam')
  .option('--seed <n>', 'random seed for bit-identical runs', integer('--seed', 0))
  .option('--out <path>', 'where to save the trained model (.keras)', 'model.keras')
  .option('--csv <path>', 'also log each epoch to a CSV file')
  .option('--limit <n>', 'train on the first N samples only (quick experiments)', integer('--limit', 1))
  .action(async (options) => (await import('./train.js')).trainCommand({ ...program.opts(), ...options }));

program
  .command('evaluate')
  .description('evaluate a saved model on a dataset test split')
  .argument('<model>', 'a .keras file')
  .option('--dataset <name>', 'mnist | fashion-mnist', 'mnist')
  .option('--data-dir <dir>', 'folder with the dataset IDX files')
  .option('--batch-size <n>', 'samples per step', integer('--batch-size', 1), 32)
  .action(async (model, options) => (await import('./evaluate.js')).evaluateCommand(model, { ...program.opts(), ...options }));

program
  .command('predict')
  .description('classify image files with a saved model')
  .argument('<model>', 'a .keras file')
  .argument('<images...>', 'image files (PNG, JPEG, ...)')
  .option('--top <k>', 'show the K most likely classes', integer('--top', 1), 1)
  .option('--json', 'print one JSON object per image (probabilities in class order and the top label)')
  .option('--labels <file>', 'class names, one per line ("index name" lines as Teachable Machine writes also work)')
  .option('--scale <x>', 'pixel multiplier before the model (default 1/255)', Number)
  .option('--offset <x>', 'added after scaling (default 0)', Number)
  .option('--invert', 'invert grayscale images (black digits on white paper -> MNIST style)')
  .action(async (model, images, options) =>
    (await import('./predict.js')).predictCommand(model, images, { ...program.opts(), ...options }),
  );

program
  .command('summary')
  .description("print a model's Keras-style summary (a .keras file, or a seed model by name)")
  .argument('[model]', 'a .keras file')
  .option('--model <name>', 'a seed model: mnist-cnn | fashion-cnn | lenet5 | bn-dropout-cnn | mlp')
  .option('--input-shape <h,w,c>', 'input shape for --model, e.g. 28,28,1')
  .option('--flops', 'add FLOPs and activation-memory columns')
  .action(async (model, options) => (await import('./summary.js')).summaryCommand(model, { ...program.opts(), ...options }));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message =
    error instanceof ConvkitError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${pc.red('error')}: ${message}\n`);
  process.exitCode = 1;
}
