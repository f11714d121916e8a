# PyTorch side of the kernel-level step benchmark: one training step of the MNIST CNN (Conv 32 3x3 relu,
# MaxPool 2, Conv 64 3x3 relu, MaxPool 2, Flatten, Dense 128 relu, Dense 10; cross-entropy on logits; Adam)
# at batch 64 on fixed random data. Usage: /usr/bin/python3 bench/pytorch_step.py [--steps N] [--warmup N]
# [--max-seconds S] [--stats] THREADS... (--max-seconds: stop timing after S seconds, at least 10 steps).
# Prints one JSON line {"<threads>": median ms/step} ({"<threads>": {"median", "mean", "steps"}} with --stats).
# Run with Debian's /usr/bin/python3 (python3-torch).
import json
import sys
import time

import torch
from torch import nn


def median_step_ms(threads, warmup=20, steps=200, max_seconds=None):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10),
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(64, 1, 28, 28)
    y = torch.arange(64) % 10

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(warmup):
        step()
    times = []
    start = time.perf_counter()
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
        if max_seconds is not None and len(times) >= 10 and time.perf_counter() - start > max_seconds:
            break
    mean = sum(times) / len(times)
    times.sort()
    return times[len(times) // 2], mean, len(times)


def main():
    args = sys.argv[1:]
    options = {"--steps": 200, "--warmup": 20, "--max-seconds": None}
    stats = "--stats" in args
    args = [a for a in args if a != "--stats"]
    for name in options:
        if name in args:
            i = args.index(name)
            options[name] = float(args[i + 1]) if name == "--max-seconds" else int(args[i + 1])
            del args[i : i + 2]
    threads = [int(t) for t in args] or [1, 2]
    result = {}
    for t in threads:
        median, mean, count = median_step_ms(t, options["--warmup"], options["--steps"], options["--max-seconds"])
        result[str(t)] = {"median": round(median, 3), "mean": round(mean, 3), "steps": count} if stats else round(median, 3)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
