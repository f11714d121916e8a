// The callback contract fit/evaluate/predict drive, with Keras's hook names in camelCase. Logs use Keras's
// metric keys (loss, accuracy, val_loss, val_accuracy, learning_rate) so templates and monitors read the same.

/** Numbers reported at a hook: Keras's logs dict. */
export type Logs = Record<string, number>;

/** What a callback may see and change of the model being trained (kept narrow so callbacks stay testable). */
export interface TrainingTarget {
  /** Set true to end fit() after the current batch/epoch (EarlyStopping, TerminateOnNaN). */
  stopTraining: boolean;
  /** The optimizer's current learning rate; writable (ReduceLROnPlateau, LearningRateScheduler). */
  getLearningRate(): number;
  setLearningRate(value: number): void;
  /** Snapshot / restore of all weight values, in model.getWeights() order (restoreBestWeights). */
  getWeights(): Float32Array[];
  setWeights(values: Float32Array[]): void;
  /** Writes the model (`weightsOnly`: just weights) atomically to a path (ModelCheckpoint, BackupAndRestore). */
  save(path: string, options?: { weightsOnly?: boolean; includeOptimizer?: boolean }): Promise<void>;
  /** Reads back what save() wrote, including optimizer state (BackupAndRestore). */
  restore(path: string): Promise<void>;
  /** The random streams' positions (shuffling, dropout), so a resumed run continues them exactly. */
  getRandomState?(): RandomState;
  setRandomState?(state: RandomState): void;
}

/** Positions of the seeded streams training draws from; plain numbers so they serialise as JSON. */
export interface RandomState {
  baseSeed: number | null;
  draws: number;
  dropoutSeed: number;
  dropoutOffset: number;
}

export interface TrainParams {
  epochs: number;
  /** Batches per epoch, when known. */
  steps: number | null;
  verbose: 0 | 1 | 2;
  initialEpoch: number;
}

export abstract class Callback {
  /** Set by the trainer before onTrainBegin. */
  model: TrainingTarget | null = null;
  params: TrainParams | null = null;

  setModel(model: TrainingTarget): void {
    this.model = model;
  }

  setParams(params: TrainParams): void {
    this.params = params;
  }

  /** Returned by BackupAndRestore: the epoch to resume from, after its restore. Others return null. */
  async resumeEpoch(): Promise<number | null> {
    return null;
  }

  async onTrainBegin(_logs: Logs = {}): Promise<void> {}
  async onTrainEnd(_logs: Logs = {}): Promise<void> {}
  /** epoch is 0-based as in Keras. */
  async onEpochBegin(_epoch: number, _logs: Logs = {}): Promise<void> {}
  async onEpochEnd(_epoch: number, _logs: Logs = {}): Promise<void> {}
  async onTrainBatchBegin(_batch: number, _logs: Logs = {}): Promise<void> {}
  async onTrainBatchEnd(_batch: number, _logs: Logs = {}): Promise<void> {}
  async onTestBegin(_logs: Logs = {}): Promise<void> {}
  async onTestEnd(_logs: Logs = {}): Promise<void> {}
  async onPredictBegin(_logs: Logs = {}): Promise<void> {}
  async onPredictEnd(_logs: Logs = {}): Promise<void> {}
}
