// The functional Model: a DAG of layer calls recovered from symbolic tensors, run in topological order, with
// gradients summed where a tensor feeds several layers. A Model is itself a Layer, so models nest. Training
// (compile/fit/evaluate/predict) lives in src/training/trainer.ts; this file only delegates to it. Not supported:
// shared layers (one layer called twice) and several outputs.

import type { Backend } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import type { Logs, RandomState, TrainingTarget } from '../callbacks/callback.js';
import { ConfigError, invalid, NotFoundError, ShapeError, StateError } from '../errors.js';
import type { LoadWeightsOptions, WeightsReport } from '../io/load-model.js';
import { type CallContext, type FusableOutputLayer, isFusableOutputLayer, Layer, type LayerWeight } from '../layers/layer.js';
import { checkOptions } from '../options.js';
import { formatShape, type Shape, type Tensor } from '../tensor.js';
import { type CompileArgs, type CompiledState, compileModel } from '../training/compile.js';
import type { Dataset, InputDataset } from '../training/data.js';
import type { History } from '../training/history.js';
import type { TensorLike } from '../training/labels.js';
import { getSeedState, setSeedState } from '../training/seed.js';
import { stepState } from '../training/step.js';
import type { EvaluateOptions, FitOptions, InputData, PredictOptions } from '../training/trainer.js';
import * as trainer from '../training/trainer.js';
import { isInputLayer, type SymbolicTensor, shapeCompatible } from './input.js';
import { type ModelArgs, type ModelOptions, parseModelArgs } from './model-args.js';
import { summary as printSummary, type SummaryOptions } from './summary.js';

/** The contract this model needs from src/io/keras-file.ts (written by the I/O side, imported lazily). */
export interface KerasFileModule {
  saveModel(model: Model, path: string, options: { weightsOnly?: boolean; includeOptimizer?: boolean }): Promise<void>;
  /** Loads weights and, when saved, optimizer state into an existing model of the same architecture. */
  loadStateInto(model: Model, path: string): Promise<void>;
  /** Loads weights only (legacy `.h5`, `.weights.h5`, or the weights inside a `.keras`) and reports what matched. */
  loadWeights(model: Model, path: string, options?: LoadWeightsOptions): Promise<WeightsReport>;
}

// A variable path keeps this browser-safe module from pulling in file I/O until save()/restore() is called.
const KERAS_FILE = '../io/keras-file.js';

export type { ModelArgs, ModelOptions } from './model-args.js';

/** One layer call in the graph: which slots feed it and which slot it fills. */
export interface GraphNode {
  layer: Layer;
  inSlots: number[];
  outSlot: number;
  /** The symbolic output of this call (shape, inbound tensors). */
  tensor: SymbolicTensor;
}

/**
 * A Keras functional model. Build it from `Input()` and `callLayer()` (or `layer.apply()`), then compile and fit.
 * @example
 * const inputs = Input({ shape: [8] });
 * const h = new Dense(16, { activation: 'relu' }).apply(inputs);
 * const model = new Model(inputs, new Dense(3, { activation: 'softmax' }).apply(h));
 */
export class Model extends Layer implements TrainingTarget {
  readonly className: string = 'Functional';
  /** Set by callbacks (EarlyStopping, TerminateOnNaN) to end fit(). */
  stopTraining = false;
  /** The backend used by this model; getBackend() unless set. */
  backendOverride: Backend | null = null;
  compiled: CompiledState | null = null;

  protected inputTensors: SymbolicTensor[] = [];
  protected outputTensors: SymbolicTensor[] = [];
  protected nodes: GraphNode[] = [];
  private fanout: number[] = [];
  private values: (Tensor | null)[] = [];
  private grads: (Tensor | null)[] = [];
  private accum: (Float32Array | null)[] = [];
  private needGrad: boolean[] = [];
  private nodeNeedsInputGrad: boolean[] = [];
  private syncedTrainable = true;
  /** The fit/evaluate/predict call in progress, if any (one at a time). */
  private running: string | null = null;
  /** Automatic-name base; subclasses override ('sequential'). */
  protected static readonly nameBase: string = 'functional';

