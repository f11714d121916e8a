# An independent MobileNet forward pass for the tests: PyTorch functional ops on weights read by h5py, the network
# written from the MobileNet papers / Keras's layout (TF 'same' padding, BatchNormalization epsilon 1e-3, ReLU6),
# channel counts taken from the weight shapes. Prints nothing; writes the NHWC float32 output to a file.
# Usage: mobilenet_torch.py v1|v2 <weights.h5> <group inside the file ('' = root)> <input.bin> <N,H,W,C> <output.bin>

import sys

import h5py
import numpy as np
import torch
import torch.nn.functional as F

kind, path, group, input_path, shape_text, output_path = sys.argv[1:7]
n, h, w, c = (int(v) for v in shape_text.split(','))
root = h5py.File(path, 'r')
if group:
    root = root[group]


def weight(layer, name):
    """The dataset `name` ('kernel', 'gamma' ...) somewhere under the layer's group, by its base name."""
    found = []
    root[layer].visititems(lambda key, obj: found.append(obj) if isinstance(obj, h5py.Dataset) and key.split('/')[-1].split(':')[0] == name else None)
    if len(found) != 1:
        raise SystemExit(f'{layer}/{name}: expected one dataset, found {len(found)}')
    return torch.from_numpy(np.asarray(found[0][()], dtype=np.float64))


def same_pad(x, k, s):
    """TensorFlow 'same': the extra row/column goes after."""
    _, _, ih, iw = x.shape
    def amounts(size):
        out = -(-size // s)
        total = max((out - 1) * s + k - size, 0)
        return total // 2, total - total // 2
    top, bottom = amounts(ih)
    left, right = amounts(iw)
    return F.pad(x, (left, right, top, bottom))


def conv(x, layer, stride=1, padding='same'):
    kernel = weight(layer, 'kernel').permute(3, 2, 0, 1)  # (KH, KW, I, O) -> (O, I, KH, KW)
    if padding == 'same':
        x = same_pad(x, kernel.shape[2], stride)
    return F.conv2d(x, kernel, stride=stride)


def depthwise(x, layer, stride=1, padding='same'):
    kernel = weight(layer, 'depthwise_kernel')  # (KH, KW, C, M)
    kh, kw, ch, m = kernel.shape
    kernel = kernel.permute(2, 3, 0, 1).reshape(ch * m, 1, kh, kw)
    if padding == 'same':
        x = same_pad(x, kh, stride)
    return F.conv2d(x, kernel, stride=stride, groups=ch)


def bn(x, layer):
    g, b = weight(layer, 'gamma'), weight(layer, 'beta')
    mean, var = weight(layer, 'moving_mean'), weight(layer, 'moving_variance')
    return F.batch_norm(x, mean, var, g, b, training=False, eps=1e-3)


def relu6(x):
    return torch.clamp(x, 0, 6)


def mobilenet_v1(x):
    x = relu6(bn(conv(x, 'conv1', 2), 'conv1_bn'))
    strides = [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1]
    for i, s in enumerate(strides, start=1):
        if s == 2:
            x = depthwise(F.pad(x, (0, 1, 0, 1)), f'conv_dw_{i}', 2, 'valid')
        else:
            x = depthwise(x, f'conv_dw_{i}')
        x = relu6(bn(x, f'conv_dw_{i}_bn'))
        x = relu6(bn(conv(x, f'conv_pw_{i}'), f'conv_pw_{i}_bn'))
    return x


def mobilenet_v2(x):
    x = relu6(bn(conv(x, 'Conv1', 2), 'bn_Conv1'))
    strides = [1, 2, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1]
    for i, s in enumerate(strides):
        inputs = x
        prefix = f'block_{i}_' if i else 'expanded_conv_'
        if i:
            x = relu6(bn(conv(x, prefix + 'expand'), prefix + 'expand_BN'))
        if s == 2:
            # Keras's correct_pad: one row/column before only when the size is odd, one after always.
            ph, pw = x.shape[2] % 2, x.shape[3] % 2
            x = depthwise(F.pad(x, (pw, 1, ph, 1)), prefix + 'depthwise', 2, 'valid')
        else:
            x = depthwise(x, prefix + 'depthwise')
        x = relu6(bn(x, prefix + 'depthwise_BN'))
        x = bn(conv(x, prefix + 'project'), prefix + 'project_BN')
        if s == 1 and inputs.shape[1] == x.shape[1]:
            x = x + inputs
    return relu6(bn(conv(x, 'Conv_1'), 'Conv_1_bn'))


x = np.fromfile(input_path, dtype=np.float32).reshape(n, h, w, c)
x = torch.from_numpy(x.astype(np.float64)).permute(0, 3, 1, 2)
with torch.no_grad():
    y = mobilenet_v1(x) if kind == 'v1' else mobilenet_v2(x)
y.permute(0, 2, 3, 1).contiguous().numpy().astype(np.float32).tofile(output_path)
