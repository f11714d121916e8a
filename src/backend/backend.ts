// The compute backend interface: every kernel convkit's layers, losses, optimizers and data pipelines need.
// Layout at the boundary is always channels-last: images (N, H, W, C), conv kernels (KH, KW, C_in/groups, C_out)
// as Keras stores them, dense kernels (IN, OUT). Kernels write into caller-owned outputs (outputs first,
// inputs after, one attrs object last) so layers can reuse buffers and the native side never allocates in the
// hot path. Backward kernels OVERWRITE their outputs; layers add into gradients themselves when they must.
// Float64Array is accepted by the reference backend only (for finite-difference checks).

export type FloatArray = Float32Array | Float64Array;

/** Explicit padding in pixels. */
export interface Padding2d {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * 'valid': no padding. 'same': TensorFlow's rule, total = max((ceil(in/s)-1)*s + (k-1)*d + 1 - in, 0),
 * top = floor(total/2), bottom = total - top (the odd extra row/column goes bottom/right).
 */
export type PaddingMode = 'valid' | 'same' | Padding2d;

/** Activations that conv2d/dense can fuse after the bias. */
export type FusedActivation = 'linear' | 'relu';

export interface Conv2dAttrs {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outChannels: number;
  kernelHeight: number;
  kernelWidth: number;
  strides: [number, number];
  dilations: [number, number];
  padding: PaddingMode;
  /** inChannels and outChannels must both be divisible by groups. Depthwise: groups = inChannels, outChannels = inChannels * depthMultiplier. */
  groups: number;
  activation: FusedActivation;
}

export interface Pool2dAttrs {
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  poolSize: [number, number];
  strides: [number, number];
  padding: 'valid' | 'same';
}

export interface GlobalPool2dAttrs {
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  mode: 'max' | 'avg';
}

export interface DenseAttrs {
  batch: number;
  inUnits: number;
  outUnits: number;
  activation: FusedActivation;
}

export interface BatchNormAttrs {
  /** Number of rows: N for (N, C), N*H*W for (N, H, W, C). */
  count: number;
  channels: number;
  epsilon: number;
  /** Keras semantics: moving = moving * momentum + batch * (1 - momentum). */
  momentum: number;
}

export type ActivationKind =
  | 'linear'
  | 'relu'
  | 'relu6'
  | 'leakyRelu'
  | 'elu'
  | 'sigmoid'
  | 'hardSigmoid'
  | 'tanh'
  | 'softmax'
  | 'swish'
  | 'gelu'
  | 'softplus';

export interface ActivationAttrs {
  kind: ActivationKind;
  /** relu: negative slope (Keras ReLU negative_slope), leakyRelu/elu: alpha. Default 0 for relu, 0.3 leaky, 1 elu. */
  alpha?: number;
  /** relu: max value (relu6 is relu with maxValue 6). */
  maxValue?: number;
  /** relu: values below threshold are treated as "negative". */
  threshold?: number;
  /** gelu: tanh approximation (Keras default approximate=False: erf). */
  approximate?: boolean;
  /** softmax: size of the last axis (rows = length / axisSize). */
  axisSize?: number;
}

export type LossKind = 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' | 'binaryCrossentropy' | 'meanSquaredError';

export interface LossAttrs {
  kind: LossKind;
  batch: number;
  /** Values per sample of the prediction (classes; 1 for a single sigmoid unit). */
  classes: number;
  /**
   * true: the input is logits and softmax (categorical) / sigmoid (binary) is applied inside, fused.
   * false: the input is probabilities, clipped to [1e-7, 1 - 1e-7] like Keras. Ignored by meanSquaredError.
   */
  fromLogits: boolean;
  labelSmoothing: number;
  /** Per-sample weights (length batch) or undefined for all ones. */
  sampleWeight?: FloatArray;
}

export interface DropoutAttrs {
  rate: number;
  seed: number;
  /** Stream offset so successive calls with one seed differ; the same (seed, offset) gives the same mask. */
  offset: number;
  /** SpatialDropout2D: one decision per (n, c), shared over H*W. Undefined: one decision per element. */
  spatial?: { batch: number; spatialSize: number; channels: number };
}

export interface RandomAttrs {
  seed: number;
  offset: number;
  distribution: 'uniform' | 'normal' | 'truncatedNormal';
  /** uniform: [low, high). */
  low?: number;
  high?: number;
  /** normal and truncatedNormal (re-drawn beyond 2 stddev). */
  mean?: number;
  stddev?: number;
}

export interface SgdAttrs {
  learningRate: number;
  momentum: number;
  nesterov: boolean;
  /** Decoupled weight decay (Keras 3 `weight_decay`): param -= lr * wd * param. */
  weightDecay: number;
}

export interface AdamAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1-based step count after this update, for bias correction. */
  step: number;
  /** Decoupled weight decay (AdamW): param -= lr * wd * param before the Adam step. 0 for Adam. */
  weightDecay: number;
}

