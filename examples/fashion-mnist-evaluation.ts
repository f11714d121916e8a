// Seed 003's evaluation steps, and what the seed leaves to sklearn and to the reader: train the small Fashion-MNIST
// CNN with validation_split 0.2, read the learning curves as numbers and a diagnosis (overfitting? underfitting?,
// seed 002's advice), evaluate on train and test, look at one prediction (plot_image's caption, in text), then the
// confusion matrix, the classification report, the most-confused classes and the worst predictions.
// Run: npx tsx examples/fashion-mnist-evaluation.ts [--data-dir ../shared/data/fashion-mnist] [--epochs 3]
//      [--limit N] [--test-limit N]

import { parseArgs } from 'node:util';
import {
  argMax,
  diagnose,
  evaluateClassifier,
  fashionCnn,
  fashionMnist,
  formatDiagnosis,
  normalize,
  sliceRows,
  take,
} from '../src/node.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    epochs: { type: 'string', default: '3' },
    limit: { type: 'string' },
    'test-limit': { type: 'string' },
  },
});
const epochs = Number(values.epochs);
// --limit / --test-limit: the first N training / test images only (a quick look; the seed uses 60,000 and 10,000).
const limit = Math.min(Number(values.limit ?? 60000), 60000);
const testLimit = Math.min(Number(values['test-limit'] ?? 10000), 10000);
const classNames = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

const dataDir = values['data-dir'];
const [[xTrainRaw, yTrainRaw], [xTestRaw, yTestRaw]] = await fashionMnist.loadData(dataDir ? { path: dataDir } : {});
const trainImages = sliceRows(normalize(xTrainRaw), 0, limit);
const trainLabels = sliceRows(yTrainRaw, 0, limit);
const testImages = sliceRows(normalize(xTestRaw), 0, testLimit);
const testLabels = sliceRows(yTestRaw, 0, testLimit);

const model = fashionCnn();
model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
// fit prints the diagnosis after training; it is printed again below from the history, as a report would.
const history = await model.fit(trainImages, trainLabels, { epochs, validationSplit: 0.2, diagnose: false });

// history_df[['loss','val_loss']].plot() / [['accuracy','val_accuracy']].plot(), as a table.
console.log('\nepoch  loss    val_loss  accuracy  val_accuracy');
const h = history.history;
h.loss!.forEach((loss, e) => {
  console.log(
    `${String(e + 1).padStart(5)}  ${loss.toFixed(4)}  ${h.val_loss![e]!.toFixed(4)}    ${h.accuracy![e]!.toFixed(4)}    ${h.val_accuracy![e]!.toFixed(4)}`,
  );
});
console.log(`\n${formatDiagnosis(diagnose(history))}\n`);

// Validação: train_loss, train_acc = model.evaluate(...); test_loss, test_acc = model.evaluate(...)
await model.evaluate(trainImages, trainLabels, { verbose: 2 });
await model.evaluate(testImages, testLabels, { verbose: 2 });

// One prediction, with plot_image's caption: "<predicted> <confidence>% (<true>)", right or wrong.
const item = Math.min(4000, testLimit - 1);
const probabilities = await model.predict(take(testImages, [item]), { verbose: 0 });
const predicted = argMax(probabilities).data[0]!;
const label = testLabels.data[item]!;
const confidence = (100 * probabilities.data[predicted]!).toFixed(0);
console.log(`\nClasse predita foi ${predicted} com ${confidence}%. Classe correta é ${label}, ${classNames[label]}.`);
console.log(`${classNames[predicted]} ${confidence}% (${classNames[label]}): ${predicted === label ? 'right' : 'wrong'}\n`);

// Beyond the seed: the confusion matrix, sklearn's classification report, the most-confused pairs, top losses.
const result = await evaluateClassifier(model, [testImages, testLabels], { classNames, topLosses: 5, mostConfused: 5 });
console.log(
  `\nThe model confuses ${result.mostConfused[0]?.trueName ?? '-'} with ${result.mostConfused[0]?.predictedName ?? '-'} most.`,
);
