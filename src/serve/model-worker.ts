// The server's handle on one inference worker thread: starts it, loads the model there, runs one batch at a time
// and turns the worker's failures back into errors. From the TypeScript sources (tests, tsx) the worker is
// started through tsx's loader; from the built package it is plain JavaScript.

import { Worker } from 'node:worker_threads';
import {
  BackendError,
  ConfigError,
  type ConvkitError,
  FormatError,
  IOError,
  NotFoundError,
  ShapeError,
  StateError,
  ValueError,
} from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { HostMessage, ModelSignature, ModelSource, WorkerMessage } from './worker-protocol.js';

const CONVKIT_ERRORS: Record<string, new (message: string) => ConvkitError> = {
  SHAPE: ShapeError,
  CONFIG: ConfigError,
  FORMAT: FormatError,
  VALUE: ValueError,
  NOT_FOUND: NotFoundError,
  STATE: StateError,
  BACKEND: BackendError,
  IO: IOError,
};

/** The worker's error as the same convkit error class (so the CLI prints its message as it is), else an Error. */
function revive(name: string, code: string | null, message: string): Error {
  const Class = code === null ? undefined : CONVKIT_ERRORS[code];
  if (Class) return new Class(message);
  return Object.assign(new Error(message), { name });
}

function startWorker(): Worker {
  const url = new URL(import.meta.url.endsWith('.ts') ? './inference-worker.ts' : './inference-worker.js', import.meta.url);
  if (!url.pathname.endsWith('.ts')) return new Worker(url);
  // Node 20 does not apply `--import tsx` to a worker's entry module, so register tsx first, then import it.
  const code = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { eval: true });
}

type WorkerAnswer = Extract<WorkerMessage, { type: 'result' | 'overlay' }>;

export interface ModelWorkerOptions {
  backend?: 'native' | 'reference';
  threads?: number;
}

export class ModelWorker {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (answer: WorkerAnswer) => void; reject: (e: Error) => void }>();
  private loading: { resolve: (s: ModelSignature) => void; reject: (e: Error) => void } | null = null;
  private exited: Error | null = null;
  signature: ModelSignature | null = null;
  backendName = '';

  private constructor() {
    this.worker = startWorker();
    this.worker.on('message', (message: WorkerMessage) => this.receive(message));
    this.worker.on('error', (error) => this.fail(error instanceof Error ? error : new Error(String(error))));
    this.worker.on('exit', (code) => this.fail(new Error(`the inference worker exited (code ${code})`)));
  }

  /** Starts a worker and loads the model in it; rejects with the loader's own message (a bad file, say). */
  static async start(source: ModelSource, options: ModelWorkerOptions = {}): Promise<ModelWorker> {
    const host = new ModelWorker();
    const ready = new Promise<ModelSignature>((resolve, reject) => {
      host.loading = { resolve, reject };
    });
    const load: HostMessage = { type: 'load', source, ...options };
    host.worker.postMessage(load);
    try {
      host.signature = await ready;
    } catch (error) {
      await host.close();
      throw error;
    }
    return host;
  }

  /** Runs one batch (N, ...inputShape) through the model. The input buffer is transferred, not copied. */
  async run(x: Tensor): Promise<Tensor> {
    const answer = await this.ask((id) => ({ type: 'predict', id, data: x.data, shape: x.shape }), x.data);
    if (answer.type !== 'result') throw new Error(`the inference worker answered '${answer.type}' to predict`);
    return { data: answer.data, shape: answer.shape };
  }

  /** A Grad-CAM overlay PNG of one image (1, H, W, C) given as the model takes it. */
  async gradCam(
    image: Tensor,
    valueRange: [number, number],
    classIndex?: number,
  ): Promise<{ png: Uint8Array; classIndex: number; layerName: string }> {
    const answer = await this.ask(
      (id) => ({
        type: 'gradcam',
        id,
        data: image.data,
        shape: image.shape,
        valueRange,
        ...(classIndex === undefined ? {} : { classIndex }),
      }),
      image.data,
    );
    if (answer.type !== 'overlay') throw new Error(`the inference worker answered '${answer.type}' to gradcam`);
    return answer;
  }

  private ask(message: (id: number) => HostMessage, transfer: Float32Array): Promise<WorkerAnswer> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise<WorkerAnswer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(message(id), [transfer.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    this.exited ??= new Error('the inference worker was closed');
    await this.worker.terminate();
  }

  private receive(message: WorkerMessage): void {
    if (message.type === 'ready') {
      this.backendName = message.backend;
      this.loading?.resolve(message.signature);
      this.loading = null;
    } else if (message.type === 'result' || message.type === 'overlay') {
      this.pending.get(message.id)?.resolve(message);
      this.pending.delete(message.id);
    } else if (message.id === null) {
      this.loading?.reject(revive(message.name, message.code, message.message));
      this.loading = null;
    } else {
      this.pending.get(message.id)?.reject(revive(message.name, message.code, message.message));
      this.pending.delete(message.id);
    }
  }

  private fail(error: Error): void {
    this.exited ??= error;
    this.loading?.reject(error);
    this.loading = null;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}
