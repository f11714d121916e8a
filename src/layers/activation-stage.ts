// The activation after a conv/dense kernel: fused into the kernel for 'linear' and 'relu', a separate
// activationForward/Backward otherwise. Owns the pre-activation, output and gradient buffers it needs.

import { type ActivationSpec, isFusedActivation } from '../activations.js';
import type { ActivationKind, Backend, FusedActivation } from '../backend/backend.js';
import { ValueError } from '../errors.js';
import { reuse } from './common.js';

export class ActivationStage {
  readonly spec: ActivationSpec;
  /** Activation the kernel applies itself, or 'linear' when this stage applies it afterwards. */
  readonly kernelActivation: FusedActivation;
  private readonly fused: boolean;
  private z: Float32Array | null = null;
  private y: Float32Array | null = null;
  private dz: Float32Array | null = null;

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

  /** Applies a non-fused activation to the kernel output; returns the layer output. */
  finish(backend: Backend, lastAxis: number): Float32Array {
    if (this.fused) return this.y!;
    const z = this.z!;
    this.y = reuse(this.y, z.length);
    const attrs = this.spec.attrs.kind === 'softmax' ? { ...this.spec.attrs, axisSize: lastAxis } : this.spec.attrs;
    backend.activationForward(this.y, z, attrs);
    return this.y;
  }

  /** Gradient w.r.t. the kernel output, given dy w.r.t. the layer output. */
  backward(backend: Backend, dy: Float32Array, lastAxis: number): Float32Array {
    if (this.kernelActivation === 'linear' && this.fused) return dy;
    this.dz = reuse(this.dz, dy.length);
    if (this.fused) {
      // Fused relu: y > 0 exactly where z > 0, so y stands in for the pre-activation.
      backend.activationBackward(this.dz, dy, this.y!, this.y!, { kind: 'relu' });
    } else {
      const attrs = this.spec.attrs.kind === 'softmax' ? { ...this.spec.attrs, axisSize: lastAxis } : this.spec.attrs;
      backend.activationBackward(this.dz, dy, this.z!, this.y!, attrs);
    }
    return this.dz;
  }

  /** The pre-activation of the latest forward (for fusing softmax/sigmoid into the loss). */
  preActivation(where: string): Float32Array {
    if (!this.fused) {
      if (!this.z) throw new ValueError(`${where}.preActivation: no forward pass has run yet.`);
      return this.z;
    }
    if (this.kernelActivation === 'linear' && this.y) return this.y;
    throw new ValueError(
      `${where}.preActivation: the '${this.spec.name}' activation is fused into the kernel, so no pre-activation is kept. Only use preActivation when outputActivation() is 'softmax' or 'sigmoid'.`,
    );
  }
}
