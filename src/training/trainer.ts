// fit / evaluate / predict and the *OnBatch methods: epochs, batching (arrays or a Dataset), validation, the
// progress bar and the callback hooks in Keras's order. The per-batch math is in step.ts. Not here: distributed
// training, steps_per_execution, multi-output models.

import type { LossKind } from '../backend/backend.js';
import { Callback, type Logs, type TrainParams } from '../callbacks/callback.js';
import { ConfigError, invalid, ValueError } from '../errors.js';
import { diagnose, formatDiagnosis } from '../evaluation/diagnose.js';
import type { Model } from '../models/model.js';
import { checkOptions } from '../options.js';
import { writeOut } from '../output.js';
import type { Shape, Tensor } from '../tensor.js';
import { ArrayBatches, type Dataset, type InputBatch, type InputDataset, isDataset, rowsView } from './data.js';
import { checkClassWeight, checkLabelShape, checkSampleCount, checkSampleWeight, validationSplitAt } from './data-checks.js';
import { History } from './history.js';
import { asFloatTensor, checkAllLabels, type TensorLike } from './labels.js';
import { ProgressBar } from './progress-bar.js';
import { drawSeed } from './seed.js';
import { combinedWeights, inferBatch, prepare, resetRunning, runBatch, runningLogs, stepState } from './step.js';

/** Inputs as users pass them: one tensor or a list (one per model input), in any numeric array. */
export type InputData = TensorLike | TensorLike[];

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  /** 0 silent, 1 progress bar (one line per epoch without a TTY), 2 one line per epoch. Default 1. */
  verbose?: 0 | 1 | 2;
  callbacks?: Callback[];
  /** Fraction of the LAST samples (before shuffling) held out for validation, as Keras. */
  validationSplit?: number;
  validationData?: [InputData, TensorLike] | [InputData, TensorLike, Float32Array] | Dataset;
  shuffle?: boolean;
  classWeight?: Record<number, number>;
  sampleWeight?: Float32Array;
  initialEpoch?: number;
  stepsPerEpoch?: number;
  validationBatchSize?: number;
  /**
   * Print diagnose(history) (overfitting, underfitting, ...) after training. Default: when verbose is not 0 and at
   * least two epochs ran. false turns it off.
   */
  diagnose?: boolean;
}

export interface EvaluateOptions {
  batchSize?: number;
  verbose?: 0 | 1 | 2;
  sampleWeight?: Float32Array;
  callbacks?: Callback[];
  steps?: number;
  /** Return named logs ({ loss, accuracy }) instead of Keras's [loss, ...metrics]. Default false. */
  returnDict?: boolean;
}

export interface PredictOptions {
  batchSize?: number;
  /** Default 1 (a progress bar, as Keras); 0 for silence. */
  verbose?: 0 | 1 | 2;
  callbacks?: Callback[];
}

/** The options fit() accepts (KerasTuner-style search() takes the same). */
export const FIT_KEYS = [
  'epochs',
  'batchSize',
  'verbose',
  'callbacks',
  'validationSplit',
  'validationData',
  'shuffle',
  'classWeight',
  'sampleWeight',
  'initialEpoch',
  'stepsPerEpoch',
  'validationBatchSize',
  'diagnose',
];
const EVALUATE_KEYS = ['batchSize', 'verbose', 'sampleWeight', 'callbacks', 'steps', 'returnDict'];
const PREDICT_KEYS = ['batchSize', 'verbose', 'callbacks'];

type Source = { kind: 'arrays'; batches: ArrayBatches } | { kind: 'dataset'; dataset: InputDataset };

const toList = (x: Tensor | Tensor[]): Tensor[] => (Array.isArray(x) ? x : [x]);

/** Inputs as float32 tensors (converted once; Float32Array data is used as is). */
function inputsOf(where: string, arg: string, x: unknown): Tensor[] {
  return Array.isArray(x) ? x.map((t, i) => asFloatTensor(where, `${arg}[${i}]`, t)) : [asFloatTensor(where, arg, x)];
}

/**
 * Builds a lazily-shaped model for these inputs and checks every label against the loss and the number of output
 * units before any step runs (so a bad label fails now, not after an epoch).
 */
