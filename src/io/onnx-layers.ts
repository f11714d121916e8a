// What each convkit layer becomes in ONNX (opset 13+): Conv (group for depthwise, explicit pads for 'same'), Gemm or
// MatMul+Add, pooling, BatchNormalization (inference), activations, Pad, Slice, Flatten, Reshape, Add/Sum, Concat,
// Mul/Add for Rescaling; Dropout and the random augmentation layers are the identity at inference and vanish.
// Weights are transposed from Keras's layouts to ONNX's here. A layer with no exact ONNX form throws a ConfigError
// naming it, before anything is written. Not here: graph bookkeeping (onnx-graph.ts) and nested models.

import { ConfigError } from '../errors.js';
import { IDENTITY_AT_INFERENCE } from '../layers/common.js';
import type { Layer } from '../layers/layer.js';
import type { Shape } from '../tensor.js';
import { attr, type OnnxGraphBuilder, samePads, type Value } from './onnx-graph.js';

type Config = Record<string, unknown>;

export function unsupported(layer: Layer, why: string): never {
  throw new ConfigError(
    `exportOnnx: layer '${layer.name}' (${layer.className}) cannot be exported to ONNX: ${why}. Hint: remove or replace the layer before exporting (convkit/node's exportTfjs and .keras files keep it).`,
  );
}

function weight(layer: Layer, name: string): { shape: number[]; value: Float32Array } {
  const w = layer.weights.find((v) => v.name === name);
  if (!w) throw new ConfigError(`exportOnnx: layer '${layer.name}' has no weight '${name}'. Hint: build the model first.`);
  return w;
}

/** Keras conv kernel (KH, KW, Cin/groups, Cout) -> ONNX weight (Cout, Cin/groups, KH, KW). */
function convWeight(kernel: { shape: number[]; value: Float32Array }): { dims: number[]; data: Float32Array } {
  const [kh, kw, cin, cout] = kernel.shape as [number, number, number, number];
  const data = new Float32Array(kernel.value.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++)
          data[((o * cin + i) * kh + y) * kw + x] = kernel.value[((y * kw + x) * cin + i) * cout + o]!;
  return { dims: [cout, cin, kh, kw], data };
}

/** Keras depthwise kernel (KH, KW, C, M) -> ONNX grouped weight (C*M, 1, KH, KW); output channel c*M + m. */
function depthwiseWeight(kernel: { shape: number[]; value: Float32Array }): { dims: number[]; data: Float32Array } {
  const [kh, kw, c, m] = kernel.shape as [number, number, number, number];
  const grouped = convWeight({ shape: [kh, kw, 1, c * m], value: kernel.value });
  return { dims: [c * m, 1, kh, kw], data: grouped.data };
}

/** ONNX pads [top, left, bottom, right] for Keras padding on an NHWC input shape, or auto_pad when H/W are unknown. */
function padAttrs(layer: Layer, shape: Shape, padding: unknown, kernel: number[], strides: number[], dilation: number[]) {
  if (padding === 'valid') return [attr.ints('pads', [0, 0, 0, 0])];
  if (padding !== 'same') unsupported(layer, `padding ${JSON.stringify(padding)} has no ONNX equivalent here`);
  const [h, w] = [shape[1], shape[2]];
  if (h === null || w === null || h === undefined || w === undefined) return [attr.string('auto_pad', 'SAME_UPPER')];
  const [top, bottom] = samePads(h, kernel[0]!, strides[0]!, dilation[0]!);
  const [left, right] = samePads(w, kernel[1]!, strides[1]!, dilation[1]!);
  return [attr.ints('pads', [top, left, bottom, right])];
}

function out(name: string, layout: Value['layout'], shape: Shape): Value {
  return { name, shape, layout };
}

