// The inference worker thread: loads one model and answers predict messages one at a time, so the server's event
// loop never waits on a forward pass (native kernels run synchronously). Started by model-worker.ts only.

import { parentPort } from 'node:worker_threads';
import { getBackend, setBackend } from '../backend/registry.js';
import { gradCam } from '../explain/grad-cam.js';
import { loadModel } from '../io/load-model.js';
import { Model } from '../models/model.js';
import { modelFromKeras } from '../models/model-config.js';
import '../node.js';
import { heatmapOverlayPng } from '../plots/explanation-figure.js';
import type { HostMessage, ModelSignature, ModelSource, WorkerMessage } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('inference-worker.ts runs only as a worker thread (started by ModelWorker).');

let model: Model | null = null;

function send(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

async function modelFrom(source: ModelSource): Promise<Model> {
  if ('path' in source) return loadModel(source.path, { compile: false });
  const built = modelFromKeras(source.config);
  built.setWeights(source.weights);
  return built;
}

/** Float32 outputs of every leaf layer for one row, in bytes. */
function activationBytesPerRow(m: Model): number {
  let floats = 0;
  for (const node of m.graphNodes) {
    if (node.layer instanceof Model) floats += activationBytesPerRow(node.layer) / 4;
    else floats += (node.tensor.shape.slice(1) as (number | null)[]).reduce<number>((a, d) => a * (d ?? 1), 1);
  }
  return 4 * floats;
}

function signatureOf(m: Model): ModelSignature {
  const input = m.inputs[0]!;
  const output = m.outputs[0]!;
  return {
    modelName: m.name,
    inputName: input.layer.name,
    inputShape: [...input.shape],
    outputName: output.layer.name,
    outputShape: [...output.shape],
    activationBytesPerRow: activationBytesPerRow(m),
  };
}

async function handle(message: HostMessage): Promise<void> {
  if (message.type === 'load') {
    if (message.backend) setBackend(message.backend);
    if (message.threads !== undefined) getBackend().setThreads(message.threads);
    model = await modelFrom(message.source);
    send({ type: 'ready', signature: signatureOf(model), backend: getBackend().name });
    return;
  }
  if (!model) throw new Error(`${message.type} before load`);
  if (message.type === 'gradcam') {
    const image = { data: message.data, shape: message.shape };
    const cam = gradCam(model, image, message.classIndex === undefined ? {} : { classIndex: message.classIndex });
    const png = new Uint8Array(await heatmapOverlayPng(image, cam.heatmap, { valueRange: message.valueRange }));
    send({ type: 'overlay', id: message.id, png, classIndex: cam.classIndex, layerName: cam.layerName }, [png.buffer]);
    return;
  }
  const y = await model.predict({ data: message.data, shape: message.shape }, { verbose: 0, batchSize: message.shape[0]! });
  send({ type: 'result', id: message.id, data: y.data, shape: y.shape }, [y.data.buffer as ArrayBuffer]);
}

// Messages are handled strictly in order: the host sends the next batch only after this one's answer.
let chain = Promise.resolve();
port.on('message', (message: HostMessage) => {
  chain = chain.then(() =>
    handle(message).catch((error: unknown) => {
      const id = message.type === 'load' ? null : message.id;
      const e = error instanceof Error ? error : new Error(String(error));
      const tagged = e as Error & { code?: unknown };
      const code = typeof tagged.code === 'string' ? tagged.code : null;
      send({ type: 'failed', id, name: e.name, code, message: e.message });
    }),
  );
});
