// The activation after a conv/dense kernel: fused into the kernel for 'linear' and 'relu', a separate
// activationForward/Backward otherwise. Owns the pre-activation, output and gradient buffers it needs, and
// remembers the output shape of the latest forward for preActivation().

import { type ActivationSpec, isFusedActivation } from '../activations.js';
import type { ActivationKind, Backend, FusedActivation } from '../backend/backend.js';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { reuse, withAxisSize } from './common.js';

export class ActivationStage {
  readonly spec: ActivationSpec;
  /** Activation the kernel applies itself, or 'linear' when this stage applies it afterwards. */
  readonly kernelActivation: FusedActivation;
  private readonly fused: boolean;
  private z: Float32Array | null = null;
  private y: Float32Array | null = null;
  private dz: Float32Array | null = null;
  private shape: number[] = [];

  constructor(spec: ActivationSpec) {
    this.spec = spec;
    this.fused = isFusedActivation(spec.attrs.kind);
    this.kernelActivation = this.fused ? (spec.attrs.kind as FusedActivation) : 'linear';
  }

  get kind(): ActivationKind {
    return this.spec.attrs.kind;
  }

  /** The buffer the kernel writes into (the output itself when fused). */
  kernelOutput(length: number): Float32Array {
    if (this.fused) return (this.y = reuse(this.y, length));
    return (this.z = reuse(this.z, length));
  }

  /** Applies a non-fused activation to the kernel output; returns the layer output, of `shape`. */
  finish(backend: Backend, shape: number[]): Tensor {
    this.shape = shape;
    if (this.fused) return { data: this.y!, shape };
    const z = this.z!;
    this.y = reuse(this.y, z.length);
    backend.activationForward(this.y, z, withAxisSize(this.spec.attrs, shape[shape.length - 1]!));
    return { data: this.y, shape };
  }

  /** Gradient w.r.t. the kernel output, given dy w.r.t. the layer output. */
  backward(backend: Backend, dy: Tensor): Tensor {
    if (this.kernelActivation === 'linear' && this.fused) return dy;
    this.dz = reuse(this.dz, dy.data.length);
    if (this.fused) {
      // Fused relu: y > 0 exactly where z > 0, so y stands in for the pre-activation.
      backend.activationBackward(this.dz, dy.data, this.y!, this.y!, { kind: 'relu' });
    } else {
      const lastAxis = dy.shape[dy.shape.length - 1]!;
      backend.activationBackward(this.dz, dy.data, this.z!, this.y!, withAxisSize(this.spec.attrs, lastAxis));
    }
    return { data: this.dz, shape: dy.shape };
  }

  /** The pre-activation of the latest forward (for fusing softmax/sigmoid into the loss). */
  preActivation(where: string): Tensor {
    if (!this.fused) {
      if (!this.z) throw new ValueError(`${where}.preActivation: no forward pass has run yet.`);
      return { data: this.z, shape: this.shape };
    }
    if (this.kernelActivation === 'linear' && this.y) return { data: this.y, shape: this.shape };
    throw new ValueError(
      `${where}.preActivation: the '${this.spec.name}' activation is fused into the kernel, so no pre-activation is kept. Only use preActivation when outputActivation() is 'softmax' or 'sigmoid'.`,
    );
  }
}
