// Seed 004 in TypeScript: re-training (fine-tuning) a pretrained Teachable Machine model to tell dogs from cats.
// Load the Keras 2 .h5 (no DepthwiseConv2D 'groups' workaround needed: convkit reads it as it is), folder datasets
// for train / validation / test at 224x224 with augmentation on train only, freeze everything, unfreeze the last 5
// layers, recompile at learning rate 1e-5, train with EarlyStopping, ReduceLROnPlateau and ModelCheckpoint, show
// the learning curves, evaluate on test (accuracy, confusion matrix, classification report, predicted vs true),
// then predict one image ("Cachorro" / "Gato") and a batch shown as a grid. Printed as text and drawn as SVG files
// (learning-curves.svg, confusion-matrix.svg, true-vs-predicted.svg, predictions.svg) in the current folder.
// Run: npx tsx examples/fine-tune-cats-dogs.ts [--base keras_model.h5] [--data cats-dogs] [--epochs 10]

import { parseArgs } from 'node:util';
import {
  Adam,
  argMax,
  confusionMatrixSpec,
  EarlyStopping,
  flattenModel,
  freeze,
  Input,
  imageDatasetFromDirectory,
  inlineModel,
  learningCurvesSpec,
  loadImagesFor,
  loadModel,
  Model,
  ModelCheckpoint,
  predictionGrid,
  RandomFlip,
  RandomRotation,
  RandomTranslation,
  ReduceLROnPlateau,
  savePlot,
  scaledDataset,
  trueVsPredictedSpec,
  unfreeze,
} from '../src/node.js';

const { values: args } = parseArgs({
  options: {
    base: { type: 'string', default: '../shared/data/teachable-machine/cat-dog-11Maximus11/keras_model.h5' },
    data: { type: 'string', default: '../shared/data/cats-dogs' },
    epochs: { type: 'string', default: '10' },
  },
});
const epochs = Number(args.epochs);

// 1. The pretrained model (Teachable Machine: MobileNetV2 0.35 inside nested models, then Dense 100, Dense 2).
const pretrained = await loadModel(args.base!, { compile: false });
pretrained.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
pretrained.summary();

// 2. Folder datasets. Teachable Machine models expect the centre crop resized to 224x224, scaled to [-1, 1].
const size: [number, number] = [224, 224];
const folder = (split: string, shuffle: boolean) =>
  imageDatasetFromDirectory(`${args.data}/${split}`, {
    imageSize: size,
    batchSize: 32,
    labelMode: 'categorical',
    cropToAspectRatio: true,
    shuffle,
    seed: 1,
  });
const [trainFolder, validationFolder, testFolder] = await Promise.all([
  folder('train', true),
  folder('validation', false),
  folder('test', false),
]);
const toMinusOneOne = (ds: Awaited<ReturnType<typeof folder>>) => scaledDataset(ds, 1 / 127.5, -1);
console.log(
  `Classes: ${trainFolder.classNames.join(', ')} (train ${trainFolder.filePaths.length}, validation ${validationFolder.filePaths.length}, test ${testFolder.filePaths.length} images)`,
);

// Augmentation on the training images only (the generator's rotation, shifts and horizontal flip): layers right
// after the input act while training and are identity in evaluate/predict.
const input = Input([224, 224, 3]);
let x = new RandomRotation(20 / 360, { fillMode: 'nearest' }).apply(input);
x = new RandomTranslation(0.1, 0.1, { fillMode: 'nearest' }).apply(x);
x = new RandomFlip('horizontal').apply(x);
// Keras's model.layers of this file lists its two nested models only, so the seed's layers[-5:] unfroze everything;
// flattened, the last 5 are real layers: Conv_1_bn, out_relu, the pooling and the two Dense layers of the head.
const flat = flattenModel(pretrained);
const model = new Model(input, inlineModel(flat, [x]), { name: 'fine_tuned' });