/** A Keras activation by name, applied to `x` (same layout). */
export function activation(g: OnnxGraphBuilder, layer: Layer, x: Value, name: string, base: string): Value {
  const keep = (n: string): Value => ({ ...x, name: n });
  const clip = (input: string, min: number | null, max: number | null) =>
    g.node(
      'Clip',
      [input, min === null ? '' : g.floats(`${base}/min`, [], [min]), max === null ? '' : g.floats(`${base}/max`, [], [max])],
      base,
    );
  switch (name) {
    case 'linear':
      return x;
    case 'relu':
      return keep(g.node('Relu', [x.name], base));
    case 'relu6':
      return keep(clip(x.name, 0, 6));
    case 'leaky_relu':
      return keep(g.node('LeakyRelu', [x.name], base, [attr.float('alpha', 0.2)]));
    case 'elu':
      return keep(g.node('Elu', [x.name], base, [attr.float('alpha', 1)]));
    case 'sigmoid':
      return keep(g.node('Sigmoid', [x.name], base));
    case 'hard_sigmoid': // Keras 3: relu6(x + 3) / 6
      return keep(g.node('HardSigmoid', [x.name], base, [attr.float('alpha', 1 / 6), attr.float('beta', 0.5)]));
    case 'tanh':
      return keep(g.node('Tanh', [x.name], base));
    case 'softmax':
      return keep(g.node('Softmax', [x.name], base, [attr.int('axis', g.axisOf(x, -1))]));
    case 'softplus':
      return keep(g.node('Softplus', [x.name], base));
    case 'swish':
    case 'silu':
      return keep(g.node('Mul', [x.name, g.node('Sigmoid', [x.name], `${base}/sigmoid`)], base));
    case 'gelu': {
      // Exact gelu: 0.5 x (1 + erf(x / sqrt 2)); Gelu itself is an operator only from opset 20.
      const erf = g.node(
        'Erf',
        [g.node('Div', [x.name, g.floats(`${base}/sqrt2`, [], [Math.SQRT2])], `${base}/scaled`)],
        `${base}/erf`,
      );
      const onePlus = g.node('Add', [erf, g.floats(`${base}/one`, [], [1])], `${base}/one_plus`);
      const half = g.node('Mul', [x.name, g.floats(`${base}/half`, [], [0.5])], `${base}/half_x`);
      return keep(g.node('Mul', [half, onePlus], base));
    }
    default:
      return unsupported(layer, `the activation '${name}' has no ONNX form here`);
  }
}

function convLike(g: OnnxGraphBuilder, layer: Layer, input: Value, c: Config, outShape: Shape): Value {
  const x = g.inLayout(input, 'nchw');
  const kernel = c.kernelSize as number[];
  const strides = c.strides as number[];
  const dilations = c.dilationRate as number[];
  const pads = padAttrs(layer, input.shape, c.padding, kernel, strides, dilations);
  const base = [attr.ints('kernel_shape', kernel), attr.ints('strides', strides), attr.ints('dilations', dilations), ...pads];
  const bias = c.useBias ? [g.floats(`${layer.name}/bias`, [weight(layer, 'bias').shape[0]!], weight(layer, 'bias').value)] : [];
  const linear = c.activation === 'linear';
  let y: string;
  if (layer.className === 'Conv2D') {
    const w = convWeight(weight(layer, 'kernel'));
    y = g.node(
      'Conv',
      [x.name, g.floats(`${layer.name}/kernel`, w.dims, w.data), ...bias],
      linear ? layer.name : `${layer.name}/conv`,
      [...base, attr.int('group', c.groups as number)],
    );
  } else {
    const channels = input.shape[3] as number;
    const w = depthwiseWeight(weight(layer, 'depthwise_kernel'));
    const depthwiseBias = layer.className === 'DepthwiseConv2D' ? bias : [];
    const separable = layer.className === 'SeparableConv2D';
    const name = linear && !separable ? layer.name : `${layer.name}/depthwise`;
    y = g.node('Conv', [x.name, g.floats(`${layer.name}/depthwise_kernel`, w.dims, w.data), ...depthwiseBias], name, [
      ...base,
      attr.int('group', channels),
    ]);
    if (separable) {
      const p = convWeight(weight(layer, 'pointwise_kernel'));
      const pointwise = [attr.ints('kernel_shape', [1, 1]), attr.ints('strides', [1, 1]), attr.ints('pads', [0, 0, 0, 0])];
      const kernelName = g.floats(`${layer.name}/pointwise_kernel`, p.dims, p.data);
      y = g.node('Conv', [y, kernelName, ...bias], linear ? layer.name : `${layer.name}/pointwise`, pointwise);
    }
  }
  return activation(g, layer, out(y, 'nchw', outShape), c.activation as string, layer.name);
}

