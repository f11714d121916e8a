# PyTorch side of the fit-level benchmark: one MNIST epoch of the seeds' CNN at batch 64 with Adam, and predict
# throughput on the 10k test images. Prints one JSON line. Run with Debian's /usr/bin/python3 (python3-torch).
# Arguments: data_dir threads [epochs=1] [limit: train on the first N images].
import json
import resource
import sys
import time

import numpy as np
import torch
from torch import nn


def read_idx(path, header):
    with open(path, "rb") as f:
        data = f.read()
    return np.frombuffer(data, dtype=np.uint8, offset=header)


def main():
    data_dir, threads, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 1
    limit = int(sys.argv[4]) if len(sys.argv) > 4 else None  # train on the first N images only, like convkit's --limit
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x_train = read_idx(f"{data_dir}/train-images-idx3-ubyte", 16).reshape(-1, 1, 28, 28).astype(np.float32) / 255
    y_train = read_idx(f"{data_dir}/train-labels-idx1-ubyte", 8).astype(np.int64)
    x_test = read_idx(f"{data_dir}/t10k-images-idx3-ubyte", 16).reshape(-1, 1, 28, 28).astype(np.float32) / 255
    y_test = read_idx(f"{data_dir}/t10k-labels-idx1-ubyte", 8).astype(np.int64)
    if limit is not None:
        x_train, y_train = x_train[:limit], y_train[:limit]
    x_train, y_train = torch.from_numpy(x_train), torch.from_numpy(y_train)
    x_test, y_test = torch.from_numpy(x_test), torch.from_numpy(y_test)

    model = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    batch = 64
    steps = (len(x_train) + batch - 1) // batch
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(x_train))
        model.train()
        for s in range(steps):
            idx = order[s * batch:(s + 1) * batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
    fit_s = time.perf_counter() - start

    model.eval()
    start = time.perf_counter()
    correct = 0
    with torch.no_grad():
        for s in range(0, len(x_test), 32):
            out = model(x_test[s:s + 32])
            correct += int((out.argmax(1) == y_test[s:s + 32]).sum())
    predict_s = time.perf_counter() - start
    print(json.dumps({
        "torch": torch.__version__, "threads": threads, "epochs": epochs, "fit_s": fit_s,
        "ms_per_step": fit_s * 1000 / (steps * epochs), "predict_images_per_s": len(x_test) / predict_s,
        "test_accuracy": correct / len(x_test),
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


main()
