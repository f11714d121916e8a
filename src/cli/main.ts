// The `convkit` command line: parses arguments with commander and calls the library; no logic of its own.
// Each command's module (and through it the library) is imported only when that command runs, so `--help` starts
// at once.

import { Command, Option } from 'commander';
import { numberOption, reportCliError, shapeOption, sizeOption, threadsOption } from './option-values.js';

const count = (flag: string, min = 1) => numberOption(flag, { integer: true, min });
/** The training-data flags of cv and tune (their options extend TrainingDataOptions). */
function withTrainingData(command: Command): Command {
  return command
    .option('--dataset <name>', 'mnist | fashion-mnist', 'mnist')
    .option('--data-dir <dir>', 'folder with the dataset IDX files')
    .option('--data <dir>', 'a folder of class subfolders instead of --dataset (pixels scaled by 1/255)')
    .option('--image-size <h,w>', 'with --data: the size images are resized to', sizeOption('--image-size'), [64, 64])
    .option('--color-mode <mode>', 'with --data: grayscale | rgb | rgba', 'rgb');
}
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
  .option('--report <dir>', 'after training, write the HTML evaluation report (curves, diagnosis, confusion matrix, Grad-CAM)')
  .action(async (options) => (await import('./train.js')).trainCommand({ ...program.opts(), ...options }));

program
  .command('evaluate')
  .description(
    'evaluate a saved classifier on a dataset test split or an image folder: loss, accuracy, confusion matrix, classification report, top losses',
  )
  .argument('<model>', 'a model file (.keras, .h5, TF.js model.json)')
  .option('--dataset <name>', 'mnist | fashion-mnist', 'mnist')
  .option('--data-dir <dir>', 'folder with the dataset IDX files')
  .option('--data <dir>', 'evaluate on images in class subfolders of <dir> instead of --dataset')
  .option('--batch-size <n>', 'samples per step', count('--batch-size'), 32)
  .option('--top-k <k>', 'k of the top-k accuracy', count('--top-k'), 5)
  .option(
    '--threshold <p>',
    'binary (one sigmoid output) models: class 1 above this',
    numberOption('--threshold', { min: 0, max: 1 }),
    0.5,
  )
  .option('--limit <n>', 'evaluate on N samples only (the first N of --dataset; a seeded random N of --data)', count('--limit'))
  .option('--labels <file>', "class names in the model's output order (default: labels.txt beside the model, if any)")
  .option('--preprocess <name>', 'with --data: teachable-machine (centre crop, x/127.5 - 1) | mnist | none')
  .option('--scale <x>', 'with --data: pixel multiplier before the model (default 1/255)', numberOption('--scale', {}))
  .option('--offset <x>', 'with --data: added after scaling (default 0)', numberOption('--offset', {}))
  .option('--json', 'print only one line: the result as a JSON object')
  .action(async (model, options) => (await import('./evaluate.js')).evaluateCommand(model, { ...program.opts(), ...options }));

program
  .command('predict')
  .description('classify image files with a saved model')
  .argument('<model>', 'a .keras file')
  .argument('<images...>', 'image files (PNG, JPEG, ...)')
  .option('--top <k>', 'show the K most likely classes', count('--top'), 1)
  .option('--json', 'print one JSON object per image (probabilities in class order and the top label)')
  .option('--labels <file>', "class names in the model's output order (default: labels.txt beside the model, if any)")
  .option('--preprocess <name>', 'teachable-machine (centre crop, x/127.5 - 1) | mnist (grayscale, x/255) | none (0..255)')
  .option('--scale <x>', 'pixel multiplier before the model (default 1/255)', numberOption('--scale', {}))
  .option('--offset <x>', 'added after scaling (default 0)', numberOption('--offset', {}))
  .option('--invert', 'invert grayscale images (black digits on white paper -> MNIST style)')
  .action(async (model, images, options) =>
    (await import('./predict.js')).predictCommand(model, images, { ...program.opts(), ...options }),
  );

