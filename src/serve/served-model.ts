// One model as the server holds it: its worker thread, its batcher, its signature, labels and image
// preprocessing; request rows to model inputs, run before a deadline (predictions and Grad-CAM overlays); and the
// TensorFlow Serving status and metadata bodies that describe it.

import { ConvkitError } from '../errors.js';
import { type BatcherOptions, DynamicBatcher, OverloadError } from './batcher.js';
import { badRequest, HttpError } from './http-error.js';
import { type ImagePreprocessing, imageToInputRow } from './image-input.js';
import type { ModelWorker } from './model-worker.js';
import type { RequestRow } from './request-tensors.js';
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

  /** The request's rows as one (N, ...input) buffer: numbers as sent, images decoded and preprocessed. */
  async inputRows(rows: RequestRow[]): Promise<Float32Array> {
    const rowSize = (this.signature.inputShape.slice(1) as number[]).reduce((a, b) => a * b, 1);
    const imageShape = this.imageShape;
    const decoded = await Promise.all(
      rows.map(async (row) => {
        if (row.kind === 'values') return row.data;
        if (!imageShape) {
          throw badRequest(
            `${row.where}: this model's input is ${JSON.stringify(this.signature.inputShape)}, not an image (N, H, W, C); send numbers instead of "b64".`,
          );
        }
        try {
          return await imageToInputRow(row.bytes, imageShape, this.preprocessing, row.where);
        } catch (error) {
          if (error instanceof ConvkitError) throw badRequest(error.message);
          throw error;
        }
      }),
    );
    const x = new Float32Array(rows.length * rowSize);
    decoded.forEach((row, i) => {
      x.set(row, i * rowSize);
    });
    return x;
  }

  /** The model's outputs for the rows (batched with other requests), or a 503 past `timeoutMs`. */
  async predictRows(rows: RequestRow[], timeoutMs: number): Promise<Float32Array> {
    const signal = AbortSignal.timeout(timeoutMs);
    const x = await this.inputRows(rows);
    return this.beforeDeadline(this.batcher.submit(x, rows.length, signal), signal, timeoutMs);
  }

  /** A Grad-CAM overlay PNG for one row, for `classIndex` or the predicted class. */
  async overlayPng(row: RequestRow, timeoutMs: number, classIndex?: number) {
    const signal = AbortSignal.timeout(timeoutMs);
    const x = await this.inputRows([row]);
    const { scale, offset } = this.preprocessing;
    const ends = [offset, 255 * scale + offset].sort((a, b) => a - b) as [number, number];
    const image = { data: x, shape: [1, ...(this.signature.inputShape.slice(1) as number[])] };
    return this.beforeDeadline(this.worker.gradCam(image, ends, classIndex), signal, timeoutMs);
  }

  /** Waits for `work` until `signal` aborts (503); a failure inside the model is a 500 naming the model. */
  private async beforeDeadline<T>(work: Promise<T>, signal: AbortSignal, ms: number): Promise<T> {
    const timedOut = () =>
      new HttpError(503, `the request timed out after ${ms} ms waiting for the model. Hint: retry, or send fewer rows.`);
    try {
      return await new Promise<T>((resolve, reject) => {
        const onAbort = () => reject(timedOut());
        if (signal.aborted) onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
      });
    } catch (error) {
      if (error instanceof HttpError || error instanceof OverloadError) throw error;
      if (signal.aborted) throw timedOut();
      if (error instanceof ConvkitError && (error.code === 'CONFIG' || error.code === 'SHAPE')) {
        // Grad-CAM's refusals (no convolution layer, a class index out of range) are about the request or model.
        throw badRequest(`model '${this.name}': ${error.message}`);
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new HttpError(500, `model '${this.name}' failed on this input: ${reason}`);
    }
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
      gradCam: image !== null && this.classes !== null,
    };
  }
}
