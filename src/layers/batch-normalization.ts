// Keras BatchNormalization over the last axis. Training mode (batch statistics, moving averages updated) only
// when ctx.training and the layer is trainable: a frozen BN runs in inference mode, as in Keras 2.1+. Backward
// works in both modes. Axes other than the last and renorm/virtual batches are not supported.

import type { BatchNormAttrs } from '../backend/backend.js';
import { ConfigError, invalid, ShapeError } from '../errors.js';
import { getInitializer, type Initializer, type InitializerLike, initializerSpec } from '../initializers.js';
import { getRegularizer, type Regularizer, type RegularizerLike, regularizerSpec } from '../regularizers.js';
import { formatShape, type Shape, type Tensor } from '../tensor.js';
import { bool, checkBuiltShape, checkKeys, finiteNumber, type Given, layerArgs, reuse } from './common.js';
import { type BaseLayerConfig, type CallContext, Layer, type LayerWeight, singleInput, singleShape } from './layer.js';

export interface BatchNormalizationConfig extends BaseLayerConfig {
  /** -1 (default), or the last axis by index (3 for (N, H, W, C)); Keras 2 writes [3]. */
  axis?: number | number[];
  momentum?: number;
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  betaInitializer?: InitializerLike;
  gammaInitializer?: InitializerLike;
  movingMeanInitializer?: InitializerLike;
  movingVarianceInitializer?: InitializerLike;
  betaRegularizer?: RegularizerLike;
  gammaRegularizer?: RegularizerLike;
}

const KEYS = [
  'axis',
  'momentum',
  'epsilon',
  'center',
  'scale',
  'betaInitializer',
  'gammaInitializer',
  'movingMeanInitializer',
  'movingVarianceInitializer',
  'betaRegularizer',
  'gammaRegularizer',
];

/**
 * Normalises each channel of the last axis. Input and output (N, ..., C); weights gamma, beta (trainable, when
 * scale/center) and moving_mean, moving_variance (non-trainable), each (C).
 * Example: `new BatchNormalization({ momentum: 0.9 })`.
 */
export class BatchNormalization extends Layer {
  readonly className: string = 'BatchNormalization';
  readonly axis: number | number[];
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly initializers: Record<'beta' | 'gamma' | 'movingMean' | 'movingVariance', Initializer>;
  readonly betaRegularizer: Regularizer | null;
  readonly gammaRegularizer: Regularizer | null;
  gamma: LayerWeight | null = null;
  beta: LayerWeight | null = null;
  movingMean: LayerWeight | null = null;
  movingVariance: LayerWeight | null = null;
  private ones: Float32Array | null = null;
  private zeros: Float32Array | null = null;
  private scratchGamma: Float32Array | null = null;
  private scratchBeta: Float32Array | null = null;
  private saveMean: Float32Array | null = null;
  private saveInvStd: Float32Array | null = null;
  private x: Tensor | null = null;
  private trainingMode = false;
  private y: Float32Array | null = null;
  private dx: Float32Array | null = null;

  constructor(axis: Given<BatchNormalizationConfig, 'axis'>, options?: Omit<BatchNormalizationConfig, 'axis'>);
  constructor(
    axis: Given<BatchNormalizationConfig, 'axis'>,
    momentum: Given<BatchNormalizationConfig, 'momentum'>,
    options?: Omit<BatchNormalizationConfig, 'axis' | 'momentum'>,
  );
  constructor(
    axis: Given<BatchNormalizationConfig, 'axis'>,
    momentum: Given<BatchNormalizationConfig, 'momentum'>,
    epsilon: Given<BatchNormalizationConfig, 'epsilon'>,
    options?: Omit<BatchNormalizationConfig, 'axis' | 'momentum' | 'epsilon'>,
  );
  constructor(config?: BatchNormalizationConfig);
  constructor(...args: unknown[]) {
    const config = layerArgs<BatchNormalizationConfig>('BatchNormalization', args, ['axis', 'momentum', 'epsilon']);
    const where = 'BatchNormalization';
    super(config, 'batch_normalization');
    checkKeys(where, config, KEYS);
    const axis = config.axis ?? -1;
    const axes = Array.isArray(axis) ? axis : [axis];
    if (axes.length !== 1 || !Number.isInteger(axes[0]) || (axes[0]! < 1 && axes[0] !== -1)) {
      throw new ConfigError(invalid(where, 'axis', '-1 or the index of the last (channels) axis, e.g. 3 for (N, H, W, C)', axis));
    }
    this.axis = Array.isArray(axis) ? [...axis] : axis;
    this.momentum = finiteNumber(where, 'momentum', config.momentum ?? 0.99);
    if (this.momentum < 0 || this.momentum > 1)
      throw new ConfigError(invalid(where, 'momentum', 'a number in [0, 1]', this.momentum));
    this.epsilon = finiteNumber(where, 'epsilon', config.epsilon ?? 0.001);
    if (this.epsilon <= 0) throw new ConfigError(invalid(where, 'epsilon', 'a positive number', this.epsilon));
    this.center = bool(where, 'center', config.center, true);
    this.scale = bool(where, 'scale', config.scale, true);
    this.initializers = {
      beta: getInitializer(config.betaInitializer ?? 'Zeros', where),
      gamma: getInitializer(config.gammaInitializer ?? 'Ones', where),
      movingMean: getInitializer(config.movingMeanInitializer ?? 'Zeros', where),
      movingVariance: getInitializer(config.movingVarianceInitializer ?? 'Ones', where),
    };
    this.betaRegularizer = getRegularizer(config.betaRegularizer, where);
    this.gammaRegularizer = getRegularizer(config.gammaRegularizer, where);
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(this.name, inputShape);
    const c = shape[shape.length - 1];
    if (shape.length < 2 || typeof c !== 'number' || c <= 0) {
      throw new ShapeError(
        `${this.name}: invalid 'inputShape'. Expected rank >= 2 with known channels last, received ${formatShape(shape)}.`,
      );
    }
    const axis = Array.isArray(this.axis) ? this.axis[0]! : this.axis;
    if (axis !== -1 && axis !== shape.length - 1) {
      throw new ShapeError(
        `${this.name}: invalid 'axis'. Expected -1 or ${shape.length - 1} (the last axis of ${formatShape(shape)}), received ${axis}. Only channels-last normalization is supported.`,
      );
    }
    return [...shape];
  }

