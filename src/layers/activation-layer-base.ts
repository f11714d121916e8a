// The base of the element-wise activation layers (Activation, ReLU, LeakyReLU, Softmax): one
// activationForward/Backward pair over a buffer the layer reuses. Softmax runs over the last axis.

import type { ActivationAttrs } from '../backend/backend.js';
import { ShapeError } from '../errors.js';
import type { Shape, Tensor } from '../tensor.js';
import { reuse, withAxisSize } from './common.js';
import { type BaseLayerConfig, type CallContext, Layer, singleInput, singleShape } from './layer.js';

/** Input and output any shape (softmax: over the last axis). */
export abstract class ActivationLayerBase extends Layer {
  protected abstract attrs(): ActivationAttrs;
  protected x: Tensor | null = null;
  private y: Float32Array | null = null;
  private dx: Float32Array | null = null;

  constructor(config: BaseLayerConfig, nameBase: string) {
    super(config, nameBase);
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...singleShape(this.name, inputShape)];
  }

  private withAxis(x: Tensor): ActivationAttrs {
    return withAxisSize(this.attrs(), x.shape[x.shape.length - 1]!);
  }

  forward(inputs: Tensor[], ctx: CallContext): Tensor {
    const x = singleInput(this.name, inputs);
    const attrs = this.withAxis(x);
    this.x = x;
    if (attrs.kind === 'linear') return x;
    this.y = reuse(this.y, x.data.length);
    ctx.backend.activationForward(this.y, x.data, attrs);
    return { data: this.y, shape: x.shape };
  }

  backward(dy: Tensor, ctx: CallContext): (Tensor | null)[] {
    const x = this.x;
    if (!x) throw new ShapeError(`${this.name}.backward: no forward pass to differentiate; call forward first.`);
    if (!ctx.needsInputGrad) return [null];
    const attrs = this.withAxis(x);
    if (attrs.kind === 'linear') return [dy];
    this.dx = reuse(this.dx, x.data.length);
    ctx.backend.activationBackward(this.dx, dy.data, x.data, this.y!, attrs);
    return [{ data: this.dx, shape: x.shape }];
  }

  /**
   * The input of the latest forward: FusableOutputLayer.preActivation() for Activation and Softmax, the logits when
   * the trainer fuses their activation into the loss. (ReLU and LeakyReLU have no backwardPreActivation, so are
   * never fused.)
   */
  preActivation(): Tensor {
    if (!this.x) throw new ShapeError(`${this.name}.preActivation: no forward pass has run yet.`);
    return this.x;
  }
}
