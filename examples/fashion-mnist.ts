// Seed 003 in TypeScript: Fashion-MNIST with the small CNN (validation_split 0.2, learning curves as numbers,
// evaluate on train and test, predict one item), then LeNet-5 and the BatchNormalization + Dropout CNN.
// Run: npx tsx examples/fashion-mnist.ts [--data-dir ../shared/data/fashion-mnist] [--epochs 3] [--limit N]

import { parseArgs } from 'node:util';
import {
  argMax,
  bnDropoutCnn,
  fashionCnn,
  fashionMnist,
  lenet5,
  normalize,
  type Sequential,
  sliceRows,
  take,
} from '../src/node.js';

const { values } = parseArgs({
  options: { 'data-dir': { type: 'string' }, epochs: { type: 'string', default: '3' }, limit: { type: 'string' } },
});
const epochs = Number(values.epochs);
// --limit N trains on the first N images only (a quick look; the seed uses all 60,000).
const limit = Math.min(Number(values.limit ?? 60000), 60000);
const classNames = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

const dataDir = values['data-dir'];
const [[xTrainRaw, yTrainRaw], [xTestRaw, yTestRaw]] = await fashionMnist.loadData(dataDir ? { path: dataDir } : {});
const trainImages = sliceRows(normalize(xTrainRaw), 0, limit); // /255 and reshape(-1, 28, 28, 1)
const testImages = normalize(xTestRaw);
// The uint8 labels go in as they come, as in Keras.
const trainLabels = sliceRows(yTrainRaw, 0, limit);
const testLabels = yTestRaw;

async function trainAndReport(title: string, model: Sequential): Promise<void> {
  console.log(`\n=== ${title} ===`);
  model.summary();
  model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  const history = await model.fit(trainImages, trainLabels, { epochs, validationSplit: 0.2 });
  console.log('epoch  loss    val_loss  accuracy  val_accuracy');
  history.history.loss!.forEach((loss, e) => {
    const h = history.history;
    console.log(
      `${String(e + 1).padStart(5)}  ${loss.toFixed(4)}  ${h.val_loss![e]!.toFixed(4)}    ${h.accuracy![e]!.toFixed(4)}    ${h.val_accuracy![e]!.toFixed(4)}`,
    );
  });
  const [, trainAccuracy] = (await model.evaluate(trainImages, trainLabels, { verbose: 2 })) as number[];
  const [, testAccuracy] = (await model.evaluate(testImages, testLabels, { verbose: 2 })) as number[];
  const gap = trainAccuracy! - testAccuracy!;
  console.log(
    `train accuracy ${trainAccuracy!.toFixed(4)}, test accuracy ${testAccuracy!.toFixed(4)} (gap ${gap.toFixed(4)}${gap > 0.03 ? ': overfitting' : ''})`,
  );

  const item = 4000;
  const probabilities = await model.predict(take(testImages, [item]), { verbose: 0 });
  const predicted = argMax(probabilities).data[0]!;
  const label = testLabels.data[item]!;
  console.log(
    `Classe predita foi ${predicted} com ${(100 * probabilities.data[predicted]!).toFixed(0)}%. Classe correta é ${label}, ${classNames[label]}.`,
  );
}

await trainAndReport('CNN: Conv2D(5) + MaxPool + Dense(120)', fashionCnn());
await trainAndReport('LeNet-5 adapted to 28x28', lenet5());
await trainAndReport('CNN with BatchNormalization and Dropout', bnDropoutCnn());
