// Keras History: the callback fit() always adds; it collects epoch logs into `history` and is returned by fit().

import { Callback, type Logs, type TrainParams } from '../callbacks/callback.js';

/** @example const h = await model.fit(x, y, { epochs: 3 }); h.history.loss.length === 3 */
export class History extends Callback {
  /** Per metric key, one value per epoch: { loss: [...], accuracy: [...], val_loss: [...] }. */
  history: Record<string, number[]> = {};
  /** The 0-based epoch numbers seen. */
  epoch: number[] = [];

  override async onTrainBegin(): Promise<void> {
    this.epoch = [];
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    this.epoch.push(epoch);
    for (const [key, value] of Object.entries(logs)) {
      const series = this.history[key] ?? [];
      series.push(value);
      this.history[key] = series;
    }
  }

  /** Keras `history.params`. */
  get trainParams(): TrainParams | null {
    return this.params;
  }
}
