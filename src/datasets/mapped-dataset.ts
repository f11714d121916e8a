// Keras's dataset.map for convkit's streamed datasets: every batch goes through a function (an augmentation, a
// rescale) on its way to fit / evaluate / predict. The batch count is kept; the function runs on the main thread
// as batches are consumed, after the source's prefetching.

import type { InputBatch } from '../training/data.js';

/** A source of batches with its batch count. */
export type BatchSource<B extends InputBatch> = AsyncIterable<B> & { readonly length: number };

/** `source` with `fn` applied to every batch; see ImageDirectoryDataset.map. */
export class MappedDataset<B extends InputBatch> implements AsyncIterable<B> {
  constructor(
    private readonly source: BatchSource<B>,
    private readonly fn: (batch: B) => B | Promise<B>,
  ) {}

  /** Batches per epoch (the source's). */
  get length(): number {
    return this.source.length;
  }

  /** Another function after this one. */
  map(fn: (batch: B) => B | Promise<B>): MappedDataset<B> {
    return new MappedDataset(this, fn);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    for await (const batch of this.source) yield await this.fn(batch);
  }
}