function checkLabelsUpFront(model: Model, where: string, arg: string, xs: Tensor[], y: Tensor): void {
  const compiled = model.requireCompiled(where);
  checkArraysAgainstModel(model, where, xs, y, compiled.loss.kind);
  const sampleShape = (model.outputs[0]?.shape ?? []).slice(1);
  if (sampleShape.every((d) => typeof d === 'number')) checkAllLabels(where, arg, compiled.loss.kind, y, sampleShape as number[]);
}

/** The callbacks list: an array of Callback instances (a lone callback or a class is a mistake worth naming). */
function callbacksOf(where: string, value: unknown): Callback[] {
  if (value === undefined) return [];
  const ok = Array.isArray(value) && value.every((cb) => cb instanceof Callback);
  if (!ok) {
    throw new ConfigError(
      invalid(
        where,
        'callbacks',
        'an array of Callback instances',
        value,
        'Wrap a single callback in [ ], e.g. callbacks: [new EarlyStopping()].',
      ),
    );
  }
  return value as Callback[];
}

function positiveInt(where: string, arg: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(invalid(where, arg, 'a positive integer', value));
  return value;
}

/** Builds the model for these inputs and checks the labels' shape against its output, before any step. */
function checkArraysAgainstModel(model: Model, where: string, xs: Tensor[], y: Tensor, kind: LossKind): void {
  prepare(model, xs);
  const out = model.computeOutputShape(
    xs.length === 1 ? [null, ...xs[0]!.shape.slice(1)] : xs.map((t) => [null, ...t.shape.slice(1)]),
  );
  checkLabelShape(where, kind, [xs[0]!.shape[0]!, ...out.slice(1)], y.shape);
}

/** The built model's output shape (batch first). */
function outputShapeOf(model: Model): Shape {
  const shapes = model.expectedInputShapes();
  return model.computeOutputShape(shapes.length === 1 ? shapes[0]! : shapes);
}

function emptyDataset(where: string, epoch: number | null): ValueError {
  const when = epoch === null ? '' : ` in epoch ${epoch + 1}`;
  return new ValueError(
    `${where}: the data gave no batches${when}. Expected at least one batch, received none. Hint: a Dataset must yield batches again after reset(); check its length and reset().`,
  );
}

/** Iterates the batches of a source for one epoch (at most `limit`). */
async function* batchesOf(
  source: Source,
  shuffleSeed: number | null,
  limit: number | null,
): AsyncGenerator<InputBatch & { x: Tensor[] }> {
  if (source.kind === 'arrays') {
    source.batches.startEpoch(shuffleSeed);
    const steps = Math.min(source.batches.steps, limit ?? Infinity);
    for (let s = 0; s < steps; s++) {
      const b = source.batches.batch(s);
      yield { x: b.xs, y: b.y!, ...(b.sampleWeight ? { sampleWeight: b.sampleWeight } : {}) };
    }
    return;
  }
  await source.dataset.reset?.();
  let s = 0;
  for await (const batch of source.dataset) {
    // Batches may hold any numeric arrays (Uint8Array labels...); the kernels take float32.
    yield {
      x: inputsOf('Dataset', 'batch.x', batch.x),
      ...(batch.y === undefined ? {} : { y: asFloatTensor('Dataset', 'batch.y', batch.y) }),
      ...(batch.sampleWeight ? { sampleWeight: batch.sampleWeight } : {}),
    };
    if (limit !== null && ++s >= limit) return;
  }
}

/** A batch's labels; a dataset without them (images only) can be predicted on, not trained on or evaluated. */
function labelsOf(where: string, batch: InputBatch): Tensor {
  if (batch.y) return batch.y;
  throw new ValueError(
    invalid(
      where,
      'batch.y',
      'batches with labels ({ x, y }) to compute a loss',
      'a batch with x only',
      'A dataset made with labels: null or labelMode: null is for predict.',
    ),
  );
}

function stepsOf(source: Source, limit: number | null): number | null {
  const steps = source.kind === 'arrays' ? source.batches.steps : (source.dataset.length ?? null);
  return limit !== null ? (steps === null ? limit : Math.min(limit, steps)) : steps;
}

