// Keras SeparableConv2D: a depthwise convolution (no bias, no activation) followed by a 1x1 pointwise
// convolution with bias and activation, as two backend conv2d calls with an intermediate buffer.

import { resolveActivation } from '../activations.js';
import type { ActivationKind } from '../backend/backend.js';
import { getInitializer, type Initializer, type InitializerLike, initializerSpec } from '../initializers.js';
import { getRegularizer, type Regularizer, type RegularizerLike, regularizerSpec } from '../regularizers.js';
import type { Shape, Tensor } from '../tensor.js';
import { ActivationStage } from './activation-stage.js';
import { bool, checkBuiltShape, checkKeys, expectRank, type Given, layerArgs, positiveInt, reuse } from './common.js';
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

export interface SeparableConv2DConfig extends BaseLayerConfig {
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: 'valid' | 'same';
  dilationRate?: number | [number, number];
  depthMultiplier?: number;
  activation?: string | null;
  useBias?: boolean;
  depthwiseInitializer?: InitializerLike;
  pointwiseInitializer?: InitializerLike;
  biasInitializer?: InitializerLike;
  depthwiseRegularizer?: RegularizerLike;
  pointwiseRegularizer?: RegularizerLike;
  biasRegularizer?: RegularizerLike;
}

const KEYS = [
  'filters',
  'kernelSize',
  'strides',
  'padding',
  'dilationRate',
  'depthMultiplier',
  'activation',
  'useBias',
  'depthwiseInitializer',
  'pointwiseInitializer',
  'biasInitializer',
  'depthwiseRegularizer',
  'pointwiseRegularizer',
  'biasRegularizer',
];

/**
 * Depthwise-separable convolution. Input (N, H, W, C), output (N, OH, OW, filters); weights depthwise_kernel
 * (KH, KW, C, M), pointwise_kernel (1, 1, C * M, filters), bias (filters).
 * Example: `new SeparableConv2D({ filters: 64, kernelSize: 3, padding: 'same' })`.
 */
export class SeparableConv2D extends Layer implements FusableOutputLayer {
  readonly className: string = 'SeparableConv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: 'valid' | 'same';
  readonly dilationRate: [number, number];
  readonly depthMultiplier: number;
  readonly useBias: boolean;
  readonly depthwiseInitializer: Initializer;
  readonly pointwiseInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly depthwiseRegularizer: Regularizer | null;
  readonly pointwiseRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  private readonly stage: ActivationStage;
  private readonly dwCore: ConvCore;
  private readonly pwCore: ConvCore;
  depthwiseKernel: LayerWeight | null = null;
  pointwiseKernel: LayerWeight | null = null;
  bias: LayerWeight | null = null;
  private mid: Float32Array | null = null;
  private channels = 0;
  private outShape: number[] = [];

  constructor(filters: Given<SeparableConv2DConfig, 'filters'>, options?: Omit<SeparableConv2DConfig, 'filters'>);
  constructor(
    filters: Given<SeparableConv2DConfig, 'filters'>,
    kernelSize: Given<SeparableConv2DConfig, 'kernelSize'>,
    options?: Omit<SeparableConv2DConfig, 'filters' | 'kernelSize'>,
  );
  constructor(
    filters: Given<SeparableConv2DConfig, 'filters'>,
    kernelSize: Given<SeparableConv2DConfig, 'kernelSize'>,
    strides: Given<SeparableConv2DConfig, 'strides'>,
    options?: Omit<SeparableConv2DConfig, 'filters' | 'kernelSize' | 'strides'>,
  );
  constructor(
    filters: Given<SeparableConv2DConfig, 'filters'>,
    kernelSize: Given<SeparableConv2DConfig, 'kernelSize'>,
    strides: Given<SeparableConv2DConfig, 'strides'>,
    padding: Given<SeparableConv2DConfig, 'padding'>,
    options?: Omit<SeparableConv2DConfig, 'filters' | 'kernelSize' | 'strides' | 'padding'>,
  );
  constructor(config: SeparableConv2DConfig);
  constructor(...args: unknown[]) {
    const config = layerArgs<SeparableConv2DConfig>('SeparableConv2D', args, ['filters', 'kernelSize', 'strides', 'padding']);
    const where = 'SeparableConv2D';
    super(config, 'separable_conv2d');
    checkKeys(where, config, KEYS);
    this.filters = positiveInt(where, 'filters', config.filters);
    ({
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
    } = convOptions(where, config));
    this.depthMultiplier = positiveInt(where, 'depthMultiplier', config.depthMultiplier ?? 1);
    this.stage = new ActivationStage(resolveActivation(config.activation, where));
    this.dwCore = new ConvCore(this.name, this, 'linear');
    this.pwCore = new ConvCore(
      this.name,
      { kernelSize: [1, 1], strides: [1, 1], padding: 'valid', dilationRate: [1, 1] },
      this.stage.kernelActivation,
    );
    this.useBias = bool(where, 'useBias', config.useBias, true);
    this.depthwiseInitializer = getInitializer(config.depthwiseInitializer ?? 'GlorotUniform', where);
    this.pointwiseInitializer = getInitializer(config.pointwiseInitializer ?? 'GlorotUniform', where);
    this.biasInitializer = getInitializer(config.biasInitializer ?? 'Zeros', where);
    this.depthwiseRegularizer = getRegularizer(config.depthwiseRegularizer, where);
    this.pointwiseRegularizer = getRegularizer(config.pointwiseRegularizer, where);
    this.biasRegularizer = getRegularizer(config.biasRegularizer, where);
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(this.name, inputShape);
    const [h, w] = expectRank(this.name, shape, 4, '(batch, height, width, channels)') as [number, number, number];
    const [oh, ow] = this.dwCore.outputSize(h, w);
    return [shape[0] ?? null, oh, ow, this.filters];
  }

