"""Minibatches of in-memory tensors, drawn by indexing with a (shuffled) permutation."""

from __future__ import annotations

from collections.abc import Iterator

import torch


def _check_tensor(name: str, value: object) -> None:
    """Raise TypeError, naming the argument ``name``, unless ``value`` is a tensor."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")


def iterate_batches(
    X: torch.Tensor,
    y: torch.Tensor,
    batch_size: int,
    *,
    shuffle: bool = True,
    generator: torch.Generator | None = None,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Yield ``(X_batch, y_batch)`` minibatches that visit every sample exactly once.

    The samples are taken in the order of ``torch.randperm(len(X), generator=generator)``
    when ``shuffle`` is true (a new permutation on every call, so every epoch is reshuffled
    when the same generator is reused), in their stored order otherwise. Each batch is
    gathered from the in-memory tensors with one ``index_select`` (never one Python object
    per sample), so it is a **copy**, not a view: writing into a batch leaves ``X`` and
    ``y`` unchanged, and every batch costs memory for its own samples. The last batch
    holds the remaining ``len(X) % batch_size`` samples when that is not zero.

    Args:
        X: Features, first dimension indexes the samples.
        y: Targets, with the same first dimension as ``X``.
        batch_size: Number of samples per batch (at least 1).
        shuffle: Draw the samples in a random order.
        generator: Source of randomness for the order, for reproducible runs.

    Returns:
        An iterator over ``(X_batch, y_batch)`` pairs.

    Raises:
        TypeError: If ``X`` or ``y`` is not a tensor.
        ValueError: If ``X`` and ``y`` hold different numbers of samples, either is a
            0-d tensor, or ``batch_size`` is not a positive integer.
    """
    _check_tensor("X", X)
    _check_tensor("y", y)
    if X.dim() == 0 or y.dim() == 0:
        raise ValueError("X and y need a first dimension indexing the samples, got a 0-d tensor")
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X and y must hold the same number of samples, got {X.shape[0]} and {y.shape[0]}"
        )
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    num_samples = X.shape[0]
    if shuffle:
        order = torch.randperm(num_samples, generator=generator)
    else:
        order = torch.arange(num_samples)
    return _batches(X, y, order, batch_size)


def _batches(
    X: torch.Tensor, y: torch.Tensor, order: torch.Tensor, batch_size: int
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    for start in range(0, order.numel(), batch_size):
        index = order[start : start + batch_size]
        yield X.index_select(0, index), y.index_select(0, index)
