// The `convkit` command line: parses arguments with commander and calls the library; no logic of its own.
// Each command's module (and through it the library) is imported only when that command runs, so `--help` starts
// at once.

import { Command } from 'commander';
import { numberOption, reportCliError, shapeOption, sizeOption, threadsOption } from './option-values.js';

const count = (flag: string, min = 1) => numberOption(flag, { integer: true, min });
const collect = (value: string, previous: string[]) => [...previous, value];

const program = new Command()
  .name('convkit')
  .description('Build, train, evaluate and run convolutional image classifiers, the Keras way.')
  .option('--backend <name>', "compute backend: 'native' (oneDNN) or 'reference' (TypeScript)")
  .option('--threads <n>', "threads for the native backend (default: adapts to the machine's load)", threadsOption())
  .showHelpAfterError();

program
  .command('train')
  .description(
    'train one of the seed models on MNIST, Fashion-MNIST or a folder of class subfolders (--data) and save it as .keras',
  )
  .option('--dataset <name>', 'mnist | fashion-mnist', 'mnist')
  .option('--data-dir <dir>', 'folder with the dataset IDX files (default: embedded MNIST / the convkit cache)')
  .option(
    '--model <name>',
    'mnist-cnn | fashion-cnn | lenet5 | bn-dropout-cnn | mlp, or with --data a model file (.keras, .h5)',
    'mnist-cnn',
  )
  .option('--epochs <n>', 'training epochs', count('--epochs'), 5)
  .option('--batch-size <n>', 'samples per step', count('--batch-size'), 64)
  .option(
    '--validation-split <f>',
    'fraction of the training data held out for validation',
    numberOption('--validation-split', { min: 0, max: 1, maxExclusive: true }),
    0,
  )
  .option('--lr <rate>', 'learning rate (default: the optimizer default)', numberOption('--lr', { min: 0, minExclusive: true }))
  .option('--optimizer <name>', 'adam | sgd | rmsprop | adamw', 'adam')
  .option('--seed <n>', 'random seed for bit-identical runs', numberOption('--seed', { integer: true, min: 0, max: 2 ** 32 - 1 }))
  .option('--out <path>', 'where to save the trained model (.keras)', 'model.keras')
  .option('--csv <path>', 'also log each epoch to a CSV file')
  .option('--limit <n>', 'train on the first N samples only (quick experiments)', count('--limit'))
  .option('--data <dir>', 'train on images in class subfolders of <dir> instead of --dataset (pixels scaled by 1/255)')
  .option(
    '--image-size <h,w>',
    "with --data: the size images are resized to (default 256,256, or the model file's input)",
    sizeOption('--image-size'),
  )
  .option('--color-mode <mode>', "with --data: grayscale | rgb | rgba (default rgb, or the model file's channels)")
  .option('--dashboard', 'serve a live page of the learning curves (and the diagnosis at the end) while training')
  .option(
    '--port <n>',
    'with --dashboard: its port (0 picks a free one)',
    numberOption('--port', { integer: true, min: 0, max: 65535 }),
    6006,
  )
  .option('--strict', 'with --data: stop at the first unreadable image instead of skipping it with a warning')
  .option(
    '--scale <x>',
    'with --data: pixel multiplier (default 1/255, or 1 when the model starts with Rescaling)',
    numberOption('--scale', {}),
  )
  .option('--offset <x>', 'with --data: added after scaling (default 0)', numberOption('--offset', {}))
  .action(async (options) => (await import('./train.js')).trainCommand({ ...program.opts(), ...options }));

program
  .command('evaluate')
  .description('evaluate a saved model on a dataset test split')
  .argument('<model>', 'a .keras file')
  .option('--dataset <name>', 'mnist | fashion-mnist', 'mnist')
  .option('--data-dir <dir>', 'folder with the dataset IDX files')
  .option('--batch-size <n>', 'samples per step', count('--batch-size'), 32)
  .action(async (model, options) => (await import('./evaluate.js')).evaluateCommand(model, { ...program.opts(), ...options }));

program
  .command('predict')
  .description('classify image files with a saved model')
  .argument('<model>', 'a .keras file')
  .argument('<images...>', 'image files (PNG, JPEG, ...)')
  .option('--top <k>', 'show the K most likely classes', count('--top'), 1)
  .option('--json', 'print one JSON object per image (probabilities in class order and the top label)')
  .option('--labels <file>', 'class names, one per line ("index name" lines as Teachable Machine writes also work)')
  .option('--scale <x>', 'pixel multiplier before the model (default 1/255)', numberOption('--scale', {}))
  .option('--offset <x>', 'added after scaling (default 0)', numberOption('--offset', {}))
  .option('--invert', 'invert grayscale images (black digits on white paper -> MNIST style)')
  .action(async (model, images, options) =>
    (await import('./predict.js')).predictCommand(model, images, { ...program.opts(), ...options }),
  );

program
  .command('summary')
  .description("print a model's Keras-style summary (a .keras file, or a seed model by name)")
  .argument('[model]', 'a .keras file')
  .option('--model <name>', 'a seed model: mnist-cnn | fashion-cnn | lenet5 | bn-dropout-cnn | mlp')
  .option('--input-shape <h,w,c>', 'input shape for --model, e.g. 28,28,1', shapeOption('--input-shape'))
  .option('--flops', 'add FLOPs and activation-memory columns')
  .action(async (model, options) => (await import('./summary.js')).summaryCommand(model, { ...program.opts(), ...options }));

