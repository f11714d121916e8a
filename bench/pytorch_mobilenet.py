# PyTorch side of the MobileNetV2 benchmark (bench/mobilenet-v2.ts): torchvision's mobilenet_v2(width_mult=0.35) at
# 224x224 with the same head as convkit's (global average pooling, Linear(1280, 2)), random data. Measures
# inference images/s at batch 32 (eval mode, no_grad) and one fine-tuning step at batch 32: everything frozen
# except the last 5 layers as Keras counts them (Conv_1, Conv_1_bn, out_relu, pooling, Dense = torchvision's
# features[18] and the Linear); frozen BatchNorms in eval mode, Adam. Prints one JSON line.
# Usage: /usr/bin/python3 bench/pytorch_mobilenet.py THREADS [STEPS]
import json
import sys
import time

import torch
import torchvision
from torch import nn


def median(times):
    times = sorted(times)
    return times[len(times) // 2]


def main():
    threads = int(sys.argv[1])
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = torchvision.models.mobilenet_v2(width_mult=0.35)
    model.classifier = nn.Linear(1280, 2)
    x = torch.rand(32, 3, 224, 224) * 2 - 1
    y = torch.arange(32) % 2

    model.eval()
    with torch.no_grad():
        model(x)
        infer = []
        for _ in range(steps):
            t0 = time.perf_counter()
            model(x)
            infer.append(time.perf_counter() - t0)

    for p in model.parameters():
        p.requires_grad = False
    trainable = list(model.features[18].parameters()) + list(model.classifier.parameters())
    for p in trainable:
        p.requires_grad = True
    model.eval()
    model.features[18].train()  # Conv_1_bn is unfrozen: batch statistics, as Keras trains it
    opt = torch.optim.Adam(trainable, lr=1e-5, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    step()
    train = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        train.append(time.perf_counter() - t0)
    print(json.dumps({
        'infer_ms': round(median(infer) * 1000, 2),
        'images_per_s': round(32 / median(infer), 1),
        'step_ms': round(median(train) * 1000, 2),
        'torch': torch.__version__,
    }))


if __name__ == '__main__':
    main()