program
  .command('finetune')
  .description('fine-tune a pretrained model (Keras / Teachable Machine file) on image folders, as seed 004 does')
  .requiredOption('--base <model>', 'the pretrained model file (keras_model.h5, .keras)')
  .requiredOption('--data <dir>', 'a folder with train/ and validation/ (and optionally test/), one subfolder per class')
  .option('--replace-head', "replace the classifier by a new Dense softmax over the data's class folders")
  .option('--feature-layer <name>', 'with --replace-head: the last base layer to keep (default: the one before the Dense head)')
  .option('--unfreeze <n>', 'train the last N layers, counted as Keras counts model.layers', count('--unfreeze', 0), 5)
  .option('--unfreeze-layers <names>', 'also train these layers (comma-separated names)')
  .option('--lr <rate>', "Adam's learning rate", numberOption('--lr', { min: 0, minExclusive: true }), 1e-5)
  .option(
    '--head-epochs <n>',
    'with --replace-head: first train the new head alone for N epochs (then the unfrozen layers)',
    count('--head-epochs', 0),
  )
  .option(
    '--head-lr <rate>',
    "Adam's learning rate for --head-epochs (default: 0.001)",
    numberOption('--head-lr', { min: 0, minExclusive: true }),
  )
  .option(
    '--freeze-batchnorm',
    "keep BatchNormalization layers frozen (moving statistics) even when unfrozen, as Keras's guide does",
  )
  .option('--epochs <n>', 'at most this many epochs (EarlyStopping may stop sooner)', count('--epochs'), 10)
  .option('--batch-size <n>', 'samples per step', count('--batch-size'), 32)
  .option(
    '--seed <n>',
    'random seed (shuffling, augmentation, new weights)',
    numberOption('--seed', { integer: true, min: 0, max: 2 ** 32 - 1 }),
  )
  .option('--image-size <h,w>', "input size (default and only accepted value: the base's)", sizeOption('--image-size'))
  .option('--preprocess <name>', 'teachable-machine | mnist | none', 'teachable-machine')
  .option('--augment <spec>', 'training augmentation, e.g. flip,rotation=0.1,zoom=0.1,translation=0.1 (default none)')
  .option('--out <path>', 'where to save the best model (.keras, or .h5 as Keras 2)', 'best.keras')
  .option('--labels-out <path>', 'also write the class names as labels.txt ("index name" lines)')
  .option('--cache', 'keep decoded images in memory after the first epoch (faster; 150 KB per 224x224 image)')
  .option('--report <dir>', 'at the end, write the HTML evaluation report of the best model (on test/, else validation/)')
  .action(async (options) => (await import('./finetune.js')).finetuneCommand({ ...program.opts(), ...options }));

program
  .command('summary')
  .description("print a model's Keras-style summary (a model or weights file, or a seed model by name)")
  .argument('[model]', 'a model file (.keras, Keras .h5, TF.js model.json) or a weights-only .h5')
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
  .command('convert')
  .description('convert a model file to the format the output names (.keras, .h5, .weights.h5, .onnx, a TF.js folder/)')
  .argument('<in>', 'a model file: .keras, Keras .h5 (e.g. Teachable Machine keras_model.h5), TF.js model.json')
  .argument(
    '<out>',
    'output: .keras (Keras 3), .h5 (Keras legacy full model), .weights.h5 (weights only), .onnx (ONNX, opset 13) or a folder ending in / (TF.js layers model)',
  )
  .option('--no-optimizer', 'leave out the compile settings and optimizer state')
  .addOption(
    new Option('--format <name>', 'the output format whatever its extension (tfjs: a folder)').choices([
      'keras',
      'h5',
      'onnx',
      'tfjs',
    ]),
  )
  .option(
    '--opset <n>',
    'ONNX output: operator set, 13 to 21 (default 13)',
    numberOption('--opset', { integer: true, min: 13, max: 21, hint: '13 is read by every current ONNX runtime' }),
  )
  .addOption(
    new Option('--quantize <type>', 'TF.js output: quantized weights, 4x (uint8) or 2x smaller (default float32)').choices([
      'uint8',
      'uint16',
      'float16',
    ]),
  )
  .action(async (input, output, options) =>
    (await import('./convert.js')).convertCommand(input, output, { ...program.opts(), ...options }),
  );

program
  .command('diagnose')
  .description(
    'diagnose a training run from its CSVLogger file: overfitting, underfitting, healthy, not yet converged or diverging',
  )
  .argument('<history>', "the CSV file written by CSVLogger (convkit train --csv, or Keras's CSVLogger)")
  .option('--json', 'print the diagnosis as one JSON object')
  .action(async (history, options) => (await import('./diagnose.js')).diagnoseCommand(history, options));