  /** Keras's `Model(inputs, outputs, name=...)`, or one object `{ inputs, outputs, name }`. */
  constructor(inputs: SymbolicTensor | SymbolicTensor[], outputs: SymbolicTensor | SymbolicTensor[], options?: ModelOptions);
  constructor(args?: ModelArgs | ModelOptions);
  constructor(
    first?: ModelArgs | ModelOptions | SymbolicTensor | SymbolicTensor[],
    outputs?: SymbolicTensor | SymbolicTensor[],
    options?: ModelOptions,
  ) {
    const nameBase = (new.target as unknown as { nameBase: string }).nameBase;
    const args = parseModelArgs(first, outputs, options);
    const { name, trainable } = args;
    super({ ...(name !== undefined ? { name } : {}), ...(trainable !== undefined ? { trainable } : {}) }, nameBase);
    if (args.inputs !== undefined && args.outputs !== undefined) this.setGraph(args.inputs, args.outputs);
  }

  get backend(): Backend {
    return this.backendOverride ?? getBackend();
  }

  /** Symbolic inputs and outputs (Keras `model.inputs` / `model.outputs`). */
  get inputs(): SymbolicTensor[] {
    return this.inputTensors;
  }

  get outputs(): SymbolicTensor[] {
    return this.outputTensors;
  }

  /** The layers in topological order, InputLayers first (Sequential leaves them out, as Keras does). */
  get layers(): Layer[] {
    return [...this.inputTensors.map((t) => t.layer), ...this.nodes.map((n) => n.layer)];
  }

  /** Keras getLayer: by name or by index into `layers`. */
  getLayer(nameOrIndex: string | number): Layer {
    const layers = this.layers;
    if (typeof nameOrIndex === 'number') {
      const layer = layers[nameOrIndex];
      if (!layer) throw new NotFoundError(invalid(`${this.name}.getLayer`, 'index', `0..${layers.length - 1}`, nameOrIndex));
      return layer;
    }
    const layer = layers.find((l) => l.name === nameOrIndex);
    if (!layer) {
      throw new NotFoundError(
        invalid(`${this.name}.getLayer`, 'name', `one of ${layers.map((l) => l.name).join(', ')}`, nameOrIndex),
      );
    }
    return layer;
  }

  /** Wires the graph from symbolic inputs to outputs (topological order by depth-first search). */
  protected setGraph(inputs: SymbolicTensor | SymbolicTensor[], outputs: SymbolicTensor | SymbolicTensor[]): void {
    this.inputTensors = Array.isArray(inputs) ? [...inputs] : [inputs];
    this.outputTensors = Array.isArray(outputs) ? [...outputs] : [outputs];
    if (this.outputTensors.length !== 1) {
      throw new ConfigError(
        invalid(
          `Model '${this.name}'`,
          'outputs',
          'exactly one output tensor',
          this.outputTensors.length,
          'Multi-output models are not supported.',
        ),
      );
    }
    const slotOf = new Map<SymbolicTensor, number>();
    this.inputTensors.forEach((t, i) => {
      if (!isInputLayer(t.layer))
        throw new ConfigError(invalid(`Model '${this.name}'`, 'inputs', 'tensors made by Input()', t.name));
      slotOf.set(t, i);
    });
    const nodes: GraphNode[] = [];
    const visiting = new Set<SymbolicTensor>();
    const visit = (t: SymbolicTensor): number => {
      const known = slotOf.get(t);
      if (known !== undefined) return known;
      if (isInputLayer(t.layer)) {
        throw new ConfigError(
          `Model '${this.name}': graph disconnected. Expected every path to start at one of the model inputs (${this.inputTensors.map((i) => i.name).join(', ')}), received input '${t.name}'. Add it to 'inputs'.`,
        );
      }
      if (visiting.has(t)) throw new ConfigError(`Model '${this.name}': the graph has a cycle through '${t.name}'.`);
      visiting.add(t);
      const inSlots = t.inbound.map(visit);
      const outSlot = this.inputTensors.length + nodes.length;
      nodes.push({ layer: t.layer, inSlots, outSlot, tensor: t });
      slotOf.set(t, outSlot);
      return outSlot;
    };
    for (const out of this.outputTensors) visit(out);
    this.nodes = nodes;
    const slots = this.inputTensors.length + nodes.length;
    this.fanout = new Array<number>(slots).fill(0);
    for (const n of nodes) for (const s of n.inSlots) this.fanout[s] = (this.fanout[s] ?? 0) + 1;
    this.values = new Array<Tensor | null>(slots).fill(null);
    this.grads = new Array<Tensor | null>(slots).fill(null);
    this.accum = new Array<Float32Array | null>(slots).fill(null);
    this.needGrad = new Array<boolean>(slots).fill(false);
    this.nodeNeedsInputGrad = new Array<boolean>(nodes.length).fill(false);
    this.refreshWeights();
    this.inputShape = this.inputTensors.length === 1 ? this.inputTensors[0]!.shape : this.inputTensors.map((t) => t.shape);
    this.built = true;
  }

