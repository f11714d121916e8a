// Keras Add: element-wise sum of two or more tensors of the same shape (no broadcasting).

import { ShapeError } from '../errors.js';
import { formatShape, type Shape, type Tensor } from '../tensor.js';
import { checkKeys, reuse } from './common.js';
import { type BaseLayerConfig, type CallContext, Layer } from './layer.js';

function isShapeList(shape: Shape | Shape[]): shape is Shape[] {
  return shape.length > 0 && Array.isArray(shape[0]);
}

/** Inputs k x (N, ...), output (N, ...). Example: residual `new Add()` over [x, block(x)]. */
export class Add extends Layer {
  readonly className: string = 'Add';
  private y: Float32Array | null = null;
  private copies: Float32Array[] = [];
  private count = 0;

  constructor(config: BaseLayerConfig = {}) {
    super(config, 'add');
    checkKeys('Add', config, []);
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    if (!isShapeList(inputShape) || inputShape.length < 2) {
      throw new ShapeError(
        `${this.name}: invalid 'inputShape'. Expected a list of at least 2 shapes, received ${JSON.stringify(inputShape)}.`,
      );
    }
    const first = inputShape[0]!;
    for (const s of inputShape) {
      const same = s.length === first.length && s.every((d, i) => d === null || first[i] === null || d === first[i]);
      if (!same)
        throw new ShapeError(
          `${this.name}: invalid 'inputShape'. Expected equal shapes, received ${inputShape.map(formatShape).join(' and ')}.`,
        );
    }
    return first.map((d, i) => d ?? inputShape.find((s) => s[i] !== null)?.[i] ?? null);
  }

  forward(inputs: Tensor[], ctx: CallContext): Tensor {
    this.computeOutputShape(inputs.map((t) => t.shape));
    const first = inputs[0]!;
    const y = (this.y = reuse(this.y, first.data.length));
    ctx.backend.axpby(y, first.data, inputs[1]!.data, 1, 1);
    for (let k = 2; k < inputs.length; k++) ctx.backend.axpby(y, y, inputs[k]!.data, 1, 1);
    this.count = inputs.length;
    return { data: y, shape: first.shape };
  }

  /** Every input gets dy; inputs after the first get their own copy, so a consumer may modify one safely. */
  backward(dy: Tensor, ctx: CallContext): (Tensor | null)[] {
    if (!ctx.needsInputGrad) return new Array<null>(this.count).fill(null);
    const grads: Tensor[] = [dy];
    for (let k = 1; k < this.count; k++) {
      const copy = (this.copies[k - 1] = reuse(this.copies[k - 1] ?? null, dy.data.length));
      copy.set(dy.data);
      grads.push({ data: copy, shape: dy.shape });
    }
    return grads;
  }

  protected layerConfig(): Record<string, unknown> {
    return {};
  }
}
