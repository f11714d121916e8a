// Seed 003, Desafio 1: parameter counts of an MLP vs a CNN on a 400x600x3 image, with summary() and countParams().
// Weight sharing is the point: 100 filters of 3x3x3 need 2,800 parameters; a Dense(100) on the flattened image
// needs one weight per pixel and unit. Run: npx tsx examples/parameter-comparison.ts

import { Conv2D, Dense, Flatten, MaxPooling2D, Sequential } from '../src/node.js';

const [height, width, channels] = [400, 600, 3];

// The seed's MLP flattens a 400x600 grayscale image: 240,000 inputs x 100 units + 100 biases = 24,000,100.
const grayMlp = new Sequential([new Flatten({ inputShape: [height, width] }), new Dense(100)], { name: 'mlp_gray' });
grayMlp.summary();
// The challenge's 400x600x3 color image triples that.
const mlp = new Sequential([new Flatten({ inputShape: [height, width, channels] }), new Dense(100)], { name: 'mlp' });
mlp.summary();

const cnn = new Sequential(
  [
    new Conv2D(100, [3, 3], { activation: 'relu', inputShape: [height, width, channels], name: 'conv_layer_1' }),
    new MaxPooling2D(2, { strides: 2, name: 'maxpool_layer' }),
  ],
  { name: 'cnn' },
);
cnn.summary();

const mlpParams = mlp.countParams();
const cnnParams = cnn.countParams();
console.log(`MLP on 400x600 gray: ${grayMlp.countParams().toLocaleString('en-US')} parameters`);
console.log(`MLP on 400x600x3: ${mlpParams.toLocaleString('en-US')} parameters`);
console.log(`CNN: ${cnnParams.toLocaleString('en-US')} parameters`);
console.log(`The MLP needs ${Math.round(mlpParams / cnnParams).toLocaleString('en-US')}x more parameters than the CNN.`);
console.log('Pooling adds no parameters: it only keeps the maximum of each 2x2 window, halving height and width.');
