// The optimizer base: learning rate (number or schedule), step count, gradient clipping (clipnorm per variable,
// globalClipnorm, clipvalue), per-weight slot buffers and their state for saving. Each subclass implements one
// `updateStep` calling a backend update kernel. Not here: EMA, loss scaling, gradient accumulation.

import type { Backend } from '../../backend/backend.js';
import { ConfigError, invalid, ShapeError } from '../../errors.js';
import type { LayerWeight } from '../../layers/layer.js';
import { LearningRateSchedule } from '../schedules.js';

export interface OptimizerConfig {
  learningRate?: number | LearningRateSchedule;
  /** Clip each gradient to this L2 norm. */
  clipnorm?: number | null;
  /** Clip all gradients together to this global L2 norm. */
  globalClipnorm?: number | null;
  /** Clip each gradient element to [-clipvalue, clipvalue]. */
  clipvalue?: number | null;
  weightDecay?: number | null;
  name?: string;
}

/** Options every optimizer accepts (Keras's base optimizer arguments that convkit implements). */
export const BASE_OPTIMIZER_KEYS = ['learningRate', 'clipnorm', 'globalClipnorm', 'clipvalue', 'weightDecay', 'name'] as const;

/** A named optimizer variable (Keras order: iterations, learning_rate, then slots per weight). */
export interface OptimizerVariable {
  name: string;
  value: Float32Array;
}

export abstract class Optimizer {
  abstract readonly className: string;
  name: string;
  /** Steps applied so far (Keras `iterations`). */
  iterations = 0;
  clipnorm: number | null;
  globalClipnorm: number | null;
  clipvalue: number | null;
  weightDecay: number | null;
  private lr: number | LearningRateSchedule;
  protected slots = new Map<LayerWeight, Float32Array[]>();
  /** Weights in first-seen order, so state lists are stable. */
  protected order: LayerWeight[] = [];

  constructor(config: OptimizerConfig, defaults: { learningRate: number; name: string }) {
    this.lr = config.learningRate ?? defaults.learningRate;
    this.name = config.name ?? defaults.name;
    this.clipnorm = config.clipnorm ?? null;
    this.globalClipnorm = config.globalClipnorm ?? null;
    this.clipvalue = config.clipvalue ?? null;
    this.weightDecay = config.weightDecay ?? null;
    if (typeof this.lr === 'number' && !(this.lr >= 0))
      throw new ConfigError(invalid(this.name, 'learningRate', 'a non-negative number', this.lr));
    if (this.clipnorm !== null && this.globalClipnorm !== null) {
      throw new ConfigError(`${this.name}: give either 'clipnorm' or 'globalClipnorm', received both.`);
    }
  }

  /** The learning rate, or its schedule. Assigning a number replaces a schedule. */
  get learningRate(): number | LearningRateSchedule {
    return this.lr;
  }

  set learningRate(value: number | LearningRateSchedule) {
    this.lr = value;
  }

  /** The rate the next step uses (a schedule evaluated at `iterations`). */
  currentLearningRate(): number {
    return this.lr instanceof LearningRateSchedule ? this.lr.call(this.iterations) : this.lr;
  }

  /** Names of the slot buffers each weight gets ('momentum', 'velocity' ...). */
  protected abstract slotNames(): string[];

  /** One update of `weight.value` from `weight.grad` using its slots. */
  protected abstract updateStep(
    backend: Backend,
    weight: LayerWeight,
    slots: Float32Array[],
    learningRate: number,
    step: number,
  ): void;

  protected slotsFor(weight: LayerWeight): Float32Array[] {
    let slots = this.slots.get(weight);
    if (!slots) {
      slots = this.slotNames().map(() => new Float32Array(weight.value.length));
      this.slots.set(weight, slots);
      this.order.push(weight);
    }
    return slots;
  }

  /** Creates slots for these weights now (so state can be set before the first step). */
  build(weights: LayerWeight[]): void {
    for (const w of weights) this.slotsFor(w);
  }

