// One `convkit tune` trial on in-memory uint8 data: seed, build the template (or the model file) at the trial's parameters, train on
// the first rows, validate on the held-out last fraction (Keras's validation_split), report each epoch, optionally
// save the model. The same function runs in this thread, in a worker thread and on a queue worker, so a trial
// gives the same numbers wherever it runs (same backend).

import { Callback, type Logs } from '../callbacks/callback.js';
import { NormalizedBatches } from '../datasets/normalized-batches.js';
import { validationSplitAt } from '../training/data-checks.js';
import { setRandomSeed } from '../training/seed.js';
import { buildFileModel, type ModelFileTemplate } from './model-file-template.js';
import { buildTemplateModel } from './model-templates.js';
import type { TrialSpec } from './strategies.js';
import { rowsOf, type TrainingData } from './training-data.js';
import type { EpochReporter, TrialOutcome } from './tuner.js';

/** What every trial of a search shares: the template and how the data is split. */
export interface DatasetTrialSetup {
  /** A template name, or the model file's path when `modelFile` is given. */
  template: string;
  /** A saved model as the architecture (tune --model file.keras), instead of a template. */
  modelFile?: ModelFileTemplate;
  /** Fraction of the (limited) training rows held out, the last ones. Default 0.2. */
  validationSplit: number;
}

/** Hands each epoch's logs to the search as they come (for trials.jsonl and Hyperband). */
export class EpochForwarder extends Callback {
  constructor(private readonly report: EpochReporter) {
    super();
  }
  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    this.report(epoch, { ...logs });
  }
}

/** Trains one trial; resolves with its history (and saves the model to `modelPath` when given). */
export async function runDatasetTrial(
  data: TrainingData,
  setup: DatasetTrialSetup,
  trial: TrialSpec,
  onEpoch: EpochReporter,
  modelPath: string | null,
): Promise<TrialOutcome> {
  const count = data.y.shape[0]!;
  const at = validationSplitAt('tune', count, setup.validationSplit);
  const [, h, w, c] = data.x.shape as [number, number, number, number];
  setRandomSeed(trial.seed);
  const { model, batchSize } = setup.modelFile
    ? buildFileModel(setup.modelFile, trial.params)
    : buildTemplateModel(setup.template, trial.params, { inputShape: [h, w, c], numClasses: data.classNames.length });
  const train = new NormalizedBatches(rowsOf(data.x, 0, at), rowsOf(data.y, 0, at), batchSize);
  const validation = new NormalizedBatches(rowsOf(data.x, at, count), rowsOf(data.y, at, count), 256, false);
  const history = await model.fit(train, {
    epochs: trial.epochs,
    verbose: 0,
    validationData: validation,
    callbacks: [new EpochForwarder(onEpoch)],
  });
  if (modelPath !== null) await model.save(modelPath);
  return { history: history.history };
}
