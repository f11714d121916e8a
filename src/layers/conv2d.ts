// Keras Conv2D (channels_last, optional groups) over the backend's conv2d kernels. 'relu' and 'linear' are fused
// into the kernel; other activations run after it. Does not support activity regularizers or constraints.

import { resolveActivation } from '../activations.js';
import type { ActivationKind } from '../backend/backend.js';
import { ConfigError, invalid, ShapeError } from '../errors.js';
import { getInitializer, type Initializer, type InitializerLike, initializerSpec } from '../initializers.js';
import { getRegularizer, type Regularizer, type RegularizerLike, regularizerSpec } from '../regularizers.js';
import type { Shape, Tensor } from '../tensor.js';
import { ActivationStage } from './activation-stage.js';
import { bool, checkBuiltShape, checkKeys, expectRank, type Given, layerArgs, positiveInt } from './common.js';
import { ConvCore, convOptions } from './conv-core.js';
import {
  type BaseLayerConfig,
  type CallContext,
  type FusableOutputLayer,
  Layer,
  type LayerWeight,
  singleInput,
  singleShape,
} from './layer.js';

export interface Conv2DConfig extends BaseLayerConfig {
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: 'valid' | 'same';
  dilationRate?: number | [number, number];
  groups?: number;
  activation?: string | null;
  useBias?: boolean;
  kernelInitializer?: InitializerLike;
  biasInitializer?: InitializerLike;
  kernelRegularizer?: RegularizerLike;
  biasRegularizer?: RegularizerLike;
}

const KEYS = [
  'filters',
  'kernelSize',
  'strides',
  'padding',
  'dilationRate',
  'groups',
  'activation',
  'useBias',
  'kernelInitializer',
  'biasInitializer',
  'kernelRegularizer',
  'biasRegularizer',
];

/**
 * 2-D convolution. Input (N, H, W, C), output (N, OH, OW, filters); kernel (KH, KW, C / groups, filters), bias
 * (filters). Example: `new Conv2D(32, 3, { activation: 'relu' })` or `new Conv2D({ filters: 32, kernelSize: [3, 3] })`.
 */
export class Conv2D extends Layer implements FusableOutputLayer {
  readonly className: string = 'Conv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: 'valid' | 'same';
  readonly dilationRate: [number, number];
  readonly groups: number;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  private readonly stage: ActivationStage;
  kernel: LayerWeight | null = null;
  bias: LayerWeight | null = null;
  private readonly core: ConvCore;
  private outShape: number[] = [];
  private inChannels = 0;

  constructor(filters: Given<Conv2DConfig, 'filters'>, options?: Omit<Conv2DConfig, 'filters'>);
  constructor(
    filters: Given<Conv2DConfig, 'filters'>,
    kernelSize: Given<Conv2DConfig, 'kernelSize'>,
    options?: Omit<Conv2DConfig, 'filters' | 'kernelSize'>,
  );
  constructor(
    filters: Given<Conv2DConfig, 'filters'>,
    kernelSize: Given<Conv2DConfig, 'kernelSize'>,
    strides: Given<Conv2DConfig, 'strides'>,
    options?: Omit<Conv2DConfig, 'filters' | 'kernelSize' | 'strides'>,
  );
  constructor(
    filters: Given<Conv2DConfig, 'filters'>,
    kernelSize: Given<Conv2DConfig, 'kernelSize'>,
    strides: Given<Conv2DConfig, 'strides'>,
    padding: Given<Conv2DConfig, 'padding'>,
    options?: Omit<Conv2DConfig, 'filters' | 'kernelSize' | 'strides' | 'padding'>,
  );
  constructor(config: Conv2DConfig);
  constructor(...args: unknown[]) {
    const config = layerArgs<Conv2DConfig>('Conv2D', args, ['filters', 'kernelSize', 'strides', 'padding']);
    const where = 'Conv2D';
    super(config, 'conv2d');
    checkKeys(where, config, KEYS);
    this.filters = positiveInt(where, 'filters', config.filters);
    ({
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
    } = convOptions(where, config));
    this.groups = positiveInt(where, 'groups', config.groups ?? 1);
    if (this.filters % this.groups !== 0) {
      throw new ConfigError(invalid(where, 'groups', `a divisor of filters (${this.filters})`, this.groups));
    }
    this.stage = new ActivationStage(resolveActivation(config.activation, where));
    this.core = new ConvCore(this.name, this, this.stage.kernelActivation);
    this.useBias = bool(where, 'useBias', config.useBias, true);
    this.kernelInitializer = getInitializer(config.kernelInitializer ?? 'GlorotUniform', where);
    this.biasInitializer = getInitializer(config.biasInitializer ?? 'Zeros', where);
    this.kernelRegularizer = getRegularizer(config.kernelRegularizer, where);
    this.biasRegularizer = getRegularizer(config.biasRegularizer, where);
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(this.name, inputShape);
    const [h, w, c] = expectRank(this.name, shape, 4, '(batch, height, width, channels)') as [number, number, number];
    if (c % this.groups !== 0) {
      throw new ShapeError(
        `${this.name}: invalid 'inputShape'. Expected channels divisible by groups (${this.groups}), received ${c}.`,
      );
    }
    const [oh, ow] = this.core.outputSize(h, w);
    return [shape[0] ?? null, oh, ow, this.filters];
  }

  override build(inputShape: Shape | Shape[]): void {
    if (this.built) return;
    this.outShape = this.computeOutputShape(inputShape).slice(1) as number[];
    this.inChannels = singleShape(this.name, inputShape)[3] as number;
    this.kernel = this.addWeight(
      'kernel',
      [...this.kernelSize, this.inChannels / this.groups, this.filters],
      this.kernelInitializer,
      {
        regularizer: this.kernelRegularizer,
      },
    );
    if (this.useBias)
      this.bias = this.addWeight('bias', [this.filters], this.biasInitializer, { regularizer: this.biasRegularizer });
    super.build(inputShape);
  }

  forward(inputs: Tensor[], ctx: CallContext): Tensor {
    const x = singleInput(this.name, inputs);
    if (!this.built) this.build([null, ...x.shape.slice(1)]);
    checkBuiltShape(this.name, x.shape, this.inputShape);
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const attrs = this.core.attrsFor(n, h, w, c, this.filters, this.groups);
    const [oh, ow] = this.core.outputSize(h, w);
    this.outShape = [oh, ow, this.filters];
    const out = this.stage.kernelOutput(n * oh * ow * this.filters);
    this.core.forward(ctx.backend, out, x, this.kernel!, this.bias, attrs);
    return this.stage.finish(ctx.backend, [n, oh, ow, this.filters]);
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
    return [this.core.backward(ctx.backend, dz.data, this.kernel!, this.bias, this.trainable, ctx.needsInputGrad)];
  }

  /** FLOPs = 2 * multiply-adds for one sample (bias and activation not counted). */
  override flopsPerSample(): number {
    const [oh, ow] = this.outShape as [number, number];
    return 2 * oh * ow * this.filters * this.kernelSize[0] * this.kernelSize[1] * (this.inChannels / this.groups);
  }

  protected layerConfig(): Record<string, unknown> {
    return {
      filters: this.filters,
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      dilationRate: [...this.dilationRate],
      groups: this.groups,
      activation: this.stage.spec.name,
      useBias: this.useBias,
      kernelInitializer: initializerSpec(this.kernelInitializer),
      biasInitializer: initializerSpec(this.biasInitializer),
      kernelRegularizer: regularizerSpec(this.kernelRegularizer),
      biasRegularizer: regularizerSpec(this.biasRegularizer),
    };
  }
}