  override build(inputShape: Shape | Shape[]): void {
    if (this.built) return;
    const shape = this.computeOutputShape(inputShape);
    const c = shape[shape.length - 1] as number;
    if (this.scale) this.gamma = this.addWeight('gamma', [c], this.initializers.gamma, { regularizer: this.gammaRegularizer });
    if (this.center) this.beta = this.addWeight('beta', [c], this.initializers.beta, { regularizer: this.betaRegularizer });
    this.movingMean = this.addWeight('moving_mean', [c], this.initializers.movingMean, { trainable: false });
    this.movingVariance = this.addWeight('moving_variance', [c], this.initializers.movingVariance, { trainable: false });
    this.ones = new Float32Array(c).fill(1);
    this.zeros = new Float32Array(c);
    this.scratchGamma = new Float32Array(c);
    this.scratchBeta = new Float32Array(c);
    this.saveMean = new Float32Array(c);
    this.saveInvStd = new Float32Array(c);
    super.build(inputShape);
  }

  private attrs(x: Tensor): BatchNormAttrs {
    const c = x.shape[x.shape.length - 1]!;
    return { count: x.data.length / c, channels: c, epsilon: this.epsilon, momentum: this.momentum };
  }

  forward(inputs: Tensor[], ctx: CallContext): Tensor {
    const x = singleInput(this.name, inputs);
    if (!this.built) this.build([null, ...x.shape.slice(1)]);
    checkBuiltShape(this.name, x.shape, this.inputShape);
    const attrs = this.attrs(x);
    const gamma = this.gamma?.value ?? this.ones!;
    const beta = this.beta?.value ?? this.zeros!;
    this.y = reuse(this.y, x.data.length);
    this.trainingMode = ctx.training && this.trainable;
    const mm = this.movingMean!.value;
    const mv = this.movingVariance!.value;
    if (this.trainingMode) {
      ctx.backend.batchNormForwardTraining(this.y, this.saveMean!, this.saveInvStd!, x.data, gamma, beta, mm, mv, attrs);
    } else {
      ctx.backend.batchNormForwardInference(this.y, x.data, gamma, beta, mm, mv, attrs);
    }
    this.x = x;
    return { data: this.y, shape: x.shape };
  }

  backward(dy: Tensor, ctx: CallContext): (Tensor | null)[] {
    const x = this.x;
    if (!x) throw new ShapeError(`${this.name}.backward: no forward pass to differentiate; call forward first.`);
    if (!this.trainable && !ctx.needsInputGrad) return [null];
    if (!this.trainingMode) {
      // Inference backward: the statistics are the moving ones.
      const mv = this.movingVariance!.value;
      this.saveMean!.set(this.movingMean!.value);
      for (let i = 0; i < mv.length; i++) this.saveInvStd![i] = 1 / Math.sqrt(mv[i]! + this.epsilon);
    }
    const dGamma = this.trainable && this.gamma ? this.gamma.grad : this.scratchGamma!;
    const dBeta = this.trainable && this.beta ? this.beta.grad : this.scratchBeta!;
    this.dx = reuse(this.dx, x.data.length);
    const gamma = this.gamma?.value ?? this.ones!;
    ctx.backend.batchNormBackward(this.dx, dGamma, dBeta, dy.data, x.data, gamma, this.saveMean!, this.saveInvStd!, {
      ...this.attrs(x),
      training: this.trainingMode,
    });
    return [ctx.needsInputGrad ? { data: this.dx, shape: x.shape } : null];
  }

  protected layerConfig(): Record<string, unknown> {
    return {
      axis: Array.isArray(this.axis) ? [...this.axis] : this.axis,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      betaInitializer: initializerSpec(this.initializers.beta),
      gammaInitializer: initializerSpec(this.initializers.gamma),
      movingMeanInitializer: initializerSpec(this.initializers.movingMean),
      movingVarianceInitializer: initializerSpec(this.initializers.movingVariance),
      betaRegularizer: regularizerSpec(this.betaRegularizer),
      gammaRegularizer: regularizerSpec(this.gammaRegularizer),
    };
  }
}
