// The messages between the server (main thread) and an inference worker thread, both directions. Types only.

/** Where a worker gets its model: a file path chosen by the operator, or a model's Keras config and weights. */
export type ModelSource =
  | { path: string }
  | { config: { class_name: string; config: Record<string, unknown> }; weights: Float32Array[] };

/** What the server needs to know of a loaded model: its signature, in Keras's names. */
export interface ModelSignature {
  modelName: string;
  inputName: string;
  /** With the batch dimension first, null when free: [null, 28, 28, 1]. */
  inputShape: (number | null)[];
  outputName: string;
  outputShape: (number | null)[];
  /** Bytes of every layer's output for one row (nested models opened): what one more row in a batch allocates. */
  activationBytesPerRow: number;
}

export type HostMessage =
  | { type: 'load'; source: ModelSource; backend?: 'native' | 'reference'; threads?: number }
  | { type: 'predict'; id: number; data: Float32Array; shape: number[] }
  | {
      type: 'gradcam';
      id: number;
      /** One image (1, H, W, C), scaled as the model takes it. */
      data: Float32Array;
      shape: number[];
      classIndex?: number;
      /** The model-input values shown as black and white in the overlay. */
      valueRange: [number, number];
    };

export type WorkerMessage =
  | { type: 'ready'; signature: ModelSignature; backend: string }
  | { type: 'result'; id: number; data: Float32Array; shape: number[] }
  | { type: 'overlay'; id: number; png: Uint8Array; classIndex: number; layerName: string }
  | { type: 'failed'; id: number | null; name: string; code: string | null; message: string };