program
  .command('augment-preview')
  .description('write a grid PNG of augmented samples of an image (or of images from a folder)')
  .argument('<input>', 'an image file, or a folder of images')
  .option('--rotation <deg>', 'random rotation up to +-deg degrees', numberOption('--rotation', { min: 0, max: 180 }))
  .option('--shift <f>', 'random shift up to +-f of the width and height', numberOption('--shift', { min: 0, max: 1 }))
  .option('--zoom <f>', 'random zoom in [1-f, 1+f] per axis', numberOption('--zoom', { min: 0, max: 1 }))
  .option('--flip <mode>', 'horizontal | vertical | horizontal_and_vertical')
  .option(
    '--brightness <f>',
    'random brightness offset up to +-f of the 0-255 range',
    numberOption('--brightness', { min: 0, max: 1 }),
  )
  .option('--contrast <f>', 'random contrast factor in [1-f, 1+f]', numberOption('--contrast', { min: 0, max: 1 }))
  .option('--fill-mode <mode>', 'nearest (default, as ImageDataGenerator) | reflect | wrap | constant')
  .option('--samples <n>', 'tiles in the grid', count('--samples'), 9)
  .option('--size <px>', 'tile size (images resized to px x px)', count('--size'), 128)
  .option('--seed <n>', 'random seed', numberOption('--seed', { integer: true, min: 0, max: 2 ** 31 - 8 }), 1)
  .option('--out <path>', 'the PNG to write', 'augment-preview.png')
  .action(async (input, options) =>
    (await import('./augment-preview.js')).augmentPreviewCommand(input, { ...program.opts(), ...options }),
  );

program
  .command('split')
  .description('split a folder of class subfolders into train/validation/test, stratified and reproducible')
  .argument('<src>', 'a folder with one subfolder per class')
  .requiredOption('--out <dst>', 'target folder (made if missing; must be empty unless --force)')
  .option(
    '--val <f>',
    'fraction of each class for validation',
    numberOption('--val', { min: 0, max: 1, maxExclusive: true }),
    0.15,
  )
  .option('--test <f>', 'fraction of each class for test', numberOption('--test', { min: 0, max: 1, maxExclusive: true }), 0.15)
  .option('--seed <n>', 'seed of the per-class shuffle', numberOption('--seed', { integer: true, min: 0, max: 2 ** 32 - 1 }), 42)
  .option('--copy', 'copy the files (default)')
  .option('--move', 'move the files: copy and verify first, delete the sources last')
  .option('--link', 'hard-link the files (same file system only)')
  .option('--dry-run', 'print the plan, write nothing')
  .option('--force', 'allow a non-empty target folder (existing files are still never overwritten)')
  .action(async (src, options) => (await import('./folder-tools.js')).splitCommand(src, options));

program
  .command('dataset-info')
  .description('describe an image folder: classes, counts, sizes, formats, unreadable files, duplicates, leakage')
  .argument('<dir>', 'a folder of class subfolders, or of train/validation/test folders of class subfolders')
  .option(
    '--imbalance-ratio <r>',
    'warn when largest/smallest class exceeds this',
    numberOption('--imbalance-ratio', { min: 1 }),
    1.5,
  )
  .option('--json', 'print the summary as one JSON object')
  .action(async (dir, options) => (await import('./folder-tools.js')).datasetInfoCommand(dir, options));

program
  .command('serve')
  .description("serve models over HTTP with TensorFlow Serving's REST API (:predict) and a web page to draw or drop images")
  .argument('[model]', 'a model file (.keras ...); or give --model name=path, repeatable')
  .option('--name <name>', 'name of the positional model in URLs (default: its file name)')
  .option('--model <name=path>', 'another model to serve under a name (repeatable)', collect, [])
  .option('--labels <file>', 'class names, one per line (name=file for one model; repeatable)', collect, [])
  .option('--preprocess <mode>', 'images: none | mnist | teachable-machine (name=mode for one model)', collect, [])
  .option('--scale <x>', 'with --preprocess none: pixel multiplier (default 1/255)', numberOption('--scale', {}))
  .option('--offset <x>', 'with --preprocess none: added after scaling (default 0)', numberOption('--offset', {}))
  .option('--port <n>', 'TCP port (0 picks a free one)', numberOption('--port', { integer: true, min: 0, max: 65535 }), 8501)
  .option('--host <address>', 'address to listen on (0.0.0.0 exposes it to the network)', '127.0.0.1')
  .option('--token <t>', 'require "Authorization: Bearer <t>" (or set CONVKIT_SERVE_TOKEN)')
  .option('--max-batch-size <n>', 'rows per batch at most (1 turns batching off)', count('--max-batch-size'), 32)
  .option(
    '--batch-timeout-ms <ms>',
    'how long a request waits for others to batch with',
    numberOption('--batch-timeout-ms', { integer: true, min: 0, max: 10_000 }),
    5,
  )
  .option('--max-body-mb <mb>', 'largest request body accepted', numberOption('--max-body-mb', { min: 0.001, max: 1024 }), 16)
  .option('--request-timeout-ms <ms>', 'answer 503 when a request takes longer', count('--request-timeout-ms'), 30_000)
  .option('--no-web', 'serve the API only, no web page')
  .action(async (model, options) => (await import('./serve.js')).serveCommand(model, { ...program.opts(), ...options }));

// One place reports every failure, including ones that escape the command's promise: a message, exit code 1.
process.on('uncaughtException', reportCliError);
process.on('unhandledRejection', reportCliError);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  reportCliError(error);
}