async function runEvaluation(
  model: Model,
  source: Source,
  verbose: 0 | 1 | 2,
  callbacks: Callback[],
  limit: number | null,
  prefix = '',
): Promise<Logs> {
  resetRunning(model);
  for (const cb of callbacks) await cb.onTestBegin({});
  const bar = verbose ? new ProgressBar({ target: stepsOf(source, limit), verbose }) : null;
  let step = 0;
  for await (const b of batchesOf(source, null, limit)) {
    runBatch(model, toList(b.x), labelsOf(prefix ? 'fit (validation)' : 'evaluate', b), b.sampleWeight ?? null, false);
    step++;
    bar?.update(step, runningLogs(model));
  }
  if (step === 0) throw emptyDataset(prefix ? 'fit (validation)' : 'evaluate', null);
  const logs = runningLogs(model, prefix);
  for (const cb of callbacks) await cb.onTestEnd(runningLogs(model));
  bar?.update(step, logs, true);
  return logs;
}

/** Keras fit on arrays or a Dataset. Returns the History callback. */
export async function fit(
  model: Model,
  x: InputData | Dataset,
  yOrOptions?: TensorLike | FitOptions,
  maybeOptions?: FitOptions,
): Promise<History> {
  const compiled = model.requireCompiled('fit');
  const dataMode = isDataset(x);
  const options = checkOptions<FitOptions>('fit', dataMode ? yOrOptions : maybeOptions, FIT_KEYS);
  const epochs = positiveInt('fit', 'epochs', options.epochs ?? 1);
  const batchSize = positiveInt('fit', 'batchSize', options.batchSize ?? 32);
  const verbose = options.verbose ?? 1;
  if (options.diagnose !== undefined && typeof options.diagnose !== 'boolean') {
    throw new ConfigError(invalid('fit', 'diagnose', 'true or false', options.diagnose));
  }
  const limit = options.stepsPerEpoch !== undefined ? positiveInt('fit', 'stepsPerEpoch', options.stepsPerEpoch) : null;
  let train: Source;
  let validation: Source | null = null;
  const valBatch = options.validationBatchSize ?? batchSize;
  if (isDataset(x)) {
    if (options.validationSplit)
      throw new ConfigError(
        "fit: 'validationSplit' needs array inputs. Expected arrays, received a Dataset; pass 'validationData' instead.",
      );
    train = { kind: 'dataset', dataset: x };
  } else {
    if (!yOrOptions || !('data' in yOrOptions)) throw new ConfigError(invalid('fit', 'y', 'a label tensor', yOrOptions));
    let xs = inputsOf('fit', 'x', x);
    let yt = asFloatTensor('fit', 'y', yOrOptions);
    let sw = options.sampleWeight ?? null;
    const split = options.validationSplit ?? 0;
    const n = xs[0]?.shape[0] ?? 0;
    checkSampleCount('fit', 'x', n, xs[0]?.shape ?? [0]);
    if (sw) checkSampleWeight('fit', 'sampleWeight', sw);
    checkLabelsUpFront(model, 'fit', 'y', xs, yt);
    if (split) {
      const at = validationSplitAt('fit', n, split);
      validation = {
        kind: 'arrays',
        batches: new ArrayBatches(
          xs.map((t) => rowsView(t, at, n)),
          rowsView(yt, at, n),
          valBatch,
          sw ? sw.subarray(at) : null,
        ),
      };
      xs = xs.map((t) => rowsView(t, 0, at));
      yt = rowsView(yt, 0, at);
      sw = sw ? sw.subarray(0, at) : null;
    }
    train = { kind: 'arrays', batches: new ArrayBatches(xs, yt, batchSize, sw) };
  }
  const vd = options.validationData;
  if (vd) {
    if (isDataset(vd)) validation = { kind: 'dataset', dataset: vd };
    else {
      if (!Array.isArray(vd) || vd.length < 2) {
        throw new ConfigError(invalid('fit', 'validationData', '[x, y], [x, y, sampleWeight] or a Dataset', vd));
      }
      const vxs = inputsOf('fit', 'validationData[0]', vd[0]);
      const vy = asFloatTensor('fit', 'validationData[1]', vd[1]);
      checkSampleCount('fit', 'validationData', vxs[0]?.shape[0] ?? 0, vxs[0]?.shape ?? [0]);
      if (vd[2]) checkSampleWeight('fit', 'validationData[2]', vd[2]);
      checkLabelsUpFront(model, 'fit', 'validationData[1]', vxs, vy);
      validation = { kind: 'arrays', batches: new ArrayBatches(vxs, vy, valBatch, vd[2] ?? null) };
    }
  }
  const classWeight = options.classWeight ?? null;
  if (classWeight && model.built) checkClassWeight('fit', classWeight, outputShapeOf(model));
  const history = new History();
  const callbacks = [...callbacksOf('fit', options.callbacks), history];
  const params: TrainParams = { epochs, steps: stepsOf(train, limit), verbose, initialEpoch: options.initialEpoch ?? 0 };
  for (const cb of callbacks) {
    cb.setModel(model);
    cb.setParams(params);
  }
  model.stopTraining = false;
  for (const cb of callbacks) await cb.onTrainBegin({});
  let start = params.initialEpoch;
  for (const cb of callbacks) {
    const resume = await cb.resumeEpoch();
    if (resume !== null) start = resume;
  }
  const shuffle = options.shuffle ?? true;
  let epochLogs: Logs = {};
  for (let epoch = start; epoch < epochs && !model.stopTraining; epoch++) {
    if (verbose && epochs > 1) writeOut(`Epoch ${epoch + 1}/${epochs}\n`);
    resetRunning(model);
    for (const cb of callbacks) await cb.onEpochBegin(epoch, {});
    const bar = verbose ? new ProgressBar({ target: params.steps, verbose }) : null;
    let step = 0;
    for await (const b of batchesOf(train, shuffle && train.kind === 'arrays' ? drawSeed() : null, limit)) {
      if (classWeight && step === 0 && epoch === start && train.kind === 'dataset') {
        // A Dataset-fed model may only now be built: check the weights against its output before the first step.
        prepare(model, toList(b.x));
        checkClassWeight('fit', classWeight, outputShapeOf(model));
      }
      for (const cb of callbacks) await cb.onTrainBatchBegin(step, {});
      const y = labelsOf('fit', b);
      const weights = combinedWeights(model, y, b.sampleWeight ?? null, classWeight);
      runBatch(model, toList(b.x), y, weights, true);
      const logs = runningLogs(model);
      for (const cb of callbacks) await cb.onTrainBatchEnd(step, logs);
      step++;
      bar?.update(step, logs);
      if (model.stopTraining) break;
    }
    if (step === 0 && !model.stopTraining) throw emptyDataset('fit', epoch);
    epochLogs = runningLogs(model);
    if (validation) Object.assign(epochLogs, await runEvaluation(model, validation, 0, callbacks, null, 'val_'));
    epochLogs.learning_rate = compiled.optimizer.currentLearningRate();
    for (const cb of callbacks) await cb.onEpochEnd(epoch, epochLogs);
    bar?.update(step, epochLogs, true);
  }
  for (const cb of callbacks) await cb.onTrainEnd(epochLogs);
  if ((options.diagnose ?? verbose !== 0) && history.epoch.length >= 2) writeOut(`${formatDiagnosis(diagnose(history))}\n`);
  return history;
}

