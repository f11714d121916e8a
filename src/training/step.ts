// One batch of training, evaluation or inference on a model: forward, loss (fused with the output softmax or
// sigmoid when possible), backward, regularization, optimizer step, metric updates. Buffers live in a per-model
// state and are reused while the batch size is unchanged. Not here: epochs, callbacks, batching (trainer.ts).

import type { Backend, LossKind } from '../backend/backend.js';
import { ThreadTuner } from '../backend/thread-tuner.js';
import type { Logs } from '../callbacks/callback.js';
import { ShapeError, ValueError } from '../errors.js';
import type { CallContext } from '../layers/layer.js';
import type { Model } from '../models/model.js';
import { formatShape, type Tensor } from '../tensor.js';
import { checkLabelShape, checkSampleCount, checkSampleWeight } from './data-checks.js';
import type { Loss } from './losses.js';
import { drawSeed } from './seed.js';

/** Per-model training scratch: call context, loss buffers, running epoch totals. */
export interface StepState {
  ctx: CallContext;
  losses: Float32Array;
  dInput: Float32Array;
  weights: Float32Array;
  /** Running sums for the epoch: loss weighted by batch size. */
  lossSum: number;
  seen: number;
  /** Adaptive thread counts, one per kind of step ('train:64', 'infer:32'): only like steps are compared. */
  tuners: Map<string, { backend: Backend; tuner: ThreadTuner }>;
}

/** Kinds of step tuned per model; beyond this (odd batch sizes from a Dataset) the oldest is dropped. */
const MAX_TUNERS = 8;

const states = new WeakMap<Model, StepState>();

export function stepState(model: Model): StepState {
  let state = states.get(model);
  if (!state) {
    state = {
      ctx: { backend: model.backend, training: false, needsInputGrad: false, rng: { seed: drawSeed(), offset: 0 } },
      losses: new Float32Array(0),
      dInput: new Float32Array(0),
      weights: new Float32Array(0),
      lossSum: 0,
      seen: 0,
      tuners: new Map(),
    };
    states.set(model, state);
  }
  state.ctx.backend = model.backend;
  return state;
}

/** Resets the running epoch averages (loss and metrics). */
export function resetRunning(model: Model): void {
  const state = stepState(model);
  state.lossSum = 0;
  state.seen = 0;
  for (const m of model.requireCompiled('fit').metrics) m.reset();
}

/** Running epoch logs in Keras's names: metrics first as compiled, then loss. */
export function runningLogs(model: Model, prefix = ''): Logs {
  const state = stepState(model);
  const logs: Logs = {};
  for (const m of model.requireCompiled('fit').metrics) logs[prefix + m.name] = m.result();
  logs[`${prefix}loss`] = state.seen === 0 ? 0 : state.lossSum / state.seen;
  return logs;
}

/**
 * The thread tuner for this kind of step, or null when the backend's count is fixed (setThreads with a number,
 * OMP_NUM_THREADS) or single-threaded.
 */
function tunerFor(state: StepState, backend: Backend, kind: string): ThreadTuner | null {
  const candidates = backend.autoThreadCandidates();
  if (candidates.length < 2) return null;
  const found = state.tuners.get(kind);
  if (found?.backend === backend) return found.tuner;
  if (state.tuners.size >= MAX_TUNERS) state.tuners.delete(state.tuners.keys().next().value!);
  const tuner = new ThreadTuner({ candidates, apply: (count) => backend.applyAutoThreads(count) });
  state.tuners.set(kind, { backend, tuner });
  return tuner;
}

/** Runs one step under the adaptive thread count (a step that throws is not timed). */
function tuned<T>(state: StepState, kind: string, step: () => T): T {
  const tuner = tunerFor(state, state.ctx.backend, kind);
  tuner?.begin();
  const result = step();
  tuner?.end();
  return result;
}

