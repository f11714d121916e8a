// Seed 001 in TypeScript: the MNIST digit CNN. Normalise to [0, 1], one-hot labels, categorical cross-entropy + Adam,
// 5 epochs at batch 64, evaluate (the seed reports 99.1%), compare predictions with the true classes, save as .keras.
// Written as the seed's Keras code reads: positional layer arguments, evaluate returning [loss, accuracy].
// Run: npx tsx examples/mnist.ts [epochs]

import { argMax, Conv2D, Dense, Flatten, Input, MaxPooling2D, mnist, normalize, Sequential, toCategorical } from '../src/node.js';

const epochs = Number(process.argv[2] ?? 5);
const [[xTrainRaw, yTrainRaw], [xTestRaw, yTestRaw]] = await mnist.loadData();
const xTrain = normalize(xTrainRaw); // (60000, 28, 28, 1) in [0, 1]
const xTest = normalize(xTestRaw);
const yTrain = toCategorical(yTrainRaw, 10); // (60000, 10) one-hot
const yTest = toCategorical(yTestRaw, 10);

const model = new Sequential();
model.add(Input([28, 28, 1]));
model.add(new Conv2D(32, [3, 3], { activation: 'relu' }));
model.add(new MaxPooling2D([2, 2]));
model.add(new Conv2D(64, [3, 3], { activation: 'relu' }));
model.add(new MaxPooling2D([2, 2]));
model.add(new Flatten());
model.add(new Dense(128, { activation: 'relu' }));
model.add(new Dense(10, { activation: 'softmax' }));
model.summary();

model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
await model.fit(xTrain, yTrain, { epochs, batchSize: 64 });

const [loss, accuracy] = (await model.evaluate(xTest, yTest, { verbose: 0 })) as number[];
console.log(`Test loss: ${loss!.toFixed(4)} - test accuracy: ${(100 * accuracy!).toFixed(2)}%`);

// Predicted classes (np.argmax(predictions, axis=1)) against the true ones, and how many test digits are wrong.
const predicted = argMax(await model.predict(xTest, { verbose: 0 })).data;
let wrong = 0;
for (let i = 0; i < predicted.length; i++) if (predicted[i] !== yTestRaw.data[i]) wrong++;
const shown = Array.from({ length: 10 }, (_, i) => `${predicted[i]}/${yTestRaw.data[i]}`);
console.log(`First 10 (predicted/true): ${shown.join(' ')}`);
console.log(`Misclassified: ${wrong} of ${predicted.length}`);

await model.save('mnist_cnn.keras');
console.log('Saved mnist_cnn.keras');