/**
 * Loss and metrics over a whole dataset, as Keras returns them: the loss alone when no metrics were compiled, else
 * [loss, ...metrics] in compile order; with `returnDict` the named logs ({ loss, accuracy, ... }).
 */
export async function evaluate(
  model: Model,
  x: InputData | Dataset,
  yOrOptions?: TensorLike | EvaluateOptions,
  maybeOptions?: EvaluateOptions,
): Promise<number | number[] | Logs> {
  const compiled = model.requireCompiled('evaluate');
  const dataMode = isDataset(x);
  const options = checkOptions<EvaluateOptions>('evaluate', dataMode ? yOrOptions : maybeOptions, EVALUATE_KEYS);
  const batchSize = positiveInt('evaluate', 'batchSize', options.batchSize ?? 32);
  let source: Source;
  if (isDataset(x)) source = { kind: 'dataset', dataset: x };
  else {
    if (!yOrOptions || !('data' in yOrOptions)) {
      throw new ConfigError(invalid('evaluate', 'y', 'a label tensor', yOrOptions));
    }
    const xs = inputsOf('evaluate', 'x', x);
    const y = asFloatTensor('evaluate', 'y', yOrOptions);
    checkSampleCount('evaluate', 'x', xs[0]?.shape[0] ?? 0, xs[0]?.shape ?? [0]);
    if (options.sampleWeight) checkSampleWeight('evaluate', 'sampleWeight', options.sampleWeight);
    checkLabelsUpFront(model, 'evaluate', 'y', xs, y);
    source = { kind: 'arrays', batches: new ArrayBatches(xs, y, batchSize, options.sampleWeight ?? null) };
  }
  const callbacks = callbacksOf('evaluate', options.callbacks);
  for (const cb of callbacks) cb.setModel(model);
  const logs = await runEvaluation(model, source, options.verbose ?? 1, callbacks, options.steps ?? null);
  if (options.returnDict) return logs;
  const loss = logs.loss ?? Number.NaN;
  return compiled.metrics.length === 0 ? loss : [loss, ...compiled.metrics.map((m) => logs[m.name] ?? Number.NaN)];
}