  /** Re-collects `weights` from the layers (Keras order: by layer, each layer's weights in order). */
  protected refreshWeights(): void {
    this.weights.length = 0;
    for (const n of this.nodes) this.weights.push(...n.layer.weights);
  }

  /** Keras: setting a nested model's trainable flag sets it on every layer inside. Applied lazily. */
  syncTrainable(): void {
    if (this.trainable !== this.syncedTrainable) {
      for (const n of this.nodes) n.layer.trainable = this.trainable;
      this.syncedTrainable = this.trainable;
    }
    for (const n of this.nodes) if (n.layer instanceof Model) n.layer.syncTrainable();
  }

  override get trainableWeights(): LayerWeight[] {
    this.syncTrainable();
    if (!this.trainable) return [];
    return this.nodes.flatMap((n) => n.layer.trainableWeights);
  }

  override get nonTrainableWeights(): LayerWeight[] {
    this.syncTrainable();
    if (!this.trainable) return [...this.weights];
    return this.nodes.flatMap((n) => n.layer.nonTrainableWeights);
  }

  override declaredBatchInputShape(): Shape | null {
    return this.inputTensors.length === 1 ? this.inputTensors[0]!.shape : null;
  }

  /** Graph nodes in topological order (for summary and config). */
  get graphNodes(): readonly GraphNode[] {
    return this.nodes;
  }

  /** The shape one batch must have, batch first (first input). */
  expectedInputShapes(): Shape[] {
    return this.inputTensors.map((t) => t.shape);
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shapes = (this.inputTensors.length === 1 ? [inputShape] : inputShape) as Shape[];
    this.inputTensors.forEach((t, i) => {
      const s = shapes[i];
      if (!s || !shapeCompatible(t.shape, s)) {
        throw new ShapeError(invalid(this.name, `inputs[${i}]`, `shape ${formatShape(t.shape)}`, s ? formatShape(s) : s));
      }
    });
    return [shapes[0]![0] ?? null, ...this.outputTensors[0]!.shape.slice(1)];
  }

  /** Checks concrete input tensors against the declared input shapes; ShapeError names both. */
  checkInputs(inputs: Tensor[]): void {
    if (inputs.length !== this.inputTensors.length) {
      throw new ShapeError(invalid(this.name, 'inputs', `${this.inputTensors.length} tensor(s)`, inputs.length));
    }
    inputs.forEach((x, i) => {
      const declared = this.inputTensors[i]!.shape;
      if (!shapeCompatible(declared, x.shape)) {
        throw new ShapeError(
          `${this.name}: invalid input ${i}. Expected shape ${formatShape(declared)}, received ${formatShape(x.shape)}. Reshape the data (images are (N, H, W, C)).`,
        );
      }
    });
  }

  forward(inputs: Tensor[], ctx: CallContext): Tensor {
    this.syncTrainable();
    this.checkInputs(inputs);
    const outer = ctx.needsInputGrad;
    inputs.forEach((x, i) => {
      this.values[i] = x;
      this.needGrad[i] = outer;
    });
    this.nodes.forEach((node, k) => {
      const ins = node.inSlots.map((s) => this.values[s]!);
      let need = false;
      for (const s of node.inSlots) need ||= this.needGrad[s]!;
      this.nodeNeedsInputGrad[k] = need;
      this.needGrad[node.outSlot] = need || (ctx.training && node.layer.trainableWeights.length > 0);
      ctx.needsInputGrad = need;
      const out = node.layer.forward(ins, ctx);
      if (ctx.training) ctx.rng.offset += out.data.length;
      this.values[node.outSlot] = out;
    });
    ctx.needsInputGrad = outer;
    return this.values[this.nodes.length ? this.nodes[this.nodes.length - 1]!.outSlot : 0]!;
  }

  backward(dy: Tensor, ctx: CallContext): (Tensor | null)[] {
    return this.backwardFrom(dy, ctx, false);
  }

  /** The output layer when its activation may be fused into the loss, else null. */
  fusableOutputLayer(): (Layer & FusableOutputLayer) | null {
    const last = this.nodes[this.nodes.length - 1];
    return last && isFusableOutputLayer(last.layer) ? last.layer : null;
  }