program
  .command('params')
  .description("compare two models' parameter counts (seed 003): the seed's MLP and CNN, or two saved model files")
  .requiredOption('--compare <a,b>', "'mlp,cnn' (Flatten + Dense(100) vs Conv2D(100, 3x3)) or two model files 'a.keras,b.keras'")
  .option('--input-shape <h,w,c>', 'input shape for mlp,cnn (default 400,600,3)', shapeOption('--input-shape'))
  .option('--json', 'print the comparison as one JSON object')
  .action(async (options) => (await import('./params.js')).paramsCommand({ ...program.opts(), ...options }));

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
  .option(
    '--labels <file>',
    'class names, one per line (name=file for one model; repeatable; default: labels.txt beside the model)',
    collect,
    [],
  )
  .option('--preprocess <mode>', 'images: none | mnist | teachable-machine (name=mode for one model)', collect, [])
  .option('--scale <x>', 'with --preprocess none: pixel multiplier (default 1/255)', numberOption('--scale', {}))
  .option('--offset <x>', 'with --preprocess none: added after scaling (default 0)', numberOption('--offset', {}))
  .option('--port <n>', 'TCP port (0 picks a free one)', numberOption('--port', { integer: true, min: 0, max: 65535 }), 8501)
  .option('--host <address>', 'address to listen on (0.0.0.0 exposes it to the network)', '127.0.0.1')
  .option('--token <t>', 'require "Authorization: Bearer <t>" (or set CONVKIT_SERVE_TOKEN)')
  .option(
    '--max-batch-size <n>',
    'rows per batch at most, 1 turns batching off (default 32, fewer for large models: 4 for MobileNetV2 at 224x224)',
    count('--max-batch-size'),
  )
  .option(
    '--batch-timeout-ms <ms>',
    'how long an idle model waits for more requests to batch (0: none; requests arriving while it is busy still batch)',
    numberOption('--batch-timeout-ms', { integer: true, min: 0, max: 10_000 }),
    0,
  )
  .option('--max-body-mb <mb>', 'largest request body accepted', numberOption('--max-body-mb', { min: 0.001, max: 1024 }), 16)
  .option('--request-timeout-ms <ms>', 'answer 503 when a request takes longer', count('--request-timeout-ms'), 30_000)
  .option('--no-web', 'serve the API only, no web page')
  .action(async (model, options) => (await import('./serve.js')).serveCommand(model, { ...program.opts(), ...options }));

program
  .command('explain')
  .description('show why a model classified an image: Grad-CAM (or saliency) over the image, as PNG (or an SVG figure)')
  .argument('<model>', 'a model file (.keras, .h5)')
  .argument('<image>', 'an image file (PNG, JPEG, ...)')
  .requiredOption('--out <file>', 'cam.png: the heatmap over the image; cam.svg: image, Grad-CAM and saliency side by side')
  .option('--class <n|name>', 'the class to explain (default: the predicted one); a name needs --labels')
  .option('--layer <name>', 'Grad-CAM layer (default: the last convolution, after its batch norm / activation)')
  .option('--method <name>', 'gradcam | saliency (for .png)', 'gradcam')
  .option('--labels <file>', "class names in the model's output order (default: labels.txt beside the model, if any)")
  .option('--preprocess <name>', 'teachable-machine (centre crop, x/127.5 - 1) | mnist | none, as predict')
  .option('--scale <x>', 'pixel multiplier before the model (default 1/255)', numberOption('--scale', {}))
  .option('--offset <x>', 'added after scaling (default 0)', numberOption('--offset', {}))
  .option('--invert', 'invert grayscale images (black digits on white paper -> MNIST style)')
  .option('--alpha <a>', 'heatmap opacity over the image', numberOption('--alpha', { min: 0, max: 1 }), 0.4)
  .option('--size <px>', 'longest side of the picture (default: the image size, at least 224)', count('--size', 8))
  .action(async (model, image, options) =>
    (await import('./explain.js')).explainCommand(model, image, { ...program.opts(), ...options }),
  );

program
  .command('report')
  .description('evaluate a model and write one offline HTML page: summary, curves, diagnosis, confusion matrix, grids, Grad-CAM')
  .argument('<model>', 'a model file (.keras, .h5, TF.js model.json)')
  .requiredOption('--out <dir>', 'the report folder (new, empty, or an earlier report, which is replaced)')
  .option('--dataset <name>', 'mnist | fashion-mnist (the test split)', 'mnist')
  .option('--data-dir <dir>', 'folder with the dataset IDX files')
  .option('--data <dir>', 'evaluate on images in class subfolders of <dir> instead of --dataset')
  .option('--history <csv>', "the training's CSVLogger file (train --csv): learning curves and the diagnosis")
  .option('--labels <file>', "class names in the model's output order (default: labels.txt beside the model, if any)")
  .option('--preprocess <name>', 'with --data: teachable-machine (centre crop, x/127.5 - 1) | mnist | none')
  .option('--scale <x>', 'with --data: pixel multiplier before the model (default 1/255)', numberOption('--scale', {}))
  .option('--offset <x>', 'with --data: added after scaling (default 0)', numberOption('--offset', {}))
  .option('--limit <n>', 'evaluate on N samples only (the first N of --dataset; a seeded random N of --data)', count('--limit'))
  .option('--batch-size <n>', 'samples per step', count('--batch-size'), 64)
  .option('--title <text>', 'the page title (default: "Evaluation report: <model name>")')
  .action(async (model, options) => (await import('./report.js')).reportCommand(model, { ...program.opts(), ...options }));