export interface RmspropAttrs {
  learningRate: number;
  rho: number;
  momentum: number;
  epsilon: number;
  centered: boolean;
  weightDecay: number;
}

export interface ResizeAttrs {
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  outHeight: number;
  outWidth: number;
  /** TensorFlow tf.image.resize semantics (half-pixel centers, no antialias). */
  method: 'bilinear' | 'nearest' | 'area';
}

export interface AffineAttrs {
  batch: number;
  height: number;
  width: number;
  channels: number;
  /**
   * Per image 8 numbers [a0,a1,a2,b0,b1,b2,c0,c1] mapping OUTPUT (x, y) to INPUT
   * (x', y') = ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1
   * (TensorFlow's ImageProjectiveTransformV3 convention, used by Keras's RandomRotation/Zoom/Translation).
   */
  transforms: FloatArray;
  interpolation: 'nearest' | 'bilinear';
  fillMode: 'constant' | 'nearest' | 'reflect' | 'wrap';
  fillValue: number;
}

/**
 * The kernel set. Shapes are written beside each argument; every size comes from attrs, every buffer length
 * is checked against them and a wrong one raises ShapeError naming kernel, argument, expected and received.
 */
export interface Backend {
  readonly name: 'reference' | 'native';

  // ---- convolution ----
  /** y: (N, OH, OW, CO) = act(conv(x: (N, H, W, CI), w: (KH, KW, CI/groups, CO)) + b: (CO) | null). */
  conv2dForward(y: FloatArray, x: FloatArray, w: FloatArray, b: FloatArray | null, attrs: Conv2dAttrs): void;
  /** dx: (N, H, W, CI) from dy: (N, OH, OW, CO) and w. attrs.activation is ignored (apply its backward first). */
  conv2dBackwardData(dx: FloatArray, dy: FloatArray, w: FloatArray, attrs: Conv2dAttrs): void;
  /** dw: (KH, KW, CI/groups, CO), db: (CO) | null, from x: (N, H, W, CI) and dy: (N, OH, OW, CO). */
  conv2dBackwardWeights(dw: FloatArray, db: FloatArray | null, x: FloatArray, dy: FloatArray, attrs: Conv2dAttrs): void;

  // ---- pooling ----
  /** y: (N, OH, OW, C); argmax: (N, OH, OW, C) flat index into x of each max, for the backward pass. */
  maxPool2dForward(y: FloatArray, argmax: Int32Array, x: FloatArray, attrs: Pool2dAttrs): void;
  /** dx: (N, H, W, C) (overwritten, then scattered into) from dy: (N, OH, OW, C). */
  maxPool2dBackward(dx: FloatArray, dy: FloatArray, argmax: Int32Array, attrs: Pool2dAttrs): void;
  /** y: (N, OH, OW, C); 'same' padding divides by the number of real (non-padding) cells. */
  avgPool2dForward(y: FloatArray, x: FloatArray, attrs: Pool2dAttrs): void;
  avgPool2dBackward(dx: FloatArray, dy: FloatArray, attrs: Pool2dAttrs): void;
  /** y: (N, C) from x: (N, H, W, C). */
  globalPool2dForward(y: FloatArray, x: FloatArray, attrs: GlobalPool2dAttrs): void;
  /** dx: (N, H, W, C); max routes to the first maximum (needs x). */
  globalPool2dBackward(dx: FloatArray, dy: FloatArray, x: FloatArray, attrs: GlobalPool2dAttrs): void;

  // ---- dense ----
  /** y: (N, OUT) = act(x: (N, IN) @ w: (IN, OUT) + b: (OUT) | null). */
  denseForward(y: FloatArray, x: FloatArray, w: FloatArray, b: FloatArray | null, attrs: DenseAttrs): void;
  /** dx: (N, IN) = dy: (N, OUT) @ w^T. */
  denseBackwardData(dx: FloatArray, dy: FloatArray, w: FloatArray, attrs: DenseAttrs): void;
  /** dw: (IN, OUT) = x^T @ dy; db: (OUT) = sum over N of dy. */
  denseBackwardWeights(dw: FloatArray, db: FloatArray | null, x: FloatArray, dy: FloatArray, attrs: DenseAttrs): void;