function dense(g: OnnxGraphBuilder, layer: Layer, input: Value, c: Config, outShape: Shape): Value {
  const x = g.inLayout(input, 'keras');
  const kernel = weight(layer, 'kernel');
  const w = g.floats(`${layer.name}/kernel`, kernel.shape, kernel.value);
  const b = c.useBias ? g.floats(`${layer.name}/bias`, [c.units as number], weight(layer, 'bias').value) : null;
  const name = c.activation === 'linear' ? layer.name : `${layer.name}/dense`;
  let y: string;
  if (input.shape.length === 2) y = g.node('Gemm', [x.name, w, ...(b ? [b] : [])], name);
  else {
    y = g.node('MatMul', [x.name, w], b ? `${layer.name}/matmul` : name);
    if (b) y = g.node('Add', [y, b], name);
  }
  return activation(g, layer, out(y, 'keras', outShape), c.activation as string, layer.name);
}

function pooling(g: OnnxGraphBuilder, layer: Layer, input: Value, c: Config, outShape: Shape): Value {
  const x = g.inLayout(input, 'nchw');
  const kernel = c.poolSize as number[];
  const strides = c.strides as number[];
  const attrs = [
    attr.ints('kernel_shape', kernel),
    attr.ints('strides', strides),
    ...padAttrs(layer, input.shape, c.padding, kernel, strides, [1, 1]),
  ];
  const op = layer.className === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool';
  // AveragePool's count_include_pad defaults to 0: 'same' windows divide by their real cells, as Keras does.
  return out(g.node(op, [x.name], layer.name, attrs), 'nchw', outShape);
}

function globalPooling(g: OnnxGraphBuilder, layer: Layer, input: Value, c: Config, outShape: Shape): Value {
  const op = layer.className === 'GlobalMaxPooling2D' ? 'GlobalMaxPool' : 'GlobalAveragePool';
  const pooled = g.node(op, [g.inLayout(input, 'nchw').name], c.keepdims ? layer.name : `${layer.name}/pooled`);
  if (c.keepdims) return out(pooled, 'nchw', outShape);
  return out(g.node('Flatten', [pooled], layer.name, [attr.int('axis', 1)]), 'keras', outShape);
}

function batchNorm(g: OnnxGraphBuilder, layer: Layer, input: Value, c: Config, outShape: Shape): Value {
  const rank = input.shape.length;
  const axis = Array.isArray(c.axis) && c.axis.length === 1 ? (c.axis[0] as number) : (c.axis as number);
  if (axis !== -1 && axis !== rank - 1)
    unsupported(layer, `only the channels axis (-1) is supported, received axis ${JSON.stringify(c.axis)}`);
  if (rank !== 2 && rank !== 4)
    unsupported(layer, `ONNX BatchNormalization wants channels on axis 1; a rank-${rank} input has them last`);
  const x = g.inLayout(input, 'nchw');
  const channels = input.shape[rank - 1] as number;
  const param = (name: string, fallback: number) =>
    layer.weights.some((w) => w.name === name)
      ? g.floats(`${layer.name}/${name}`, [channels], weight(layer, name).value)
      : g.floats(`${layer.name}/${name}`, [channels], new Float32Array(channels).fill(fallback));
  const inputs = [x.name, param('gamma', 1), param('beta', 0), param('moving_mean', 0), param('moving_variance', 1)];
  return out(g.node('BatchNormalization', inputs, layer.name, [attr.float('epsilon', c.epsilon as number)]), x.layout, outShape);
}

function relu(g: OnnxGraphBuilder, layer: Layer, x: Value, c: Config): Value {
  const slope = (c.negativeSlope as number) ?? 0;
  const max = (c.maxValue as number | null | undefined) ?? null;
  if (((c.threshold as number) ?? 0) !== 0) unsupported(layer, 'a ReLU threshold other than 0 has no ONNX operator');
  const bound = (name: string, v: number) => g.floats(`${layer.name}/${name}`, [], [v]);
  if (slope === 0) {
    const y =
      max === null
        ? g.node('Relu', [x.name], layer.name)
        : g.node('Clip', [x.name, bound('min', 0), bound('max', max)], layer.name);
    return { ...x, name: y };
  }
  // Keras: slope * x below 0, x above, then at most max_value.
  const leaky = g.node('LeakyRelu', [x.name], max === null ? layer.name : `${layer.name}/leaky`, [attr.float('alpha', slope)]);
  return { ...x, name: max === null ? leaky : g.node('Clip', [leaky, '', bound('max', max)], layer.name) };
}

