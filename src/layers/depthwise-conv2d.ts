// Keras DepthwiseConv2D: one (or depthMultiplier) filters per input channel, run as the backend's grouped
// conv2d with groups = C (the Keras kernel (KH, KW, C, M) has the grouped kernel's memory layout). Accepts and
// ignores `groups: 1`, which Keras 2.4-era files (Teachable Machine) carry; other groups values are rejected.

import { resolveActivation } from '../activations.js';
import type { ActivationKind } from '../backend/backend.js';
import { ConfigError, invalid } from '../errors.js';
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

export interface DepthwiseConv2DConfig extends BaseLayerConfig {
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: 'valid' | 'same';
  depthMultiplier?: number;
  dilationRate?: number | [number, number];
  activation?: string | null;
  useBias?: boolean;
  depthwiseInitializer?: InitializerLike;
  biasInitializer?: InitializerLike;
  depthwiseRegularizer?: RegularizerLike;
  biasRegularizer?: RegularizerLike;
  /** Only 1 is accepted (old Keras files write it); it is not part of getConfig(). */
  groups?: number;
}

const KEYS = [
  'kernelSize',
  'strides',
  'padding',
  'depthMultiplier',
  'dilationRate',
  'activation',
  'useBias',
  'depthwiseInitializer',
  'biasInitializer',
  'depthwiseRegularizer',
  'biasRegularizer',
  'groups',
];

/**
 * Depthwise 2-D convolution. Input (N, H, W, C), output (N, OH, OW, C * depthMultiplier); weights
 * depthwise_kernel (KH, KW, C, depthMultiplier) and bias (C * depthMultiplier).
 * Example: `new DepthwiseConv2D({ kernelSize: 3, padding: 'same', useBias: false })`.
 */
export class DepthwiseConv2D extends Layer implements FusableOutputLayer {
  readonly className: string = 'DepthwiseConv2D';
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: 'valid' | 'same';
  readonly depthMultiplier: number;
  readonly dilationRate: [number, number];
  readonly useBias: boolean;
  readonly depthwiseInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly depthwiseRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  private readonly stage: ActivationStage;
  private readonly core: ConvCore;
  kernel: LayerWeight | null = null;
  bias: LayerWeight | null = null;
  private channels = 0;
  private outShape: number[] = [];

  constructor(kernelSize: Given<DepthwiseConv2DConfig, 'kernelSize'>, options?: Omit<DepthwiseConv2DConfig, 'kernelSize'>);
  constructor(
    kernelSize: Given<DepthwiseConv2DConfig, 'kernelSize'>,
    strides: Given<DepthwiseConv2DConfig, 'strides'>,
    options?: Omit<DepthwiseConv2DConfig, 'kernelSize' | 'strides'>,
  );
  constructor(
    kernelSize: Given<DepthwiseConv2DConfig, 'kernelSize'>,
    strides: Given<DepthwiseConv2DConfig, 'strides'>,
    padding: Given<DepthwiseConv2DConfig, 'padding'>,
    options?: Omit<DepthwiseConv2DConfig, 'kernelSize' | 'strides' | 'padding'>,
  );
  constructor(
    kernelSize: Given<DepthwiseConv2DConfig, 'kernelSize'>,
    strides: Given<DepthwiseConv2DConfig, 'strides'>,
    padding: Given<DepthwiseConv2DConfig, 'padding'>,
    depthMultiplier: Given<DepthwiseConv2DConfig, 'depthMultiplier'>,
    options?: Omit<DepthwiseConv2DConfig, 'kernelSize' | 'strides' | 'padding' | 'depthMultiplier'>,
  );
  constructor(config: DepthwiseConv2DConfig);
  constructor(...args: unknown[]) {
    const config = layerArgs<DepthwiseConv2DConfig>('DepthwiseConv2D', args, [
      'kernelSize',
      'strides',
      'padding',
      'depthMultiplier',
    ]);
    const where = 'DepthwiseConv2D';
    super(config, 'depthwise_conv2d');
    checkKeys(where, config, KEYS);
    if (config.groups !== undefined && config.groups !== 1) {
      throw new ConfigError(
        invalid(where, 'groups', '1 or absent (depthwise convolution groups by channel itself)', config.groups),
      );
    }
    ({
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
    } = convOptions(where, config));
    this.depthMultiplier = positiveInt(where, 'depthMultiplier', config.depthMultiplier ?? 1);
    this.stage = new ActivationStage(resolveActivation(config.activation, where));
    this.core = new ConvCore(this.name, this, this.stage.kernelActivation);
    this.useBias = bool(where, 'useBias', config.useBias, true);
    this.depthwiseInitializer = getInitializer(config.depthwiseInitializer ?? 'GlorotUniform', where);
    this.biasInitializer = getInitializer(config.biasInitializer ?? 'Zeros', where);
    this.depthwiseRegularizer = getRegularizer(config.depthwiseRegularizer, where);
    this.biasRegularizer = getRegularizer(config.biasRegularizer, where);
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(this.name, inputShape);
    const [h, w, c] = expectRank(this.name, shape, 4, '(batch, height, width, channels)') as [number, number, number];
    const [oh, ow] = this.core.outputSize(h, w);
    return [shape[0] ?? null, oh, ow, c * this.depthMultiplier];
  }

  override build(inputShape: Shape | Shape[]): void {
    if (this.built) return;
    this.outShape = this.computeOutputShape(inputShape).slice(1) as number[];
    this.channels = singleShape(this.name, inputShape)[3] as number;
    this.kernel = this.addWeight(
      'depthwise_kernel',
      [...this.kernelSize, this.channels, this.depthMultiplier],
      this.depthwiseInitializer,
      {
        regularizer: this.depthwiseRegularizer,
      },
    );
    if (this.useBias) {
      this.bias = this.addWeight('bias', [this.channels * this.depthMultiplier], this.biasInitializer, {
        regularizer: this.biasRegularizer,
      });
    }
    super.build(inputShape);
  }

  forward(inputs: Tensor[], ctx: CallContext): Tensor {
    const x = singleInput(this.name, inputs);
    if (!this.built) this.build([null, ...x.shape.slice(1)]);
    checkBuiltShape(this.name, x.shape, this.inputShape);
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const co = c * this.depthMultiplier;
    const attrs = this.core.attrsFor(n, h, w, c, co, c);
    const [oh, ow] = this.core.outputSize(h, w);
    this.outShape = [oh, ow, co];
    const out = this.stage.kernelOutput(n * oh * ow * co);
    this.core.forward(ctx.backend, out, x, this.kernel!, this.bias, attrs);
    return this.stage.finish(ctx.backend, [n, oh, ow, co]);
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

  /** FLOPs = 2 * multiply-adds for one sample. */
  override flopsPerSample(): number {
    const [oh, ow, co] = this.outShape as [number, number, number];
    return 2 * oh * ow * co * this.kernelSize[0] * this.kernelSize[1];
  }

  protected layerConfig(): Record<string, unknown> {
    return {
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      depthMultiplier: this.depthMultiplier,
      dilationRate: [...this.dilationRate],
      activation: this.stage.spec.name,
      useBias: this.useBias,
      depthwiseInitializer: initializerSpec(this.depthwiseInitializer),
      biasInitializer: initializerSpec(this.biasInitializer),
      depthwiseRegularizer: regularizerSpec(this.depthwiseRegularizer),
      biasRegularizer: regularizerSpec(this.biasRegularizer),
    };
  }
}
