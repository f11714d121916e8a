// A TF.js layers model with a user's own layer class, written by TF.js itself (a Layer subclass registered with
// tf.serialization.registerClass, saved by model.save): loadModel / loadTfjsModel refuse it with the class name and how
// to register it, and load it with customObjects (or registerLayer) given the same layer written for convkit, then
// predict as TF.js does. The weights are found by the names TF.js gave them (`<layer>/<addWeight name>`).

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FormatError } from '../../src/errors.js';
import { zeros } from '../../src/initializers.js';
import { loadModel } from '../../src/io/load-model.js';
import { loadTfjsModel } from '../../src/io/tfjs-load.js';
import { LAYERS, registerLayer } from '../../src/layers/index.js';
import { type BaseLayerConfig, type CallContext, Layer, type LayerWeight, singleInput } from '../../src/layers/layer.js';
import type { Shape, Tensor } from '../../src/tensor.js';
import { assertWithin } from '../helpers/close.js';
import { predictInTfjs, tfjs } from '../helpers/tfjs.js';
import { randomImages, seededUniform } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-tfjs-custom-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface ScaleShiftConfig extends BaseLayerConfig {
  /** y = tanh(x) * scale + shift when true, x * scale + shift otherwise. */
  squash?: boolean;
}

/** The user's layer for convkit: per-channel y = f(x) * scale + shift, f = tanh or identity. */
class ScaleShift extends Layer {
  readonly className: string = 'ScaleShift';
  readonly squash: boolean;
  private scale: LayerWeight | null = null;
  private shift: LayerWeight | null = null;

  constructor(config: ScaleShiftConfig = {}) {
    super(config, 'scale_shift');
    this.squash = config.squash ?? false;
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape)];
  }

  override build(inputShape: Shape | Shape[]): void {
    if (this.built) return;
    const channels = (inputShape as Shape).at(-1)!;
    this.scale = this.addWeight('scale', [channels], zeros());
    this.shift = this.addWeight('shift', [channels], zeros());
    super.build(inputShape);
  }

  forward(inputs: Tensor[], _ctx: CallContext): Tensor {
    const x = singleInput(this.name, inputs);
    const c = this.scale!.value.length;
    const y = new Float32Array(x.data.length);
    for (let i = 0; i < y.length; i++) {
      const f = this.squash ? Math.tanh(x.data[i]!) : x.data[i]!;
      y[i] = f * this.scale!.value[i % c]! + this.shift!.value[i % c]!;
    }
    return { data: y, shape: x.shape };
  }

  backward(): (Tensor | null)[] {
    throw new Error('ScaleShift is used for inference only in this test');
  }

  protected layerConfig(): Record<string, unknown> {
    return { squash: this.squash };
  }
}

/** The same layer for TF.js, and a small model using it, saved by TF.js as model.json + weights.bin in `out`. */
async function writeTfjsModel(out: string) {
  const tf = await tfjs();
  class TfScaleShift extends tf.layers.Layer {
    static className = 'ScaleShift';
    squash: boolean;
    scale: import('@tensorflow/tfjs').LayerVariable | null = null;
    shift: import('@tensorflow/tfjs').LayerVariable | null = null;
    constructor(config: { squash?: boolean; name?: string }) {
      super(config);
      this.squash = config.squash ?? false;
    }
    override build(inputShape: (number | null)[]) {
      const channels = inputShape.at(-1)!;
      this.scale = this.addWeight('scale', [channels], 'float32', tf.initializers.zeros());
      this.shift = this.addWeight('shift', [channels], 'float32', tf.initializers.zeros());
      this.built = true;
    }
    override call(inputs: import('@tensorflow/tfjs').Tensor | import('@tensorflow/tfjs').Tensor[]) {
      return tf.tidy(() => {
        const x = Array.isArray(inputs) ? inputs[0]! : inputs;
        return tf.add(tf.mul(this.squash ? tf.tanh(x) : x, this.scale!.read()), this.shift!.read());
      });
    }
    override getConfig() {
      return { ...super.getConfig(), squash: this.squash };
    }
  }
  tf.serialization.registerClass(TfScaleShift);
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, name: 'conv' }),
      new TfScaleShift({ squash: true, name: 'custom' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: 4, activation: 'softmax', name: 'head' }),
    ],
  });
  const next = seededUniform(17);
  const custom = model.getLayer('custom');
  custom.setWeights(
    custom.getWeights().map((w) =>
      tf.tensor(
        Array.from({ length: w.size }, () => 0.5 + next()),
        w.shape,
      ),
    ),
  );
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      mkdirSync(out, { recursive: true });
      const data = artifacts.weightData!;
      const bytes = Array.isArray(data) ? Buffer.concat(data.map((b) => Buffer.from(b))) : Buffer.from(data);
      writeFileSync(join(out, 'weights.bin'), bytes);
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(out, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return model;
}

describe('io: TF.js models with custom layers', () => {
  test('refused naming the class and how to register it; customObjects / registerLayer load it, predictions as TF.js', async () => {
    const out = join(dir, 'custom');
    const theirs = await writeTfjsModel(out);
    const x = randomImages(3, [6, 6, 2], 23, -1, 1);
    const expected = await predictInTfjs(theirs, x);
    for (const load of [() => loadModel(out), () => loadTfjsModel(join(out, 'model.json'))]) {
      await assert.rejects(load(), (e: Error) => {
        assert.ok(e instanceof FormatError, `${e.name}: ${e.message}`);
        assert.match(e.message, /model\.json': unknown layer class "ScaleShift"/);
        assert.match(
          e.message,
          /registerLayer\('ScaleShift', ScaleShift\), or loadModel\(path, \{ customObjects: \{ ScaleShift \} \}\)/,
        );
        return true;
      });
    }
    for (const model of [
      await loadModel(out, { customObjects: { ScaleShift } }),
      await loadTfjsModel(out, { customObjects: { ScaleShift } }),
    ]) {
      const layer = model.getLayer('custom');
      assert.ok(layer instanceof ScaleShift);
      assert.equal(layer.squash, true);
      assert.deepEqual(
        layer.weights.map((w) => w.name),
        ['scale', 'shift'],
      );
      assert.ok(layer.getWeights()[0]!.every((v) => v >= 0.5)); // TF.js's values, not the zeros of the initializer
      assertWithin('custom layer model vs TF.js', (await model.predict(x, { verbose: 0 })).data, expected, 1e-5);
    }
    registerLayer('ScaleShift', ScaleShift);
    try {
      assert.ok((await loadModel(out)).getLayer('custom') instanceof ScaleShift);
    } finally {
      delete LAYERS.ScaleShift; // the registry is global: leave it as the other tests expect it
    }
    await assert.rejects(loadTfjsModel(out, { custom: {} } as never), /loadTfjsModel: unknown option 'custom'/);
  });
});