/** Batched inference into one new output tensor. */
export async function predict(model: Model, x: InputData | InputDataset, rawOptions?: PredictOptions): Promise<Tensor> {
  const options = checkOptions<PredictOptions>('predict', rawOptions, PREDICT_KEYS);
  const batchSize = positiveInt('predict', 'batchSize', options.batchSize ?? 32);
  const callbacks = callbacksOf('predict', options.callbacks);
  for (const cb of callbacks) {
    cb.setModel(model);
    await cb.onPredictBegin({});
  }
  const source: Source = isDataset(x)
    ? { kind: 'dataset', dataset: x }
    : { kind: 'arrays', batches: new ArrayBatches(inputsOf('predict', 'x', x), null, batchSize) };
  const total = source.kind === 'arrays' ? source.batches.count : null;
  const verbose = options.verbose ?? 1;
  const bar = verbose ? new ProgressBar({ target: stepsOf(source, null), verbose }) : null;
  const chunks: Float32Array[] = [];
  let result: Float32Array | null = null;
  let rowShape: number[] = [];
  let rows = 0;
  let step = 0;
  for await (const b of batchesOf(source, null, null)) {
    const out = inferBatch(model, toList(b.x));
    const n = out.shape[0]!;
    rowShape = out.shape.slice(1);
    if (total !== null) {
      result ??= new Float32Array((out.data.length / Math.max(n, 1)) * total);
      result.set(out.data, rows * (out.data.length / Math.max(n, 1)));
    } else chunks.push(out.data.slice());
    rows += n;
    bar?.update(++step, {});
  }
  bar?.update(step, {}, true);
  for (const cb of callbacks) await cb.onPredictEnd({});
  if (!result) {
    result = new Float32Array(chunks.reduce((t, c) => t + c.length, 0));
    let offset = 0;
    for (const c of chunks) {
      result.set(c, offset);
      offset += c.length;
    }
  }
  return { data: result, shape: [rows, ...rowShape] };
}

/** One optimizer step on one batch; returns that batch's logs (metrics over this batch only). */
export async function trainOnBatch(model: Model, x: InputData, y: TensorLike, sampleWeight?: Float32Array): Promise<Logs> {
  resetRunning(model);
  runBatch(model, inputsOf('trainOnBatch', 'x', x), asFloatTensor('trainOnBatch', 'y', y), sampleWeight ?? null, true);
  return runningLogs(model);
}

export async function testOnBatch(model: Model, x: InputData, y: TensorLike, sampleWeight?: Float32Array): Promise<Logs> {
  resetRunning(model);
  runBatch(model, inputsOf('testOnBatch', 'x', x), asFloatTensor('testOnBatch', 'y', y), sampleWeight ?? null, false);
  return runningLogs(model);
}

export async function predictOnBatch(model: Model, x: InputData): Promise<Tensor> {
  const xs = inputsOf('predictOnBatch', 'x', x);
  prepare(model, xs);
  const out = inferBatch(model, xs);
  stepState(model);
  return { data: out.data.slice(), shape: [...out.shape] };
}
