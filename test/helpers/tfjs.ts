// TensorFlow.js (pure-JS CPU backend) as the independent reader of TF.js layers models: loads a model.json and its
// shards with TF.js's own loadLayersModel through an in-memory IO handler (this file reads the files; TF.js decodes
// the weights), and predicts. Test-only: @tensorflow/tfjs is a development dependency.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Tensor } from '../../src/tensor.js';

type Tf = typeof import('@tensorflow/tfjs');
let loaded: Promise<Tf> | null = null;

/** TF.js on its CPU backend; its "install tfjs-node" banner (printed at the first tensor) is kept out of the output. */
export function tfjs(): Promise<Tf> {
  loaded ??= (async () => {
    const { log, warn } = console;
    console.log = () => {};
    console.warn = () => {};
    try {
      const tf = await import('@tensorflow/tfjs');
      await tf.setBackend('cpu');
      await tf.ready();
      tf.tensor([0]).dispose(); // the banner comes with the CPU backend's first tensor
      return tf;
    } finally {
      console.log = log;
      console.warn = warn;
    }
  })();
  return loaded;
}

/** TF.js's LayersModel for `modelJsonPath`, its shards concatenated in manifest order as TF.js's loaders do. */
export async function loadInTfjs(modelJsonPath: string) {
  const tf = await tfjs();
  const json = JSON.parse(readFileSync(modelJsonPath, 'utf8'));
  const groups = json.weightsManifest as { paths: string[]; weights: unknown[] }[];
  const buffers = groups.flatMap((g) => g.paths.map((p) => readFileSync(join(dirname(modelJsonPath), p))));
  const all = new Uint8Array(buffers.reduce((n, b) => n + b.length, 0));
  let offset = 0;
  for (const b of buffers) {
    all.set(b, offset);
    offset += b.length;
  }
  const handler = tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: groups.flatMap((g) => g.weights) as never,
    weightData: all.buffer,
  });
  return tf.loadLayersModel(handler);
}

/** TF.js's prediction for a batch (N, H, W, C). */
export async function predictInTfjs(model: Awaited<ReturnType<typeof loadInTfjs>>, x: Tensor): Promise<Float32Array> {
  const tf = await tfjs();
  const input = tf.tensor(x.data, x.shape as number[]);
  const output = model.predict(input) as import('@tensorflow/tfjs').Tensor;
  const values = (await output.data()) as Float32Array;
  input.dispose();
  output.dispose();
  return values;
}