// 3. Fine-tuning: freeze every layer, unfreeze the last 5, recompile with a small learning rate.
freeze(model);
const unfrozen = unfreeze(model, { last: 5 });
console.log(`Trainable layers: ${unfrozen.map((l) => l.name).join(', ')}`);
model.compile({ optimizer: new Adam(1e-5), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

// 4. Callbacks as in the notebook: stop after 5 epochs without improvement, halve the learning rate after 3, keep the best.
const callbacks = [
  new EarlyStopping('val_loss', { patience: 5, restoreBestWeights: true }),
  new ReduceLROnPlateau('val_accuracy', { factor: 0.5, patience: 3, verbose: 1 }),
  new ModelCheckpoint('fine_tuned_model.h5', { monitor: 'val_accuracy', saveBestOnly: true, verbose: 1 }),
];
const history = await model.fit(toMinusOneOne(trainFolder), {
  epochs,
  validationData: toMinusOneOne(validationFolder),
  callbacks,
});

// 5. Learning curves (accuracy and loss per epoch).
console.log('\nepoch  accuracy  val_accuracy  loss    val_loss');
history.epoch.forEach((e, i) => {
  const h = history.history;
  const cell = (key: string) => (h[key]?.[i] ?? Number.NaN).toFixed(4).padStart(8);
  console.log(`${String(e + 1).padStart(5)} ${cell('accuracy')}  ${cell('val_accuracy')}    ${cell('loss')} ${cell('val_loss')}`);
});

await savePlot(learningCurvesSpec(history, { monitor: 'val_accuracy' }), 'learning-curves.svg');

// 6. Evaluation on the test folder: accuracy, confusion matrix, classification report, predicted vs true.
const [, testAccuracy] = (await model.evaluate(toMinusOneOne(testFolder), { verbose: 0 })) as number[];
console.log(`\nTest accuracy: ${(100 * testAccuracy!).toFixed(2)}%`);
const predicted = argMax(await model.predict(toMinusOneOne(testFolder), { verbose: 0 })).data;
const truth = testFolder.labels;
const names = testFolder.classNames;
const confusion = names.map((_, t) => names.map((_, p) => predicted.filter((v, i) => truth[i] === t && v === p).length));
console.log(`Confusion matrix (rows true, columns predicted: ${names.join(', ')}):`);
for (const [t, row] of confusion.entries())
  console.log(`  ${names[t]!.padEnd(6)} ${row.map((v) => String(v).padStart(4)).join(' ')}`);
console.log('Classification report:\n  class   precision  recall  f1-score  support');
for (const [c, name] of names.entries()) {
  const tp = confusion[c]![c]!;
  const support = confusion[c]!.reduce((a, b) => a + b, 0);
  const predictedAs = confusion.reduce((a, row) => a + row[c]!, 0);
  const precision = predictedAs ? tp / predictedAs : 0;
  const recall = support ? tp / support : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  console.log(
    `  ${name.padEnd(6)} ${precision.toFixed(2).padStart(10)} ${recall.toFixed(2).padStart(7)} ${f1.toFixed(2).padStart(9)} ${String(support).padStart(8)}`,
  );
}
console.log(`Predicted vs true (the notebook's scatter): ${Array.from(predicted, (p, i) => `${p}/${truth[i]}`).join(' ')}`);
await savePlot(confusionMatrixSpec(confusion, { classNames: names }), 'confusion-matrix.svg');
await savePlot(trueVsPredictedSpec(truth, predicted, { classNames: names }), 'true-vs-predicted.svg');

// 7. One image, as the notebook's function: load, centre crop to 224x224, scale, predict, answer in Portuguese.
const answer = (probabilities: ArrayLike<number>) => (probabilities[1]! > probabilities[0]! ? 'Cachorro' : 'Gato');
const first = testFolder.filePaths[0]!;
const one = await model.predict(await loadImagesFor(model, [first], { preprocess: 'teachable-machine' }), { verbose: 0 });
console.log(`\n${first}: ${answer(one.data)}`);

// 8. A batch, shown as a grid (2 columns): file name and predicted class with its probability.
const batch = testFolder.filePaths.slice(0, 8);
const probabilities = await model.predict(await loadImagesFor(model, batch, { preprocess: 'teachable-machine' }), { verbose: 0 });
const cells = batch.map((path, i) => {
  const row = probabilities.data.subarray(i * 2, i * 2 + 2);
  return `${path.split('/').pop()!.padEnd(18)} ${answer(row).padEnd(8)} ${(100 * Math.max(row[0]!, row[1]!)).toFixed(1).padStart(5)}%`;
});
for (let i = 0; i < cells.length; i += 2) console.log(cells.slice(i, i + 2).join('   |   '));
// The notebook's picture grid: the photos as the model saw them, framed green when right and red when wrong.
const shown = await loadImagesFor(model, batch, { preprocess: 'teachable-machine' });
const shownLabels = batch.map((path) => testFolder.labels[testFolder.filePaths.indexOf(path)]!);
await savePlot(
  await predictionGrid(shown, probabilities, shownLabels, { classNames: ['Gato', 'Cachorro'], columns: 4, valueRange: [-1, 1] }),
  'predictions.svg',
);
console.log('Saved learning-curves.svg, confusion-matrix.svg, true-vs-predicted.svg and predictions.svg');