  override build(inputShape: Shape | Shape[]): void {
    if (this.built) return;
    this.outShape = this.computeOutputShape(inputShape).slice(1) as number[];
    const c = (this.channels = singleShape(this.name, inputShape)[3] as number);
    const m = this.depthMultiplier;
    this.depthwiseKernel = this.addWeight('depthwise_kernel', [...this.kernelSize, c, m], this.depthwiseInitializer, {
      regularizer: this.depthwiseRegularizer,
    });
    this.pointwiseKernel = this.addWeight('pointwise_kernel', [1, 1, c * m, this.filters], this.pointwiseInitializer, {
      regularizer: this.pointwiseRegularizer,
    });
    if (this.useBias)
      this.bias = this.addWeight('bias', [this.filters], this.biasInitializer, { regularizer: this.biasRegularizer });
    super.build(inputShape);
  }

  forward(inputs: Tensor[], ctx: CallContext): Tensor {
    const x = singleInput(this.name, inputs);
    if (!this.built) this.build([null, ...x.shape.slice(1)]);
    checkBuiltShape(this.name, x.shape, this.inputShape);
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const cm = c * this.depthMultiplier;
    const [oh, ow] = this.dwCore.outputSize(h, w);
    this.mid = reuse(this.mid, n * oh * ow * cm);
    this.dwCore.forward(ctx.backend, this.mid, x, this.depthwiseKernel!, null, this.dwCore.attrsFor(n, h, w, c, cm, c));
    const mid: Tensor = { data: this.mid, shape: [n, oh, ow, cm] };
    const out = this.stage.kernelOutput(n * oh * ow * this.filters);
    this.pwCore.forward(
      ctx.backend,
      out,
      mid,
      this.pointwiseKernel!,
      this.bias,
      this.pwCore.attrsFor(n, oh, ow, cm, this.filters, 1),
    );
    this.outShape = [oh, ow, this.filters];
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
    const be = ctx.backend;
    const dMid = this.pwCore.backward(
      be,
      dz.data,
      this.pointwiseKernel!,
      this.bias,
      this.trainable,
      this.trainable || ctx.needsInputGrad,
    );
    if (!dMid) return [null];
    return [this.dwCore.backward(be, dMid.data, this.depthwiseKernel!, null, this.trainable, ctx.needsInputGrad)];
  }

  /** FLOPs = 2 * multiply-adds for one sample (depthwise plus pointwise). */
  override flopsPerSample(): number {
    const [oh, ow] = this.outShape as [number, number];
    const cm = this.channels * this.depthMultiplier;
    return 2 * oh * ow * cm * (this.kernelSize[0] * this.kernelSize[1] + this.filters);
  }

  protected layerConfig(): Record<string, unknown> {
    return {
      filters: this.filters,
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      dilationRate: [...this.dilationRate],
      depthMultiplier: this.depthMultiplier,
      activation: this.stage.spec.name,
      useBias: this.useBias,
      depthwiseInitializer: initializerSpec(this.depthwiseInitializer),
      pointwiseInitializer: initializerSpec(this.pointwiseInitializer),
      biasInitializer: initializerSpec(this.biasInitializer),
      depthwiseRegularizer: regularizerSpec(this.depthwiseRegularizer),
      pointwiseRegularizer: regularizerSpec(this.pointwiseRegularizer),
      biasRegularizer: regularizerSpec(this.biasRegularizer),
    };
  }
}