/** Converts one (non-model) layer applied to `inputs`; `outShape` is its Keras output shape. */
export function convertLayer(g: OnnxGraphBuilder, layer: Layer, inputs: Value[], outShape: Shape): Value {
  const c = layer.getConfig();
  const x = inputs[0]!;
  if (IDENTITY_AT_INFERENCE.has(layer.className)) return x;
  switch (layer.className) {
    case 'Conv2D':
    case 'DepthwiseConv2D':
    case 'SeparableConv2D':
      return convLike(g, layer, x, c, outShape);
    case 'Dense':
      return dense(g, layer, x, c, outShape);
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      return pooling(g, layer, x, c, outShape);
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
      return globalPooling(g, layer, x, c, outShape);
    case 'BatchNormalization':
      return batchNorm(g, layer, x, c, outShape);
    case 'ReLU':
      return relu(g, layer, x, c);
    case 'LeakyReLU':
      return { ...x, name: g.node('LeakyRelu', [x.name], layer.name, [attr.float('alpha', c.negativeSlope as number)]) };
    case 'Activation':
      return activation(g, layer, x, c.activation as string, layer.name);
    case 'Softmax':
      return { ...x, name: g.node('Softmax', [x.name], layer.name, [attr.int('axis', g.axisOf(x, (c.axis as number) ?? -1))]) };
    case 'Rescaling': {
      const scaled = g.node(
        'Mul',
        [x.name, g.floats(`${layer.name}/scale`, [], [c.scale as number])],
        c.offset ? `${layer.name}/scaled` : layer.name,
      );
      if (!c.offset) return { ...x, name: scaled };
      return { ...x, name: g.node('Add', [scaled, g.floats(`${layer.name}/offset`, [], [c.offset as number])], layer.name) };
    }
    case 'ZeroPadding2D': {
      const [[top, bottom], [left, right]] = c.padding as [[number, number], [number, number]];
      const v = g.inLayout(x, 'nchw');
      return out(
        g.node('Pad', [v.name, g.int64s(`${layer.name}/pads`, [0, 0, top, left, 0, 0, bottom, right])], layer.name),
        'nchw',
        outShape,
      );
    }
    case 'Cropping2D': {
      const [[top, bottom], [left, right]] = c.cropping as [[number, number], [number, number]];
      const end = (crop: number) => (crop > 0 ? -crop : Number.MAX_SAFE_INTEGER);
      const v = g.inLayout(x, 'nchw');
      const bounds = [
        g.int64s(`${layer.name}/starts`, [top, left]),
        g.int64s(`${layer.name}/ends`, [end(bottom), end(right)]),
        g.int64s(`${layer.name}/axes`, [2, 3]),
      ];
      return out(g.node('Slice', [v.name, ...bounds], layer.name), 'nchw', outShape);
    }
    case 'Flatten': {
      const v = g.inLayout(x, 'keras');
      return out(g.node('Flatten', [v.name], layer.name, [attr.int('axis', 1)]), 'keras', outShape);
    }
    case 'Reshape': {
      const v = g.inLayout(x, 'keras');
      const shape = g.int64s(`${layer.name}/shape`, [0, ...(c.targetShape as number[])]);
      return out(g.node('Reshape', [v.name, shape], layer.name), 'keras', outShape);
    }
    case 'Add': {
      const layout = inputs.every((v) => v.shape.length === 4) ? 'nchw' : 'keras';
      const names = inputs.map((v) => g.inLayout(v, layout).name);
      return out(g.node(names.length === 2 ? 'Add' : 'Sum', names, layer.name), layout, outShape);
    }
    case 'Concatenate': {
      const layout = inputs.every((v) => v.shape.length === 4) ? 'nchw' : 'keras';
      const values = inputs.map((v) => g.inLayout(v, layout));
      const axis = g.axisOf(values[0]!, c.axis as number);
      return out(
        g.node(
          'Concat',
          values.map((v) => v.name),
          layer.name,
          [attr.int('axis', axis)],
        ),
        layout,
        outShape,
      );
    }
    case 'Resizing':
    case 'CenterCrop':
    case 'RandomCrop':
      return unsupported(layer, 'image resizing (tf.image.resize semantics) is not exported');
    default:
      return unsupported(layer, 'convkit has no ONNX conversion for this layer class');
  }
}
