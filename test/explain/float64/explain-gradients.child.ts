// Child process of explain-gradients.test.ts: Float32Array is Float64Array here (an --import before this file), so
// the models compute in float64 on the reference backend. Checks against central differences, computed only from
// forward passes: saliencyMap's gradient is d score / d input, and gradCam's channel weights are the spatial means
// of d score / d activation (the activation perturbed through a wrapper on the layer's forward). Prints one JSON
// line: the worst relative difference per check.

import { gradCam } from '../../../src/explain/grad-cam.js';
import { saliencyMap } from '../../../src/explain/saliency.js';
import { BatchNormalization, Conv2D, Dense, Flatten, GlobalAveragePooling2D, MaxPooling2D } from '../../../src/layers/index.js';
import type { Layer } from '../../../src/layers/layer.js';
import { Input } from '../../../src/models/input.js';
import type { Model } from '../../../src/models/model.js';
import { Sequential } from '../../../src/models/sequential.js';
import { reference } from '../../helpers/backends.js';
import { centralDifferences } from '../../helpers/central-differences.js';
import { largestRelativeDifference } from '../../helpers/close.js';

if (new Float32Array(1).BYTES_PER_ELEMENT !== 8) {
  throw new Error('explain-gradients.child.ts must run with Float32Array replaced by Float64Array');
}

const H = 1e-6;

export interface Check {
  what: string;
  worst: number;
  index: number;
  analytic: number;
  numeric: number;
}

function rand(n: number, seed: number, low = -1, high = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = low + ((s >>> 8) / 16777216) * (high - low);
  }
  return out;
}

function randomiseWeights(model: Model): void {
  model.weights.forEach((w, i) => {
    const positive = w.name === 'gamma' || w.name.startsWith('moving_var');
    w.value.set(rand(w.value.length, 17 + i, positive ? 0.5 : -0.8, positive ? 1.5 : 0.8));
  });
}

/** The score the explanations differentiate, from a forward pass only: the logit before the output softmax/sigmoid. */
function logit(model: Model, x: { data: Float32Array; shape: number[] }, classIndex: number, binary: boolean): number {
  const ctx = { backend: reference, training: false, needsInputGrad: false, rng: { seed: 0, offset: 0 } };
  model.forward([x], ctx);
  const z = model.fusableOutputLayer()!.preActivation().data;
  return binary ? (classIndex === 1 ? z[0]! : -z[0]!) : z[classIndex]!;
}

function compare(what: string, analytic: ArrayLike<number>, numeric: ArrayLike<number>): Check {
  const { value, index } = largestRelativeDifference(analytic, numeric);
  return { what, worst: value, index, analytic: analytic[index]!, numeric: numeric[index]! };
}

/**
 * d logit / d (layer output) by central differences: the layer's forward is wrapped to add a perturbation array to
 * its output, and that array is what centralDifferences perturbs. Returns the spatial mean per channel.
 */
function numericCamWeights(model: Model, layer: Layer, x: { data: Float32Array; shape: number[] }, c: number, binary: boolean) {
  const forward = layer.forward;
  let delta: Float32Array | null = null;
  let shape: number[] = [];
  layer.forward = (inputs, ctx) => {
    const out = forward.call(layer, inputs, ctx);
    shape = out.shape;
    delta ??= new Float32Array(out.data.length);
    for (let i = 0; i < out.data.length; i++) out.data[i]! += delta[i]!;
    return out;
  };
  try {
    const f = () => logit(model, x, c, binary);
    f();
    const grad = centralDifferences(f, delta!, H);
    const [, h, w, k] = shape as [number, number, number, number];
    const weights = new Float64Array(k);
    for (let i = 0; i < h * w; i++) for (let ch = 0; ch < k; ch++) weights[ch]! += grad[i * k + ch]! / (h * w);
    return weights;
  } finally {
    Reflect.deleteProperty(layer, 'forward');
  }
}

function checkModel(
  name: string,
  model: Model,
  camLayer: Layer | null,
  input: number[],
  classes: number[],
  binary = false,
): Check[] {
  model.backendOverride = reference;
  randomiseWeights(model);
  const x = {
    data: rand(
      input.reduce((a, b) => a * b, 1),
      5,
      0,
      1,
    ),
    shape: input,
  };
  const checks: Check[] = [];
  for (const c of classes) {
    const saliency = saliencyMap(model, x, { classIndex: c });
    const numeric = centralDifferences(() => logit(model, x, c, binary), x.data, H);
    checks.push(compare(`${name}: saliency gradient, class ${c}`, saliency.gradient.data, numeric));
    const cam = gradCam(model, x, { classIndex: c, ...(camLayer ? { layerName: camLayer.name } : {}) });
    const layer = camLayer ?? model.getLayer(cam.layerName);
    checks.push(
      compare(
        `${name}: Grad-CAM weights at ${cam.layerName}, class ${c}`,
        cam.weights,
        numericCamWeights(model, layer, x, c, binary),
      ),
    );
  }
  return checks;
}

const results: Check[] = [];
{
  // Default layer: the BatchNormalization right after the last convolution.
  const bn = new BatchNormalization();
  const model = new Sequential([
    Input({ shape: [7, 6, 2] }),
    new Conv2D(3, 3, { activation: 'relu', padding: 'same' }),
    new MaxPooling2D(2),
    new Conv2D(4, 2, { activation: 'tanh', padding: 'same' }),
    bn,
    new Flatten(),
    new Dense(3, { activation: 'softmax' }),
  ]);
  results.push(...checkModel('conv-pool-conv-bn softmax', model, null, [1, 7, 6, 2], [0, 2]));
  if (gradCam(model, { data: rand(84, 9), shape: [1, 7, 6, 2] }).layerName !== bn.name)
    throw new Error('default layer is not the BN');
}
{
  // A nested model and a one-unit sigmoid output (classes 0 and 1 score -z and z), Grad-CAM on the first conv.
  const first = new Conv2D(3, 3, { activation: 'relu' });
  const inner = new Sequential([Input({ shape: [6, 6, 1] }), first, new Conv2D(2, 2, { activation: 'tanh' })]);
  const model = new Sequential([
    Input({ shape: [6, 6, 1] }),
    inner,
    new GlobalAveragePooling2D(),
    new Dense(1, { activation: 'sigmoid' }),
  ]);
  results.push(...checkModel('nested, sigmoid', model, first, [1, 6, 6, 1], [0, 1], true));
}
process.stdout.write(`${JSON.stringify(results)}\n`);