/** Builds a lazily-shaped model (Sequential without an input shape) for this data and checks shapes. */
export function prepare(model: Model, xs: Tensor[]): void {
  if (!model.built) model.build(xs.length === 1 ? [null, ...xs[0]!.shape.slice(1)] : xs.map((x) => [null, ...x.shape.slice(1)]));
  model.checkInputs(xs);
}

const FUSIONS: Partial<Record<LossKind, string>> = {
  categoricalCrossentropy: 'softmax',
  sparseCategoricalCrossentropy: 'softmax',
  binaryCrossentropy: 'sigmoid',
};

function ensure(buffer: Float32Array, length: number): Float32Array {
  return buffer.length === length ? buffer : new Float32Array(length);
}

/**
 * Validates labels against the prediction and the loss; ShapeError names expected and received shapes. `first` is
 * the dataset index of the batch's first row (samples already seen this epoch), so an error names the sample.
 */
function checkLabels(model: Model, kind: LossKind, out: Tensor, y: Tensor, first: number): void {
  const n = out.shape[0]!;
  if (y.shape[0] !== n) {
    throw new ShapeError(
      `${model.name}: labels and inputs differ in length. Expected ${n} labels, received ${formatShape(y.shape)}.`,
    );
  }
  checkLabelShape(model.name, kind, out.shape, y.shape);
  if (kind === 'sparseCategoricalCrossentropy') {
    // Arrays were checked whole before the first step; this catches streamed (Dataset) batches.
    const classes = out.data.length / Math.max(n, 1);
    for (let i = 0; i < n; i++) {
      const v = y.data[i]!;
      if (!(Number.isInteger(v) && v >= 0 && v < classes)) {
        throw new ValueError(
          `${model.name}: invalid label ${v} at dataset index ${first + i} (row ${i} of this batch). Expected an integer class index in [0, ${classes - 1}] (the model has ${classes} output units), received ${v}.`,
        );
      }
    }
  }
  if (kind === 'categoricalCrossentropy' || kind === 'binaryCrossentropy') {
    for (let i = 0; i < y.data.length; i++) {
      const v = y.data[i]!;
      if (!(v >= 0 && v <= 1)) {
        throw new ValueError(
          `${model.name}: invalid label ${v} at dataset index ${first + Math.floor(i / Math.max(y.data.length / Math.max(n, 1), 1))} (element ${i} of this batch). Expected values in [0, 1] for ${kind}, received ${v}.`,
        );
      }
    }
  }
}

/**
 * Runs forward + loss (+ backward and an optimizer step when `train`) on one batch, updates running loss and
 * metrics, and returns the batch loss (NaN stays NaN).
 */
export function runBatch(model: Model, xs: Tensor[], y: Tensor, sampleWeight: Float32Array | null, train: boolean): number {
  // Also here, not only before fit: trainOnBatch and Dataset batches come this way unchecked.
  const where = train ? 'fit' : 'evaluate';
  checkSampleCount(where, 'x', xs[0]?.shape[0] ?? 0, xs[0]?.shape ?? [0]);
  if (sampleWeight) checkSampleWeight(where, 'sampleWeight', sampleWeight);
  const kind = `${train ? 'train' : 'test'}:${xs[0]?.shape[0] ?? 0}`;
  return tuned(stepState(model), kind, () => runBatchOnce(model, xs, y, sampleWeight, train));
}