withTrainingData(
  program
    .command('cv')
    .description("k-fold cross-validation of a seed model (or a model file's architecture): per-fold metrics and mean ± std"),
)
  .option(
    '--model <name|file>',
    'a seed model name or a model file: .keras, .h5, TF.js model.json (its architecture, fresh weights per fold)',
    'mnist-cnn',
  )
  .option('--folds <k>', 'number of folds', count('--folds', 2), 5)
  .option('--no-stratified', 'plain k-fold instead of keeping class proportions in every fold')
  .option('--limit <n>', 'use the first N training samples only', count('--limit'))
  .option('--epochs <n>', 'training epochs per fold', count('--epochs'), 3)
  .option('--batch-size <n>', 'samples per step', count('--batch-size'), 64)
  .option('--lr <rate>', 'learning rate (default: the optimizer default)', numberOption('--lr', { min: 0, minExclusive: true }))
  .option('--optimizer <name>', 'adam | sgd | rmsprop | adamw', 'adam')
  .option(
    '--seed <n>',
    'seed of the folds and of every fold model',
    numberOption('--seed', { integer: true, min: 0, max: 2 ** 32 - 1 }),
  )
  .option('--out <dir>', 'write cv.json (metrics, histories) and cv.csv there')
  .option(
    '--report <dir>',
    'write the HTML report of the out-of-fold predictions (every sample scored by the fold that held it out)',
  )
  .action(async (options) => (await import('./cv.js')).cvCommand({ ...program.opts(), ...options }));

withTrainingData(
  program
    .command('tune')
    .description(
      'hyperparameter search (random, grid, hyperband) over a model template or file; prints a leaderboard, saves the best',
    )
    .requiredOption(
      '--space <file>',
      'search space, JSON or YAML: { "lr": { "type": "loguniform", "min": 1e-4, "max": 1e-2 }, ... }',
    )
    .requiredOption('--out <dir>', 'folder for search.json, trials.jsonl/csv, best.json, best.keras (re-run to resume)'),
)
  .option(
    '--model <template|file>',
    'mnist-cnn | bn-dropout-cnn (lr, optimizer, batchSize, filters, dropout, denseUnits, l2, kernelSize) | fashion-cnn | lenet5 | mlp (lr, optimizer, batchSize), or a model file (.keras, .h5, model.json: lr, optimizer, batchSize, <layer>.<key> such as dropout.rate)',
    'mnist-cnn',
  )
  .option('--strategy <name>', 'random | grid | hyperband', 'random')
  .option('--trials <n>', 'configurations to try (grid: default all points)', count('--trials'))
  .option('--epochs <n>', 'epochs per trial (hyperband: the most a configuration gets)', count('--epochs'), 3)
  .option('--eta <n>', 'hyperband: keep the best 1/eta at each rung', count('--eta', 2), 3)
  .option('--objective <metric>', 'metric to optimise after the last epoch (min for losses, max otherwise)', 'val_accuracy')
  .option(
    '--validation-split <f>',
    'fraction of the (limited) training data held out to score trials',
    numberOption('--validation-split', { min: 0, max: 1, minExclusive: true, maxExclusive: true }),
    0.2,
  )
  .option('--limit <n>', 'use the first N training samples only', count('--limit'))
  .option(
    '--seed <n>',
    'search seed: trials and their training are reproducible from it',
    numberOption('--seed', { integer: true, min: 0, max: 2 ** 32 - 1 }),
  )
  .option('--baseline', "also train the template's defaults (or the model file as saved) as trial 'baseline'")
  .option('--parallel <k>', 'trials at once in worker threads (each with cores/k compute threads)', count('--parallel'), 1)
  .option('--queue <url>', 'send trials to `convkit tune-worker` processes through Redis (redis://host:port)')
  .action(async (options) => (await import('./tune.js')).tuneCommand({ ...program.opts(), ...options }));

program
  .command('tune-worker')
  .description('take `convkit tune --queue` trials from Redis and train them (run any number, on any machines)')
  .requiredOption('--queue <url>', 'the Redis server the tune command uses (redis://host:port)')
  .option('--data-dir <dir>', "this machine's copy of the data (replaces the folder named by the tune command)")
  .option(
    '--lock-duration <ms>',
    'how long a silent worker keeps its trial before another may take it',
    count('--lock-duration', 100),
    30000,
  )
  .action(async (options) => (await import('./tune-worker.js')).tuneWorkerCommand({ ...program.opts(), ...options }));

// One place reports every failure, including ones that escape the command's promise: a message, exit code 1.
process.on('uncaughtException', reportCliError);
process.on('unhandledRejection', reportCliError);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  reportCliError(error);
}
