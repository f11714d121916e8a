// The convolution bookkeeping Conv2D, DepthwiseConv2D and SeparableConv2D share: geometry options and checks, attrs
// cached per input size, the saved input, and the backward pass over conv2dBackwardWeights / conv2dBackwardData.

import type { Backend, Conv2dAttrs, FusedActivation } from '../backend/backend.js';
import { conv2dGeometry } from '../backend/shapes.js';
import { ConfigError, invalid, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { intPair, paddingMode, reuse } from './common.js';
import type { LayerWeight } from './layer.js';

export interface ConvGeometryOptions {
  kernelSize: [number, number];
  strides: [number, number];
  padding: 'valid' | 'same';
  dilationRate: [number, number];
}

/**
 * Normalises a conv layer's kernelSize, strides, padding and dilationRate options. As Keras, strides > 1 with
 * dilationRate > 1 is rejected.
 */
export function convOptions(
  where: string,
  config: { kernelSize: unknown; strides?: unknown; padding?: unknown; dilationRate?: unknown },
): ConvGeometryOptions {
  const kernelSize = intPair(where, 'kernelSize', config.kernelSize);
  const strides = intPair(where, 'strides', config.strides ?? 1);
  const padding = paddingMode(where, config.padding);
  const dilationRate = intPair(where, 'dilationRate', config.dilationRate ?? 1);
  if ((strides[0] > 1 || strides[1] > 1) && (dilationRate[0] > 1 || dilationRate[1] > 1)) {
    throw new ConfigError(invalid(where, 'dilationRate', '1 when strides > 1 (as Keras)', config.dilationRate));
  }
  return { kernelSize, strides, padding, dilationRate };
}

export class ConvCore {
  private attrs: Conv2dAttrs | null = null;
  private x: Tensor | null = null;
  private dx: Float32Array | null = null;

  constructor(
    private readonly where: string,
    private readonly options: ConvGeometryOptions,
    private readonly activation: FusedActivation,
  ) {}

  /** Attrs for an input size; `outChannels` and `groups` come from the layer. */
  attrsFor(batch: number, h: number, w: number, c: number, outChannels: number, groups: number): Conv2dAttrs {
    const a = this.attrs;
    if (a && a.batch === batch && a.inHeight === h && a.inWidth === w && a.inChannels === c && a.outChannels === outChannels)
      return a;
    const o = this.options;
    return {
      batch,
      inHeight: h,
      inWidth: w,
      inChannels: c,
      outChannels,
      kernelHeight: o.kernelSize[0],
      kernelWidth: o.kernelSize[1],
      strides: o.strides,
      dilations: o.dilationRate,
      padding: o.padding,
      groups,
      activation: this.activation,
    };
  }

  /** Output height and width for an input size; ShapeError when the kernel does not fit. */
  outputSize(h: number, w: number): [number, number] {
    const g = conv2dGeometry(this.attrsFor(1, h, w, 1, 1, 1));
    if (g.outHeight <= 0 || g.outWidth <= 0) {
      const o = this.options;
      const eff = o.kernelSize.map((k, i) => (k - 1) * o.dilationRate[i]! + 1).join('x');
      throw new ShapeError(
        `${this.where}: invalid 'inputShape'. Expected height x width of at least the dilated kernel ${eff} with padding '${o.padding}', received ${h}x${w}.`,
      );
    }
    return [g.outHeight, g.outWidth];
  }

  /** Runs the kernel into `out` and remembers x for backward. Returns the output shape. */
  forward(backend: Backend, out: Float32Array, x: Tensor, w: LayerWeight, b: LayerWeight | null, attrs: Conv2dAttrs): void {
    this.attrs = attrs;
    this.x = x;
    backend.conv2dForward(out, x.data, w.value, b?.value ?? null, attrs);
  }

  /** Writes weight grads when `trainable`; returns dx, or null when `needsInputGrad` is false. */
  backward(
    backend: Backend,
    dz: Float32Array,
    w: LayerWeight,
    b: LayerWeight | null,
    trainable: boolean,
    needsInputGrad: boolean,
  ): Tensor | null {
    const x = this.x;
    const attrs = this.attrs;
    if (!x || !attrs) throw new ShapeError(`${this.where}.backward: no forward pass to differentiate; call forward first.`);
    if (trainable) backend.conv2dBackwardWeights(w.grad, b?.grad ?? null, x.data, dz, attrs);
    if (!needsInputGrad) return null;
    this.dx = reuse(this.dx, x.data.length);
    backend.conv2dBackwardData(this.dx, dz, w.value, attrs);
    return { data: this.dx, shape: x.shape };
  }
}
