"""Training throughput of softmax regression on Fashion-MNIST: in-memory tensors vs DataLoader.

Trains the same model (``nn.Sequential(nn.Flatten(), nn.Linear(784, 10))``, cross-entropy,
SGD with lr 0.1, batch size 256) with two input pipelines and prints, side by side, samples per
second and the seconds for 10 epochs:

1. ``in-memory + fit``: the whole split held as one float tensor, minibatches formed by
   indexing it, trained with ``tutorial_lib.training.fit`` (what the pages do);
2. ``DataLoader + ToTensor``: ``DataLoader(FashionMNIST(root, transform=ToTensor()),
   batch_size=256, shuffle=True)``, which builds a PIL image and a tensor per sample.

The slow pipeline runs fewer epochs (``--slow-epochs``, default 1); its 10-epoch time is
extrapolated and labelled as such. Data are read from ``$TUTORIAL_LIB_DATA`` (torchvision
layout), e.g. ``TUTORIAL_LIB_DATA=/work/shared/data python benchmarks/training_throughput.py``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

from tutorial_lib.data import load_fashion_mnist
from tutorial_lib.training import fit

BATCH_SIZE = 256
LR = 0.1
TARGET_EPOCHS = 10


def make_model() -> nn.Module:
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    nn.init.normal_(net[1].weight, std=0.01)
    nn.init.zeros_(net[1].bias)
    return net


def in_memory(root: str, epochs: int) -> tuple[float, int, float, float]:
    """Return (load seconds, samples trained, training seconds, final train loss)."""
    start = time.perf_counter()
    split = load_fashion_mnist(root, train=True, download=False)
    X = split.images.reshape(len(split), -1).float() / 255
    y = split.labels
    load = time.perf_counter() - start
    net = make_model()
    start = time.perf_counter()
    history = fit(
        net,
        nn.CrossEntropyLoss(),
        torch.optim.SGD(net.parameters(), lr=LR),
        X,
        y,
        num_epochs=epochs,
        batch_size=BATCH_SIZE,
        seed=0,
    )
    return load, epochs * len(y), time.perf_counter() - start, history.train_loss[-1]


def data_loader(root: str, epochs: int) -> tuple[float, int, float, float]:
    """Return (load seconds, samples trained, training seconds, final train loss)."""
    start = time.perf_counter()
    dataset = datasets.FashionMNIST(
        root, train=True, download=False, transform=transforms.ToTensor()
    )
    loader = DataLoader(
        dataset,
        batch_size=BATCH_SIZE,
        shuffle=True,
        generator=torch.Generator().manual_seed(0),
    )
    load = time.perf_counter() - start
    net = make_model()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=LR)
    samples, loss_sum = 0, 0.0
    start = time.perf_counter()
    for _ in range(epochs):
        samples, loss_sum = 0, 0.0
        for X, y in loader:
            loss = loss_fn(net(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            samples += len(y)
            loss_sum += loss.item() * len(y)
    return load, epochs * len(dataset), time.perf_counter() - start, loss_sum / samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=TARGET_EPOCHS, help="in-memory epochs")
    parser.add_argument("--slow-epochs", type=int, default=1, help="DataLoader epochs")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    args = parser.parse_args()
    root = os.environ.get("TUTORIAL_LIB_DATA")
    if not root:
        print("set TUTORIAL_LIB_DATA to a folder holding FashionMNIST/raw/...", file=sys.stderr)
        return 2
    if args.threads:
        torch.set_num_threads(args.threads)

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"data: {root}; model: Flatten + Linear(784, 10), SGD lr {LR}, batch {BATCH_SIZE}")
    print()
    rows = []
    for name, run, epochs in (
        ("in-memory tensors + fit", in_memory, args.epochs),
        ("DataLoader + ToTensor", data_loader, args.slow_epochs),
    ):
        load, samples, seconds, loss = run(root, epochs)
        per_second = samples / seconds
        ten = seconds * TARGET_EPOCHS / epochs
        label = "measured" if epochs == TARGET_EPOCHS else f"extrapolated from {epochs}"
        rows.append((name, epochs, load, seconds, per_second, ten, label, loss))

    header = (
        f"{'pipeline':<26}{'epochs':>7}{'load s':>8}{'train s':>9}{'samples/s':>12}"
        f"{'s per 10 epochs':>17}  {'(how)':<20}{'last loss':>10}"
    )
    print(header)
    print("-" * len(header))
    for name, epochs, load, seconds, per_second, ten, label, loss in rows:
        print(
            f"{name:<26}{epochs:>7}{load:>8.2f}{seconds:>9.2f}{per_second:>12,.0f}"
            f"{ten:>17.2f}  {label:<20}{loss:>10.4f}"
        )
    print()
    print(f"speed-up of the in-memory pipeline: {rows[0][4] / rows[1][4]:.1f}x samples/second")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
