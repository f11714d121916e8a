// Dynamic batching, as TensorFlow Serving's batcher does it: requests that arrive while the model is busy, or
// within `batchTimeoutMs` of the first waiting one, run together as one batch of at most `maxBatchSize` rows.
// With batchTimeoutMs 0 (the default) the batcher is greedy: an idle model starts at once on whatever waits, and
// batches form only from requests that arrived while it was busy, so a lone client never waits and a loaded server
// never idles. A request is never split; one larger than `maxBatchSize` runs alone. Too many waiting rows is an
// overload.

import type { Tensor } from '../tensor.js';

/** The server's defaults (`convkit serve` flags: --max-batch-size, --batch-timeout-ms; see docs/benchmarks.md). */
export const DEFAULT_BATCHING: BatcherOptions = { maxBatchSize: 32, batchTimeoutMs: 0, maxQueuedRows: 4096 };

/** Activations one batch may hold by default: a MobileNetV2 at 224x224 (36 MiB per row) gets batches of 4. */
export const DEFAULT_BATCH_ACTIVATION_BYTES = 160 * 2 ** 20;

/**
 * The default largest batch for a model: the largest power of two up to DEFAULT_BATCHING.maxBatchSize whose
 * activations fit DEFAULT_BATCH_ACTIVATION_BYTES. Measured (docs/benchmarks.md): the MNIST CNN gains from 32-row
 * batches, while MobileNetV2 at 224x224 serves best at 4: bigger batches outgrow the caches, and each new batch size
 * reallocates every layer's buffers.
 */
export function defaultMaxBatchSize(activationBytesPerRow: number): number {
  let size = DEFAULT_BATCHING.maxBatchSize;
  while (size > 1 && size * activationBytesPerRow > DEFAULT_BATCH_ACTIVATION_BYTES) size /= 2;
  return size;
}

/** Raised when the queue is full or a request waited longer than its timeout: the server answers 503. */
export class OverloadError extends Error {
  override readonly name = 'OverloadError';
}

export interface BatcherOptions {
  maxBatchSize: number;
  /** How long an idle model waits for more requests to join the first waiting one (0: none, greedy). */
  batchTimeoutMs: number;
  /** Rows waiting at most; a request beyond that is refused at once (503) rather than queued for ever. */
  maxQueuedRows: number;
}

interface Waiting {
  data: Float32Array;
  rows: number;
  resolve: (rows: Float32Array) => void;
  reject: (error: Error) => void;
  arrived: number;
}

export class DynamicBatcher {
  private readonly queue: Waiting[] = [];
  private queuedRows = 0;
  private busy = false;
  private timer: NodeJS.Timeout | null = null;
  /** How many batches of each size ran (rows -> count): what the load benchmark reports. */
  readonly batchSizes = new Map<number, number>();

  /**
   * @param rowShape one row's shape (the model's input without the batch dimension)
   * @param run runs one batch (N, ...rowShape) and returns (N, ...outputRow)
   */
  constructor(
    private readonly rowShape: number[],
    private readonly run: (x: Tensor) => Promise<Tensor>,
    private readonly options: BatcherOptions,
  ) {}

  /**
   * Queues `rows` rows (row-major, concatenated) and resolves with their output rows, concatenated. When `signal`
   * aborts while the request still waits, it leaves the queue and rejects with the signal's reason.
   */
  submit(data: Float32Array, rows: number, signal?: AbortSignal): Promise<Float32Array> {
    if (this.queuedRows + rows > this.options.maxQueuedRows && this.queue.length > 0) {
      return Promise.reject(
        new OverloadError(
          `the server is overloaded: ${this.queuedRows} rows are already waiting for the model (limit ${this.options.maxQueuedRows}). Retry later.`,
        ),
      );
    }
    return new Promise<Float32Array>((resolve, reject) => {
      const waiting: Waiting = { data, rows, resolve, reject, arrived: performance.now() };
      this.queue.push(waiting);
      this.queuedRows += rows;
      signal?.addEventListener('abort', () => {
        const i = this.queue.indexOf(waiting);
        if (i < 0) return; // already running: its answer is simply not used
        this.queue.splice(i, 1);
        this.queuedRows -= rows;
        reject(signal.reason instanceof Error ? signal.reason : new OverloadError(String(signal.reason)));
      });
      this.pump();
    });
  }

  /** The largest batch this batcher forms. */
  get maxBatchSize(): number {
    return this.options.maxBatchSize;
  }

  /** Rows waiting plus whether a batch is running: when both are zero/false the batcher is idle. */
  get idle(): boolean {
    return this.queue.length === 0 && !this.busy;
  }

  private pump(): void {
    if (this.busy || this.queue.length === 0) return;
    const waited = performance.now() - this.queue[0]!.arrived;
    if (this.queuedRows >= this.options.maxBatchSize || waited >= this.options.batchTimeoutMs) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      void this.flush();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        this.pump();
      }, this.options.batchTimeoutMs - waited);
    }
  }

  /** The batch sizes the model is given: powers of two below maxBatchSize, and maxBatchSize itself. */
  private allowedSizes(): number[] {
    const sizes: number[] = [];
    for (let size = 1; size < this.options.maxBatchSize; size *= 2) sizes.push(size);
    sizes.push(this.options.maxBatchSize);
    return sizes;
  }

  private async flush(): Promise<void> {
    const allowed = this.allowedSizes();
    // Take the largest allowed size the waiting rows fill (rounding down, not padding up: padding costs a zero row's
    // whole forward pass, which for a large model is as dear as a real one); the rest runs in the next batch.
    const fill = Math.min(this.queuedRows, this.options.maxBatchSize);
    const limit = allowed.filter((size) => size <= fill).at(-1) ?? 1;
    const batch: Waiting[] = [this.queue.shift()!];
    let rows = batch[0]!.rows;
    while (this.queue.length > 0 && rows + this.queue[0]!.rows <= limit) {
      const next = this.queue.shift()!;
      batch.push(next);
      rows += next.rows;
    }
    this.queuedRows -= rows;
    this.busy = true;
    this.batchSizes.set(rows, (this.batchSizes.get(rows) ?? 0) + 1);
    const rowSize = this.rowShape.reduce((a, b) => a * b, 1);
    // Only allowed sizes reach the model (TensorFlow Serving's allowed_batch_sizes): a handful of batch shapes instead
    // of every size from 1 to maxBatchSize, so layers keep their buffers and oneDNN its primitives. When multi-row
    // requests leave the batch short of one, it is padded with zero rows; a request larger than maxBatchSize runs alone.
    const padded = rows <= this.options.maxBatchSize ? allowed.find((size) => size >= rows)! : rows;
    const x = new Float32Array(padded * rowSize);
    let offset = 0;
    for (const w of batch) {
      x.set(w.data, offset);
      offset += w.data.length;
    }
    try {
      const y = await this.run({ data: x, shape: [padded, ...this.rowShape] });
      const outRow = y.data.length / padded;
      let at = 0;
      for (const w of batch) {
        w.resolve(y.data.slice(at * outRow, (at + w.rows) * outRow));
        at += w.rows;
      }
    } catch (error) {
      for (const w of batch) w.reject(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.busy = false;
      this.pump();
    }
  }
}