  /** Clips the gradients (in place) and applies one step to every weight. */
  applyGradients(backend: Backend, weights: LayerWeight[]): void {
    if (this.clipvalue !== null) for (const w of weights) backend.clip(w.grad, w.grad, -this.clipvalue, this.clipvalue);
    if (this.clipnorm !== null) {
      for (const w of weights) {
        const norm = Math.sqrt(backend.sumSquares(w.grad));
        if (norm > this.clipnorm) backend.scale(w.grad, w.grad, this.clipnorm / norm);
      }
    }
    if (this.globalClipnorm !== null) {
      let total = 0;
      for (const w of weights) total += backend.sumSquares(w.grad);
      const norm = Math.sqrt(total);
      if (norm > this.globalClipnorm) for (const w of weights) backend.scale(w.grad, w.grad, this.globalClipnorm / norm);
    }
    const lr = this.currentLearningRate();
    const step = this.iterations + 1;
    for (const w of weights) this.updateStep(backend, w, this.slotsFor(w), lr, step);
    this.iterations = step;
  }

  /** Keras order: iterations, learning_rate, then each weight's slots in slotNames() order. */
  variables(): OptimizerVariable[] {
    const vars: OptimizerVariable[] = [
      { name: 'iterations', value: Float32Array.of(this.iterations) },
      { name: 'learning_rate', value: Float32Array.of(this.currentLearningRate()) },
    ];
    const names = this.slotNames();
    for (const w of this.order) {
      this.slots.get(w)!.forEach((slot, i) => {
        vars.push({ name: `${w.name}_${names[i]}`, value: slot });
      });
    }
    return vars;
  }

  /** Copies of variables() values. */
  getState(): Float32Array[] {
    return this.variables().map((v) => v.value.slice());
  }

  /** Restores what getState() returned (call build(weights) first so the slots exist in the same order). */
  setState(state: ArrayLike<number>[]): void {
    const vars = this.variables();
    if (state.length !== vars.length) {
      throw new ShapeError(
        invalid(`${this.name}.setState`, 'state', `${vars.length} arrays (iterations, learning_rate, slots)`, state.length),
      );
    }
    this.iterations = Number(state[0]![0] ?? 0);
    if (!(this.lr instanceof LearningRateSchedule)) this.lr = Number(state[1]![0] ?? this.lr);
    vars.slice(2).forEach((v, i) => {
      const values = state[i + 2]!;
      if (values.length !== v.value.length)
        throw new ShapeError(invalid(`${this.name}.setState`, v.name, `${v.value.length} values`, values.length));
      v.value.set(values);
    });
  }

  /** camelCase config (the constructor's argument). */
  getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      learningRate:
        this.lr instanceof LearningRateSchedule ? { className: this.lr.className, config: this.lr.getConfig() } : this.lr,
      weightDecay: this.weightDecay,
      clipnorm: this.clipnorm,
      globalClipnorm: this.globalClipnorm,
      clipvalue: this.clipvalue,
      ...this.ownConfig(),
    };
  }

  protected abstract ownConfig(): Record<string, unknown>;
  protected abstract kerasOwnConfig(): Record<string, unknown>;

  /** Keras's serialised form ({class_name, config} with snake_case keys). */
  toKerasConfig(): { class_name: string; config: Record<string, unknown> } {
    const lr =
      this.lr instanceof LearningRateSchedule
        ? {
            module: 'keras.optimizers.schedules',
            class_name: this.lr.className,
            config: snakeKeys(this.lr.getConfig()),
            registered_name: null,
          }
        : this.lr;
    return {
      class_name: this.className,
      config: {
        name: this.name,
        learning_rate: lr,
        weight_decay: this.weightDecay,
        clipnorm: this.clipnorm,
        global_clipnorm: this.globalClipnorm,
        clipvalue: this.clipvalue,
        use_ema: false,
        ema_momentum: 0.99,
        ema_overwrite_frequency: null,
        loss_scale_factor: null,
        gradient_accumulation_steps: null,
        ...this.kerasOwnConfig(),
      },
    };
  }
}

/** { initialLearningRate: 1 } -> { initial_learning_rate: 1 } */
export function snakeKeys(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) out[k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()] = v;
  return out;
}