  /**
   * Backpropagates dy from the output. With `fused`, dy is the gradient w.r.t. the output layer's
   * pre-activation and that layer's backwardPreActivation() is used.
   */
  backwardFrom(dy: Tensor, ctx: CallContext, fused: boolean): (Tensor | null)[] {
    const backend = ctx.backend;
    const outer = ctx.needsInputGrad;
    this.grads.fill(null);
    const last = this.nodes.length - 1;
    if (last < 0) return [dy];
    this.grads[this.nodes[last]!.outSlot] = dy;
    for (let k = last; k >= 0; k--) {
      const node = this.nodes[k]!;
      const g = this.grads[node.outSlot];
      if (!g || !this.needGrad[node.outSlot]) continue;
      ctx.needsInputGrad = this.nodeNeedsInputGrad[k]!;
      const layer = node.layer;
      const dxs =
        fused && k === last && isFusableOutputLayer(layer) ? layer.backwardPreActivation(g, ctx) : layer.backward(g, ctx);
      if (!ctx.needsInputGrad) continue;
      node.inSlots.forEach((slot, i) => {
        const dx = dxs[i];
        if (dx) this.addGrad(backend, slot, dx);
      });
    }
    ctx.needsInputGrad = outer;
    return this.inputTensors.map((_, i) => (outer ? this.grads[i]! : null));
  }

  private addGrad(backend: Backend, slot: number, dx: Tensor): void {
    const current = this.grads[slot];
    if ((this.fanout[slot] ?? 0) <= 1) {
      this.grads[slot] = dx;
      return;
    }
    if (!current) {
      let buffer = this.accum[slot];
      if (!buffer || buffer.length !== dx.data.length) {
        buffer = new Float32Array(dx.data.length);
        this.accum[slot] = buffer;
      }
      buffer.set(dx.data);
      this.grads[slot] = { data: buffer, shape: dx.shape };
      return;
    }
    backend.axpby(current.data, current.data, dx.data, 1, 1);
  }

  protected layerConfig(): Record<string, unknown> {
    return {};
  }

  override flopsPerSample(): number {
    return this.nodes.reduce((t, n) => t + n.layer.flopsPerSample(), 0);
  }

  // ---- Keras API: summary, training, persistence (TrainingTarget) ----

  /** Prints Keras's summary table and returns it. @example model.summary(); */
  summary(printFn: ((line: string) => void) | SummaryOptions = console.log, lineLength?: number): string {
    const options: SummaryOptions =
      typeof printFn === 'function'
        ? { printFn, ...(lineLength ? { lineLength } : {}) }
        : checkOptions<SummaryOptions>('summary', printFn, ['printFn', 'lineLength', 'showFlops']);
    return printSummary(this, options);
  }

  /** Runs one fit/evaluate/predict at a time: a second call while one is running throws instead of interleaving. */
  private async exclusive<T>(what: string, run: () => Promise<T>): Promise<T> {
    if (this.running !== null) {
      throw new StateError(
        `${this.name}.${what}: the model is still running ${this.running}(). Expected one call at a time, received ${what}() while ${this.running}() is in progress. Hint: await model.${this.running}(...) before calling ${what}().`,
      );
    }
    this.running = what;
    try {
      return await run();
    } finally {
      this.running = null;
    }
  }

  /** @example model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] }); */
  compile(args: CompileArgs): void {
    this.compiled = compileModel(this, args);
  }

  /**
   * Keras fit. Labels may be any numeric array (Uint8Array from mnist.loadData() included).
   * @example const history = await model.fit(x, y, { epochs: 5, batchSize: 64, validationSplit: 0.1 });
   */
  async fit(x: InputData | Dataset, y?: TensorLike | FitOptions, options?: FitOptions): Promise<History> {
    return this.exclusive('fit', () => trainer.fit(this, x, y, options));
  }

