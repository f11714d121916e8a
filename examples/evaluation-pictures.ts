// The evaluation pictures of seeds 003 and 004 on Fashion-MNIST (fashion-mnist-evaluation.ts prints the same steps
// as numbers and text; fine-tune-cats-dogs.ts draws seed 004's on its cat and dog photos): seed 003's CNN trained
// with validation_split 0.2 and, as seed 004 trains, EarlyStopping and ReduceLROnPlateau; then the learning curves
// (history_df.plot), the confusion-matrix heatmap (counts and normalised), the scatter of true against predicted
// classes, seed 003's plot_image for item 4000 with its class probabilities, the grid of batch predictions, the top
// losses, Grad-CAM, and all of it with the classification report as one offline HTML page (writeReport).
// Run: npx tsx examples/evaluation-pictures.ts [--data-dir ../shared/data/fashion-mnist] [--epochs 5] [--limit N]
//      [--test-limit N] [--out evaluation]

import { parseArgs } from 'node:util';
import {
  ConfigError,
  confusionMatrixSpec,
  EarlyStopping,
  evaluateClassifier,
  explanationFigure,
  fashionCnn,
  fashionMnist,
  gradCam,
  learningCurvesSpec,
  normalize,
  type Plot,
  predictionGrid,
  probabilityBarsSpec,
  ReduceLROnPlateau,
  saliencyMap,
  savePlot,
  setRandomSeed,
  sliceRows,
  take,
  topLossesGrid,
  trueVsPredictedSpec,
  writeReport,
} from '../src/node.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    epochs: { type: 'string', default: '5' },
    limit: { type: 'string' },
    'test-limit': { type: 'string' },
    out: { type: 'string', default: 'evaluation' },
  },
});
const count = (name: string, fallback: number, max: number) => {
  const n = Number(values[name as keyof typeof values] ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`--${name}: expected a positive integer, received '${n}'.`);
  return Math.min(n, max);
};
const epochs = count('epochs', 5, 1000);
// --limit / --test-limit: the first N training / test images (a quick look; the seed uses 60,000 and 10,000).
const limit = count('limit', 60000, 60000);
const testLimit = count('test-limit', 10000, 10000);
const out = values.out;
const classNames = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

setRandomSeed(42);
const dataDir = values['data-dir'];
const [[xTrain, yTrain], [xTest, yTest]] = await fashionMnist.loadData(dataDir ? { path: dataDir } : {});
const trainImages = normalize(sliceRows(xTrain, 0, limit));
const testImages = normalize(sliceRows(xTest, 0, testLimit));
const testLabels = sliceRows(yTest, 0, testLimit);

const model = fashionCnn();
model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
const history = await model.fit(trainImages, sliceRows(yTrain, 0, limit), {
  epochs,
  validationSplit: 0.2,
  callbacks: [
    new EarlyStopping('val_loss', { patience: 3, restoreBestWeights: true }),
    new ReduceLROnPlateau('val_loss', { factor: 0.5, patience: 1 }),
  ],
});

// The test split, once: accuracy, confusion matrix, classification report, top losses, every prediction.
const evaluation = await evaluateClassifier(model, [testImages, testLabels], { classNames, print: false });
const { yTrue, yPred, probabilities } = evaluation.predictions;
const rowsOf = (values: Float32Array, rows: number[], size: number) => ({
  data: Float32Array.from(rows.flatMap((r) => Array.from(values.subarray(r * size, (r + 1) * size)))),
  shape: [rows.length, size],
});

const saved: string[] = [];
async function save(plot: Plot | Promise<Plot>, name: string): Promise<void> {
  await savePlot(await plot, `${out}/${name}`);
  saved.push(`${out}/${name}`);
}
// history_df[['loss','val_loss']].plot(); history_df[['accuracy','val_accuracy']].plot() (with the best epoch, the
// learning-rate drops and the early stop marked).
await save(learningCurvesSpec(history), 'learning-curves.png');
// Seed 004's heatmap of the confusion matrix, and the same normalised over each true class (each class's recall).
await save(confusionMatrixSpec(evaluation.confusionMatrix, { classNames }), 'confusion-matrix.png');
await save(confusionMatrixSpec(evaluation.confusionMatrix, { classNames, normalize: 'true' }), 'confusion-matrix-normalised.svg');
// Seed 004's scatter of true_classes against predicted_classes (jittered so each cell's count shows).
await save(trueVsPredictedSpec(yTrue, yPred, { classNames }), 'true-vs-predicted.svg');
// Seed 003's plot_image(item, ...): the image, "<predicted> <confidence>% (<true>)", and its class probabilities.
const item = Math.min(4000, testLimit - 1);
const itemProbabilities = rowsOf(probabilities, [item], 10);
await save(
  predictionGrid(take(testImages, [item]), itemProbabilities, [yTrue[item]!], { classNames, tileSize: 160 }),
  'plot-image.png',
);
await save(probabilityBarsSpec(itemProbabilities.data, { classNames, trueClass: yTrue[item]! }), 'plot-value-array.svg');
// Seed 004's batch prediction: a grid of the first 15 test images, green right and red wrong.
const batch = Array.from({ length: Math.min(15, testLimit) }, (_, i) => i);
await save(
  predictionGrid(take(testImages, batch), rowsOf(probabilities, batch, 10), yTrue.subarray(0, batch.length), { classNames }),
  'batch-predictions.png',
);
// Beyond the seeds: the worst predictions, and where the CNN looks (Grad-CAM) for two right and two wrong answers.
const worst = evaluation.topLosses.slice(0, 10);
await save(
  topLossesGrid(
    take(
      testImages,
      worst.map((w) => w.index),
    ),
    worst.map((w, k) => ({ ...w, index: k })),
    { classNames },
  ),
  'top-losses.png',
);
const right = batch.filter((i) => yTrue[i] === yPred[i]).slice(0, 2);
const explained = [...right, ...worst.slice(0, 2).map((w) => w.index)].map((row) => {
  const image = take(testImages, [row]);
  return {
    image,
    gradCam: gradCam(model, image, { classIndex: yPred[row]! }),
    saliency: saliencyMap(model, image, { classIndex: yPred[row]! }),
    caption: [{ text: `${classNames[yPred[row]!]} (${classNames[yTrue[row]!]})` }],
  };
});
await save(explanationFigure(explained, { classNames }), 'grad-cam.png');

// Everything above on one page that opens offline, with the classification report and the diagnosis.
const report = await writeReport(`${out}/report`, {
  model,
  evaluation,
  loadImages: async (rows) => take(testImages, rows),
  history,
  meta: [`Fashion-MNIST: seed 003's CNN, ${limit} training images (20% for validation), ${testLimit} test images`],
});
console.log(`test accuracy: ${(100 * evaluation.accuracy).toFixed(2)}%`);
console.log(`Saved ${saved.join(', ')}`);
console.log(`Report: ${report}`);
