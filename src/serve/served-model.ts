// One model as the server holds it: its worker thread, its batcher, its signature, labels and image
// preprocessing; and the TensorFlow Serving status and metadata bodies that describe it.

import { type BatcherOptions, DynamicBatcher } from './batcher.js';
import type { ImagePreprocessing } from './image-input.js';
import type { ModelWorker } from './model-worker.js';
import type { ModelSignature } from './worker-protocol.js';

/** Served models have one version, as a TensorFlow Serving model directory with one numbered folder. */
export const MODEL_VERSION = '1';

export class ServedModel {
  readonly batcher: DynamicBatcher;

  constructor(
    readonly name: string,
    readonly worker: ModelWorker,
    readonly signature: ModelSignature,
    readonly labels: string[] | null,
    readonly preprocessing: ImagePreprocessing,
    batching: BatcherOptions,
  ) {
    this.batcher = new DynamicBatcher(signature.inputShape.slice(1) as number[], (x) => worker.run(x), batching);
  }

  /** [H, W, C] when the model takes images (a rank-4 input with known sizes), else null. */
  get imageShape(): [number, number, number] | null {
    const shape = this.signature.inputShape;
    if (shape.length !== 4 || shape.slice(1).some((d) => d === null)) return null;
    return shape.slice(1) as [number, number, number];
  }

  /** Number of classes when the output is one score vector per row, else null. */
  get classes(): number | null {
    const shape = this.signature.outputShape;
    return shape.length === 2 && shape[1] !== null ? shape[1]! : null;
  }

  /** The class names: the labels file's, or the class indices. */
  labelNames(): string[] {
    return this.labels ?? Array.from({ length: this.classes ?? 0 }, (_, i) => String(i));
  }

  /** GetModelStatusResponse as TensorFlow Serving writes it in JSON. */
  status(): unknown {
    return {
      model_version_status: [{ version: MODEL_VERSION, state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }],
    };
  }

  /** GetModelMetadataResponse: the serving_default signature with Keras's input and output names. */
  metadata(): unknown {
    const tensor = (name: string, shape: (number | null)[]) => ({
      dtype: 'DT_FLOAT',
      tensor_shape: { dim: shape.map((d) => ({ size: String(d ?? -1), name: '' })), unknown_rank: false },
      name: `serving_default_${name}:0`,
    });
    const { inputName, inputShape, outputName, outputShape } = this.signature;
    return {
      model_spec: { name: this.name, signature_name: '', version: MODEL_VERSION },
      metadata: {
        signature_def: {
          signature_def: {
            serving_default: {
              inputs: { [inputName]: tensor(inputName, inputShape) },
              outputs: { [outputName]: tensor(outputName, outputShape) },
              method_name: 'tensorflow/serving/predict',
            },
          },
        },
      },
    };
  }

  /** What the web page needs to pick its view (draw a digit or drop a photo). */
  describeForPage(): unknown {
    const image = this.imageShape;
    return {
      name: this.name,
      inputShape: this.signature.inputShape,
      outputShape: this.signature.outputShape,
      labels: this.labelNames(),
      preprocess: this.preprocessing.preprocess,
      view: image === null ? 'none' : image[2] === 1 ? 'draw' : 'photo',
    };
  }
}
