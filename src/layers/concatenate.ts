// Keras Concatenate: joins tensors along one axis (default -1, the channels). The batch axis cannot be joined.

import { ConfigError, invalid, ShapeError } from '../errors.js';
import { formatShape, type Shape, type Tensor } from '../tensor.js';
import { checkKeys, type Given, layerArgs, reuse } from './common.js';
import { type BaseLayerConfig, type CallContext, Layer } from './layer.js';

export interface ConcatenateConfig extends BaseLayerConfig {
  axis?: number;
}

/** Inputs (N, ..., Ck, ...), output (N, ..., sum Ck, ...). Example: `new Concatenate()` over [a, b] along channels. */
export class Concatenate extends Layer {
  readonly className: string = 'Concatenate';
  readonly axis: number;
  private y: Float32Array | null = null;
  private grads: Float32Array[] = [];
  private shapes: number[][] = [];

  constructor(axis: Given<ConcatenateConfig, 'axis'>, options?: Omit<ConcatenateConfig, 'axis'>);
  constructor(config?: ConcatenateConfig);
  constructor(...args: unknown[]) {
    const config = layerArgs<ConcatenateConfig>('Concatenate', args, ['axis']);
    super(config, 'concatenate');
    checkKeys('Concatenate', config, ['axis']);
    const axis = config.axis ?? -1;
    if (!Number.isInteger(axis) || axis === 0)
      throw new ConfigError(invalid('Concatenate', 'axis', 'a non-zero integer (not the batch axis)', axis));
    this.axis = axis;
  }

  private resolveAxis(rank: number): number {
    const axis = this.axis < 0 ? rank + this.axis : this.axis;
    if (axis <= 0 || axis >= rank)
      throw new ShapeError(
        `${this.name}: invalid 'axis'. Expected an axis of the rank-${rank} inputs other than the batch, received ${this.axis}.`,
      );
    return axis;
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shapes = inputShape as Shape[];
    if (!Array.isArray(shapes[0]) || shapes.length < 2) {
      throw new ShapeError(
        `${this.name}: invalid 'inputShape'. Expected a list of at least 2 shapes, received ${JSON.stringify(inputShape)}.`,
      );
    }
    const first = shapes[0]!;
    const axis = this.resolveAxis(first.length);
    for (const s of shapes) {
      const ok = s.length === first.length && s.every((d, i) => i === axis || d === null || first[i] === null || d === first[i]);
      if (!ok)
        throw new ShapeError(
          `${this.name}: invalid 'inputShape'. Expected shapes equal except on axis ${this.axis}, received ${shapes.map(formatShape).join(' and ')}.`,
        );
    }
    const out = [...first];
    out[axis] = shapes.some((s) => s[axis] === null) ? null : shapes.reduce((t, s) => t + (s[axis] as number), 0);
    return out;
  }

  /** Per input: the contiguous block length copied per outer index. */
  private blocks(shapes: number[][]): { outer: number; sizes: number[]; total: number } {
    const axis = this.resolveAxis(shapes[0]!.length);
    const outer = shapes[0]!.slice(0, axis).reduce((p, d) => p * d, 1);
    const sizes = shapes.map((s) => s.slice(axis).reduce((p, d) => p * d, 1));
    return { outer, sizes, total: sizes.reduce((a, b) => a + b, 0) };
  }

  forward(inputs: Tensor[], _ctx: CallContext): Tensor {
    const shape = this.computeOutputShape(inputs.map((t) => t.shape)) as number[];
    this.shapes = inputs.map((t) => t.shape);
    const { outer, sizes, total } = this.blocks(this.shapes);
    const y = (this.y = reuse(this.y, outer * total));
    for (let o = 0; o < outer; o++) {
      let at = o * total;
      inputs.forEach((t, k) => {
        const size = sizes[k]!;
        y.set(t.data.subarray(o * size, (o + 1) * size), at);
        at += size;
      });
    }
    return { data: y, shape };
  }

  backward(dy: Tensor, ctx: CallContext): (Tensor | null)[] {
    if (!ctx.needsInputGrad) return this.shapes.map(() => null);
    const { outer, sizes, total } = this.blocks(this.shapes);
    return this.shapes.map((shape, k) => {
      const size = sizes[k]!;
      const g = (this.grads[k] = reuse(this.grads[k] ?? null, outer * size));
      const before = sizes.slice(0, k).reduce((a, b) => a + b, 0);
      for (let o = 0; o < outer; o++) g.set(dy.data.subarray(o * total + before, o * total + before + size), o * size);
      return { data: g, shape };
    });
  }

  protected layerConfig(): Record<string, unknown> {
    return { axis: this.axis };
  }
}
