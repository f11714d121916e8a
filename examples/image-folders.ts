// Seed 004's data steps in TypeScript: split a folder of class subfolders (cats/, dogs/ ...) into train/validation/
// test, preview the augmentation the seed's ImageDataGenerator applied (rotation, shifts, horizontal flip) as a grid
// PNG, build the three datasets (augmentation on the training one only, as in the seed; pixels scaled by 1/255),
// then train a small CNN briefly and evaluate it on the test split.
// Run: npx tsx examples/image-folders.ts <photos-folder> [--out work] [--size 64] [--epochs 2]

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import {
  augmentation,
  Conv2D,
  Dense,
  Flatten,
  Input,
  imageDatasetFromDirectory,
  MaxPooling2D,
  RandomFlip,
  RandomRotation,
  RandomTranslation,
  Rescaling,
  Sequential,
  splitFolders,
} from '../src/node.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string', default: 'work' },
    size: { type: 'string', default: '64' },
    epochs: { type: 'string', default: '2' },
  },
});
const photos = positionals[0];
if (!photos) {
  console.error('Usage: npx tsx examples/image-folders.ts <photos-folder with one subfolder per class> [--out work]');
  process.exit(2);
}
const size = Number(values.size);
const splitDir = join(values.out, 'split');

// 1. The seed's os/shutil folder work, done safely: a stratified, seeded split that never overwrites anything.
const report = splitFolders(photos, { out: splitDir, val: 0.15, test: 0.15, seed: 42 });
for (const split of ['train', 'validation', 'test'] as const) {
  const counts = Object.entries(report.counts[split]).map(([name, n]) => `${name} ${n}`);
  console.log(`${split}: ${counts.join(', ')}`);
}

// 2. The seed's ImageDataGenerator(rotation_range=20, width_shift_range=0.1, height_shift_range=0.1,
//    horizontal_flip=True) as layers (fill 'nearest', as ImageDataGenerator fills), previewed on 8 training images.
const augmentLayers = () => [
  new RandomFlip('horizontal', { seed: 1 }),
  new RandomRotation(20 / 360, { fillMode: 'nearest', seed: 2 }),
  new RandomTranslation(0.1, 0.1, { fillMode: 'nearest', seed: 3 }),
];
const options = { imageSize: [size, size] as [number, number], batchSize: 8, seed: 42 };
const preview = await imageDatasetFromDirectory(join(splitDir, 'train'), options);
for await (const batch of preview.map(augmentation(augmentLayers(), { seed: 7 }))) {
  const images = batch.x as { data: Float32Array; shape: number[] };
  const n = images.shape[0]!;
  const grid = new Uint8Array(n * size * size * 3);
  // Side by side in one row: image i's row r goes to grid row r, columns i*size ... (i+1)*size.
  for (let i = 0; i < n; i++)
    for (let r = 0; r < size; r++)
      for (let c = 0; c < size * 3; c++) grid[(r * n * size + i * size) * 3 + c] = images.data[(i * size + r) * size * 3 + c]!;
  const path = join(values.out, 'augmentation-preview.png');
  writeFileSync(
    path,
    await sharp(grid, { raw: { width: n * size, height: size, channels: 3 } })
      .png()
      .toBuffer(),
  );
  console.log(`Augmentation preview: ${path} (${n} images)`);
  break;
}

// 3. Training data augmented in the pipeline; validation and test only resized (the model rescales by 1/255).
const train = (await imageDatasetFromDirectory(join(splitDir, 'train'), { ...options, batchSize: 16 })).map(
  augmentation(augmentLayers(), { seed: 11 }),
);
const validation = await imageDatasetFromDirectory(join(splitDir, 'validation'), { ...options, shuffle: false });
const test = await imageDatasetFromDirectory(join(splitDir, 'test'), { ...options, shuffle: false });
console.log(`Classes: ${test.classNames.join(', ')}`);

const model = new Sequential([
  Input([size, size, 3]),
  new Rescaling(1 / 255),
  new Conv2D(8, 3, { activation: 'relu' }),
  new MaxPooling2D(2),
  new Conv2D(16, 3, { activation: 'relu' }),
  new MaxPooling2D(2),
  new Flatten(),
  new Dense(test.classNames.length, { activation: 'softmax' }),
]);
model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
await model.fit(train, { epochs: Number(values.epochs), validationData: validation, verbose: 2 });
const [loss, accuracy] = (await model.evaluate(test, { verbose: 0 })) as number[];
console.log(`Test loss: ${loss!.toFixed(4)} - test accuracy: ${(100 * accuracy!).toFixed(1)}%`);