function runBatchOnce(model: Model, xs: Tensor[], y: Tensor, sampleWeight: Float32Array | null, train: boolean): number {
  const compiled = model.requireCompiled(train ? 'fit' : 'evaluate');
  const state = stepState(model);
  const { ctx } = state;
  const backend: Backend = ctx.backend;
  const loss = compiled.loss;
  prepare(model, xs);
  ctx.training = train;
  ctx.needsInputGrad = false;
  const out = model.forward(xs, ctx);
  const n = out.shape[0]!;
  const classes = out.data.length / Math.max(n, 1);
  checkLabels(model, loss.kind, out, y, state.seen);
  const fusable = loss.fromLogits ? null : model.fusableOutputLayer();
  const fused = fusable !== null && FUSIONS[loss.kind] === fusable.outputActivation();
  const input = fused ? fusable.preActivation() : out;
  state.losses = ensure(state.losses, n);
  state.dInput = ensure(state.dInput, input.data.length);
  backend.lossForward(state.losses, train ? state.dInput : null, input.data, y.data, {
    kind: loss.kind,
    batch: n,
    classes,
    fromLogits: fused || loss.fromLogits,
    labelSmoothing: loss.labelSmoothing,
    ...(sampleWeight ? { sampleWeight } : {}),
  });
  let total = 0;
  for (let i = 0; i < n; i++) total += state.losses[i]!;
  let batchLoss = total / Math.max(n, 1);
  const trainable = train ? model.trainableWeights : [];
  for (const w of model.weights) if (w.regularizer) batchLoss += w.regularizer.penalty(w.value);
  if (train) {
    model.backwardFrom({ data: state.dInput, shape: input.shape }, ctx, fused);
    for (const w of trainable) if (w.regularizer) w.regularizer.addGradient(w.grad, w.value);
    compiled.optimizer.applyGradients(backend, trainable);
  }
  state.lossSum += batchLoss * n;
  state.seen += n;
  for (const m of compiled.metrics) m.update(out, y, backend);
  ctx.training = false;
  return batchLoss;
}

/** Forward in inference mode. The returned tensor is the model's buffer, valid until the next call. */
export function inferBatch(model: Model, xs: Tensor[]): Tensor {
  const state = stepState(model);
  prepare(model, xs);
  state.ctx.training = false;
  state.ctx.needsInputGrad = false;
  return tuned(state, `infer:${xs[0]?.shape[0] ?? 0}`, () => model.forward(xs, state.ctx));
}

/** Per-sample weights = sampleWeight * classWeight[label], written into the state's buffer (null if neither). */
export function combinedWeights(
  model: Model,
  y: Tensor,
  sampleWeight: Float32Array | null,
  classWeight: Record<number, number> | null,
): Float32Array | null {
  if (!classWeight) return sampleWeight;
  const state = stepState(model);
  const n = y.shape[0]!;
  state.weights = state.weights.length >= n ? state.weights : new Float32Array(n);
  const out = state.weights.subarray(0, n);
  const per = y.data.length / Math.max(n, 1);
  for (let i = 0; i < n; i++) {
    let label = 0;
    if (per === 1)
      label = model.requireCompiled('fit').loss.kind === 'binaryCrossentropy' ? (y.data[i]! > 0.5 ? 1 : 0) : y.data[i]!;
    else for (let c = 1; c < per; c++) if (y.data[i * per + c]! > y.data[i * per + label]!) label = c;
    out[i] = (sampleWeight ? sampleWeight[i]! : 1) * (classWeight[label] ?? 1);
  }
  return out;
}

/**
 * Inference on one batch with each sample's loss, computed the way runBatch computes it (fused with the output
 * softmax or sigmoid when possible), without touching the running totals, metrics or weights. Returns copies.
 * y must already be in the loss's label format (class indices for the sparse loss, one-hot or 0/1 otherwise).
 */
export function predictWithLosses(model: Model, xs: Tensor[], y: Tensor, loss: Loss): { output: Tensor; losses: Float32Array } {
  const state = stepState(model);
  const out = inferBatch(model, xs);
  const n = out.shape[0]!;
  const output: Tensor = { data: out.data.slice(), shape: [...out.shape] };
  checkLabels(model, loss.kind, out, y, 0);
  const fusable = loss.fromLogits ? null : model.fusableOutputLayer();
  const fused = fusable !== null && FUSIONS[loss.kind] === fusable.outputActivation();
  const input = fused ? fusable.preActivation() : out;
  const losses = new Float32Array(n);
  state.ctx.backend.lossForward(losses, null, input.data, y.data, {
    kind: loss.kind,
    batch: n,
    classes: input.data.length / Math.max(n, 1),
    fromLogits: fused || loss.fromLogits,
    labelSmoothing: loss.labelSmoothing,
  });
  return { output, losses };
}