  // ---- batch normalization over the last axis of x: (count, C) ----
  /**
   * Training: normalises with batch statistics, writes batch mean and 1/sqrt(var+eps) (biased var) to
   * saveMean/saveInvStd (C), and updates movingMean/movingVar (C) in place with the biased batch variance (Keras 3).
   */
  batchNormForwardTraining(
    y: FloatArray,
    saveMean: FloatArray,
    saveInvStd: FloatArray,
    x: FloatArray,
    gamma: FloatArray,
    beta: FloatArray,
    movingMean: FloatArray,
    movingVar: FloatArray,
    attrs: BatchNormAttrs,
  ): void;
  /** Inference: y = gamma * (x - movingMean) / sqrt(movingVar + eps) + beta. */
  batchNormForwardInference(
    y: FloatArray,
    x: FloatArray,
    gamma: FloatArray,
    beta: FloatArray,
    movingMean: FloatArray,
    movingVar: FloatArray,
    attrs: BatchNormAttrs,
  ): void;
  /**
   * Backward of the training forward when `training` (uses saveMean/saveInvStd), else of the inference forward
   * (saveMean/saveInvStd then hold movingMean and 1/sqrt(movingVar+eps)). dGamma/dBeta: (C).
   */
  batchNormBackward(
    dx: FloatArray,
    dGamma: FloatArray,
    dBeta: FloatArray,
    dy: FloatArray,
    x: FloatArray,
    gamma: FloatArray,
    saveMean: FloatArray,
    saveInvStd: FloatArray,
    attrs: BatchNormAttrs & { training: boolean },
  ): void;

  // ---- activations (element-wise; softmax over rows of attrs.axisSize) ----
  activationForward(y: FloatArray, x: FloatArray, attrs: ActivationAttrs): void;
  /** dx from dy, the forward input x and the forward output y (each kind uses whichever it needs). */
  activationBackward(dx: FloatArray, dy: FloatArray, x: FloatArray, y: FloatArray, attrs: ActivationAttrs): void;

  // ---- losses ----
  /**
   * losses: (N) per-sample loss times its sample weight. dInput: (N, classes) | null, the gradient of
   * sum(losses) / N with respect to `input` (Keras's sum_over_batch_size). target: (N, classes) for
   * categorical/binary/mse, (N) class indices for sparse. Returns nothing; labels out of range raise ValueError.
   */
  lossForward(losses: FloatArray, dInput: FloatArray | null, input: FloatArray, target: FloatArray, attrs: LossAttrs): void;

  // ---- randomness (counter-based: identical numbers on every backend for the same seed and offset) ----
  random(out: FloatArray, attrs: RandomAttrs): void;
  /** y = x * mask, mask[i] = 0 or 1/(1-rate), drawn from (seed, offset). */
  dropoutForward(y: FloatArray, mask: FloatArray, x: FloatArray, attrs: DropoutAttrs): void;

  // ---- element-wise and reductions ----
  /** out = alpha * a + beta * b (out may alias a or b). */
  axpby(out: FloatArray, a: FloatArray, b: FloatArray, alpha: number, beta: number): void;
  /** out = a * b element-wise. */
  multiply(out: FloatArray, a: FloatArray, b: FloatArray): void;
  /** out = x * alpha (out may alias x). */
  scale(out: FloatArray, x: FloatArray, alpha: number): void;
  /** out = min(max(x, low), high). */
  clip(out: FloatArray, x: FloatArray, low: number, high: number): void;
  /** out: (cols) = sum over rows of x: (rows, cols). Bias gradients, per-class counts. */
  sumRows(out: FloatArray, x: FloatArray, rows: number, cols: number): void;
  /** Sum of squares of x (float64 accumulation): gradient norms. */
  sumSquares(x: FloatArray): number;
  /** out: (rows) index of the max of each row of x: (rows, cols); ties go to the first. */
  argmaxRows(out: Int32Array, x: FloatArray, rows: number, cols: number): void;

  // ---- optimizers (in place on param and state; grad is read-only) ----
  sgdUpdate(param: FloatArray, grad: FloatArray, velocity: FloatArray | null, attrs: SgdAttrs): void;
  adamUpdate(param: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, attrs: AdamAttrs): void;
  /** meanGrad is used only when centered; momentumBuf only when momentum > 0. */
  rmspropUpdate(
    param: FloatArray,
    grad: FloatArray,
    meanSquare: FloatArray,
    meanGrad: FloatArray | null,
    momentumBuf: FloatArray | null,
    attrs: RmspropAttrs,
  ): void;

  // ---- image ops for data pipelines ----
  /** y: (N, OH, OW, C) from x: (N, H, W, C). */
  resizeImages(y: FloatArray, x: FloatArray, attrs: ResizeAttrs): void;
  /** y: (N, H, W, C) = x: (N, H, W, C) sampled through one projective transform per image. */
  affineTransform(y: FloatArray, x: FloatArray, attrs: AffineAttrs): void;

  /**
   * Fixes the thread count (native; the reference backend is single-threaded and ignores it), or 'auto', the
   * default: training and predict then time their steps and keep the fastest count (src/backend/thread-tuner.ts).
   */
  setThreads(count: number | 'auto'): void;
  /** The thread count in use now. */
  getThreads(): number;
  /**
   * The counts the adaptive default chooses between, fewest first; empty when the count is fixed (setThreads
   * with a number, or OMP_NUM_THREADS in the environment) or the backend has a single thread.
   */
  autoThreadCandidates(): readonly number[];
  /** Applies a count chosen by the adaptive default; unlike setThreads it leaves the default adaptive. */
  applyAutoThreads(count: number): void;
}
