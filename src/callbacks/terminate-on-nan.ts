// TerminateOnNaN (Keras semantics): stop training as soon as a batch's loss is NaN or infinite. It does not
// roll weights back; pair it with ModelCheckpoint or BackupAndRestore for that.

import { Callback, type Logs } from './callback.js';
import { printMessage } from './monitor.js';

/** @example model.fit(x, y, { callbacks: [new TerminateOnNaN()] }) */
export class TerminateOnNaN extends Callback {
  override async onTrainBatchEnd(batch: number, logs: Logs = {}): Promise<void> {
    const loss = logs.loss;
    if (loss !== undefined && !Number.isFinite(loss) && this.model) {
      printMessage(`Batch ${batch}: Invalid loss, terminating training`);
      this.model.stopTraining = true;
    }
  }
}
