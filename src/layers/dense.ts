// Keras Dense over the backend's dense kernels, applied to the last axis (a (N, H, W, C) input is treated as
// N*H*W rows, as Keras does). 'relu' and 'linear' are fused into the kernel; other activations run after it.

import { resolveActivation } from '../activations.js';
import type { ActivationKind, DenseAttrs } from '../backend/backend.js';
import { ShapeError } from '../errors.js';
import { getInitializer, type Initializer, type InitializerLike, initializerSpec } from '../initializers.js';
import { getRegularizer, type Regularizer, type RegularizerLike, regularizerSpec } from '../regularizers.js';
import { formatShape, type Shape, type Tensor } from '../tensor.js';
import { ActivationStage } from './activation-stage.js';
import { bool, checkBuiltShape, checkKeys, type Given, layerArgs, positiveInt, reuse } from './common.js';
import {
  type BaseLayerConfig,
  type CallContext,
  type FusableOutputLayer,
  Layer,
  type LayerWeight,
  singleInput,
  singleShape,
} from './layer.js';

export interface DenseConfig extends BaseLayerConfig {
  units: number;
  activation?: string | null;
  useBias?: boolean;
  kernelInitializer?: InitializerLike;
  biasInitializer?: InitializerLike;
  kernelRegularizer?: RegularizerLike;
  biasRegularizer?: RegularizerLike;
}

const KEYS = ['units', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'biasRegularizer'];

/**
 * Fully connected layer. Input (N, ..., IN), output (N, ..., units); kernel (IN, units), bias (units).
 * Example: `new Dense(10, { activation: 'softmax' })` (Keras's positional units) or `new Dense({ units: 10 })`.
 */
export class Dense extends Layer implements FusableOutputLayer {
  readonly className: string = 'Dense';
  readonly units: number;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  private readonly stage: ActivationStage;
  kernel: LayerWeight | null = null;
  bias: LayerWeight | null = null;
  private attrs: DenseAttrs | null = null;
  private x: Tensor | null = null;
  private dx: Float32Array | null = null;

  constructor(units: Given<DenseConfig, 'units'>, options?: Omit<DenseConfig, 'units'>);
  constructor(
    units: Given<DenseConfig, 'units'>,
    activation: Given<DenseConfig, 'activation'>,
    options?: Omit<DenseConfig, 'units' | 'activation'>,
  );
  constructor(config: DenseConfig);
  constructor(...args: unknown[]) {
    const config = layerArgs<DenseConfig>('Dense', args, ['units', 'activation']);
    const where = 'Dense';
    super(config, 'dense');
    checkKeys(where, config, KEYS);
    this.units = positiveInt(where, 'units', config.units);
    this.stage = new ActivationStage(resolveActivation(config.activation, where));
    this.useBias = bool(where, 'useBias', config.useBias, true);
    this.kernelInitializer = getInitializer(config.kernelInitializer ?? 'GlorotUniform', where);
    this.biasInitializer = getInitializer(config.biasInitializer ?? 'Zeros', where);
    this.kernelRegularizer = getRegularizer(config.kernelRegularizer, where);
    this.biasRegularizer = getRegularizer(config.biasRegularizer, where);
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(this.name, inputShape);
    const last = shape[shape.length - 1];
    if (shape.length < 2 || typeof last !== 'number' || last <= 0) {
      throw new ShapeError(
        `${this.name}: invalid 'inputShape'. Expected rank >= 2 with a known last dimension, received ${formatShape(shape)}.`,
      );
    }
    return [...shape.slice(0, -1), this.units];
  }

  override build(inputShape: Shape | Shape[]): void {
    if (this.built) return;
    const shape = singleShape(this.name, inputShape);
    this.computeOutputShape(shape);
    const inUnits = shape[shape.length - 1] as number;
    this.kernel = this.addWeight('kernel', [inUnits, this.units], this.kernelInitializer, {
      regularizer: this.kernelRegularizer,
    });
    if (this.useBias)
      this.bias = this.addWeight('bias', [this.units], this.biasInitializer, { regularizer: this.biasRegularizer });
    super.build(inputShape);
  }

  forward(inputs: Tensor[], ctx: CallContext): Tensor {
    const x = singleInput(this.name, inputs);
    if (!this.built) this.build([null, ...x.shape.slice(1)]);
    checkBuiltShape(this.name, x.shape, this.inputShape);
    const inUnits = x.shape[x.shape.length - 1]!;
    const rows = x.data.length / inUnits;
    let attrs = this.attrs;
    if (!attrs || attrs.batch !== rows) {
      attrs = this.attrs = { batch: rows, inUnits, outUnits: this.units, activation: this.stage.kernelActivation };
    }
    const out = this.stage.kernelOutput(rows * this.units);
    ctx.backend.denseForward(out, x.data, this.kernel!.value, this.bias?.value ?? null, attrs);
    this.x = x;
    return this.stage.finish(ctx.backend, [...x.shape.slice(0, -1), this.units]);
  }

  backward(dy: Tensor, ctx: CallContext): (Tensor | null)[] {
    return this.backwardPreActivation(this.stage.backward(ctx.backend, dy), ctx);
  }

  outputActivation(): ActivationKind {
    return this.stage.kind;
  }

  preActivation(): Tensor {
    return this.stage.preActivation(this.name);
  }

  backwardPreActivation(dz: Tensor, ctx: CallContext): (Tensor | null)[] {
    const x = this.x;
    const attrs = this.attrs;
    if (!x || !attrs) throw new ShapeError(`${this.name}.backward: no forward pass to differentiate; call forward first.`);
    if (this.trainable) ctx.backend.denseBackwardWeights(this.kernel!.grad, this.bias?.grad ?? null, x.data, dz.data, attrs);
    if (!ctx.needsInputGrad) return [null];
    this.dx = reuse(this.dx, x.data.length);
    ctx.backend.denseBackwardData(this.dx, dz.data, this.kernel!.value, attrs);
    return [{ data: this.dx, shape: x.shape }];
  }

  /** FLOPs = 2 * multiply-adds for one sample (per row of the last axis times the rows in one sample). */
  override flopsPerSample(): number {
    const shape = this.inputShape as Shape | null;
    if (!shape) return 0;
    const rows = shape.slice(1, -1).reduce<number>((p, d) => p * (d ?? 1), 1);
    return 2 * rows * (shape[shape.length - 1] as number) * this.units;
  }

  protected layerConfig(): Record<string, unknown> {
    return {
      units: this.units,
      activation: this.stage.spec.name,
      useBias: this.useBias,
      kernelInitializer: initializerSpec(this.kernelInitializer),
      biasInitializer: initializerSpec(this.biasInitializer),
      kernelRegularizer: regularizerSpec(this.kernelRegularizer),
      biasRegularizer: regularizerSpec(this.biasRegularizer),
    };
  }
}
