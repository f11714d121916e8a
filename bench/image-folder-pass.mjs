// Child process of bench/image-folder.ts: passes over an image folder with convkit's compiled
// imageDatasetFromDirectory (dist/, so no TypeScript loader in the measured memory) and prints one JSON line with
// each epoch's images and seconds. Usage: node bench/image-folder-pass.mjs <folder> <height> <width> <epochs>
// [none|memory|<cache file>]
import { imageDatasetFromDirectory } from '../dist/node.js';

const [folder, height, width, epochs, cache = 'none'] = process.argv.slice(2);
const dataset = await imageDatasetFromDirectory(folder, { imageSize: [Number(height), Number(width)], batchSize: 32, seed: 1 });
if (cache === 'memory') dataset.cache();
else if (cache !== 'none') dataset.cache(cache);
const passes = [];
for (let e = 0; e < Number(epochs); e++) {
  const start = performance.now();
  let images = 0;
  for await (const batch of dataset) images += batch.x.shape[0];
  passes.push({ images, seconds: (performance.now() - start) / 1000 });
}
console.log(JSON.stringify(passes));