  /**
   * Keras evaluate: the loss alone when no metrics were compiled, else [loss, ...metrics] in compile order;
   * `returnDict: true` gives named logs.
   * @example const [loss, accuracy] = (await model.evaluate(xTest, yTest)) as number[];
   */
  evaluate(x: InputData, y: TensorLike, options: EvaluateOptions & { returnDict: true }): Promise<Logs>;
  evaluate(x: Dataset, options: EvaluateOptions & { returnDict: true }): Promise<Logs>;
  evaluate(x: InputData | Dataset, y?: TensorLike | EvaluateOptions, options?: EvaluateOptions): Promise<number | number[]>;
  async evaluate(
    x: InputData | Dataset,
    y?: TensorLike | EvaluateOptions,
    options?: EvaluateOptions,
  ): Promise<number | number[] | Logs> {
    return this.exclusive('evaluate', () => trainer.evaluate(this, x, y, options));
  }

  /** Batched inference. @example const probs = await model.predict(xTest, { batchSize: 128 }); */
  async predict(x: InputData | InputDataset, options?: PredictOptions): Promise<Tensor> {
    return this.exclusive('predict', () => trainer.predict(this, x, options));
  }

  async trainOnBatch(x: InputData, y: TensorLike, sampleWeight?: Float32Array): Promise<Logs> {
    return this.exclusive('trainOnBatch', () => trainer.trainOnBatch(this, x, y, sampleWeight));
  }

  async testOnBatch(x: InputData, y: TensorLike, sampleWeight?: Float32Array): Promise<Logs> {
    return this.exclusive('testOnBatch', () => trainer.testOnBatch(this, x, y, sampleWeight));
  }

  async predictOnBatch(x: InputData): Promise<Tensor> {
    return this.exclusive('predictOnBatch', () => trainer.predictOnBatch(this, x));
  }

  /** Whether compile() has been called. */
  isCompiled(): boolean {
    return this.compiled !== null;
  }

  getLearningRate(): number {
    return this.requireCompiled('getLearningRate').optimizer.currentLearningRate();
  }

  setLearningRate(value: number): void {
    this.requireCompiled('setLearningRate').optimizer.learningRate = value;
  }

  /** Writes a .keras file (or weights only) through src/io/keras-file.ts. */
  async save(path: string, options: { weightsOnly?: boolean; includeOptimizer?: boolean } = {}): Promise<void> {
    const io = (await import(KERAS_FILE)) as KerasFileModule;
    await io.saveModel(this, path, options);
  }

  /**
   * Keras save_weights: the weights alone, to a path ending in '.weights.h5' (Node; written atomically).
   * @example await model.saveWeights('ckpt.weights.h5');
   */
  async saveWeights(path: string): Promise<void> {
    if (typeof path !== 'string' || !path.endsWith('.weights.h5')) {
      throw new ConfigError(
        invalid(
          `${this.name}.saveWeights`,
          'path',
          "a path ending in '.weights.h5'",
          path,
          'Keras 3 names weights files *.weights.h5.',
        ),
      );
    }
    const io = (await import(KERAS_FILE)) as KerasFileModule;
    await io.saveModel(this, path, { weightsOnly: true });
  }

  /**
   * Keras load_weights (Node): weights from a legacy '.h5' (by layer name, or by order with byName: false), a
   * '.weights.h5' or a '.keras' file into this built model. Returns what matched, missed and was skipped.
   * @example const report = await model.loadWeights('mobilenet_2_5_224_tf_no_top.h5', { skipMismatch: true });
   */
  async loadWeights(path: string, options?: LoadWeightsOptions): Promise<WeightsReport> {
    const io = (await import(KERAS_FILE)) as KerasFileModule;
    return io.loadWeights(this, path, options);
  }

  /** Loads weights (and optimizer state when present) saved by save() back into this model. */
  async restore(path: string): Promise<void> {
    const io = (await import(KERAS_FILE)) as KerasFileModule;
    await io.loadStateInto(this, path);
  }

  getRandomState(): RandomState {
    const rng = stepState(this).ctx.rng;
    return { ...getSeedState(), dropoutSeed: rng.seed, dropoutOffset: rng.offset };
  }

  setRandomState(state: RandomState): void {
    const rng = stepState(this).ctx.rng;
    setSeedState({ baseSeed: state.baseSeed, draws: state.draws });
    rng.seed = state.dropoutSeed;
    rng.offset = state.dropoutOffset;
  }

  /** Keras count_params: all weights, trainable or not. */
  override countParams(): number {
    return this.weights.reduce((t, w) => t + w.value.length, 0);
  }

  requireCompiled(where: string): CompiledState {
    if (!this.compiled) {
      throw new ConfigError(
        `${this.name}.${where}: the model is not compiled. Call model.compile({ optimizer, loss, metrics }) first.`,
      );
    }
    return this.compiled;
  }
}
