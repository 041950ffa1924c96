"""The generic training loop: minibatch epochs over in-memory tensors, with a history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from tutorial_lib.batches import _check_tensor, iterate_batches

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Metric = Callable[[torch.Tensor, torch.Tensor], float]


@dataclass
class History:
    """Per-epoch record of a `fit` run (one entry per epoch in each list).

    Attributes:
        train_loss: Mean loss per training sample over the epoch.
        train_metric: ``metric(y_hat, y)`` averaged over the epoch's training samples
            (empty when no metric was given).
        test_metric: ``metric`` on the test data after the epoch, in eval mode without
            gradients (empty unless both a metric and test data were given).
    """

    train_loss: list[float] = field(default_factory=list)
    train_metric: list[float] = field(default_factory=list)
    test_metric: list[float] = field(default_factory=list)

    @property
    def num_epochs(self) -> int:
        """Number of epochs recorded."""
        return len(self.train_loss)


def _reduction(loss_fn: LossFn) -> str:
    """The reduction of ``loss_fn``: its ``reduction`` attribute (torch losses), else "mean"."""
    reduction = getattr(loss_fn, "reduction", None)
    if reduction is None:
        keywords = getattr(loss_fn, "keywords", None)  # functools.partial(F.xxx, reduction=...)
        reduction = keywords.get("reduction", "mean") if isinstance(keywords, dict) else "mean"
    if reduction not in ("mean", "sum"):
        raise ValueError(
            f"fit needs a loss that reduces a batch to one number ('mean' or 'sum'), "
            f"got reduction={reduction!r}"
        )
    return reduction


def _check_positive_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def fit(
    model: nn.Module,
    loss_fn: LossFn,
    optimizer: torch.optim.Optimizer,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    num_epochs: int,
    batch_size: int,
    seed: int = 0,
    metric: Metric | None = None,
    test_data: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> History:
    """Train ``model`` with minibatch gradient descent and return the per-epoch history.

    Every epoch draws a fresh permutation of the samples from a ``torch.Generator`` seeded
    with ``seed`` (see `tutorial_lib.batches.iterate_batches`), and for each minibatch
    runs ``optimizer.zero_grad()``, ``loss_fn(model(X_batch), y_batch).backward()`` and
    ``optimizer.step()``. The seed only fixes the order of the samples: seed torch (e.g.
    ``torch.manual_seed``) before building the model to fix its initial parameters too.

    The loss is reported as the mean per sample over the epoch whatever the reduction:
    a loss with ``reduction="sum"`` (read from ``loss_fn.reduction``, as torch's loss
    modules have it) is divided by the number of samples; any other scalar loss is taken
    to be a batch mean and weighted by the batch size.

    Args:
        model: The network; it is put in train mode for training.
        loss_fn: ``loss_fn(y_hat, y)`` returning a scalar, e.g. ``nn.BCEWithLogitsLoss()``.
        optimizer: Optimizer over ``model``'s parameters.
        X: Training features, first dimension indexes the samples.
        y: Training targets, same first dimension as ``X``.
        num_epochs: Number of passes over the training data.
        batch_size: Samples per minibatch (the last one may be smaller).
        seed: Seed of the generator that shuffles the samples every epoch.
        metric: Optional ``metric(y_hat, y) -> float`` (e.g. accuracy) on each batch.
        test_data: Optional ``(X_test, y_test)`` on which ``metric`` is computed after each
            epoch, with the model in eval mode and without gradients.

    Returns:
        The `History` of the run.

    Raises:
        TypeError: If ``X``, ``y`` or a tensor of ``test_data`` is not a tensor.
        ValueError: If ``num_epochs`` or ``batch_size`` is not a positive integer, ``X`` and
            ``y`` (or the test pair) hold different numbers of samples, ``X`` is empty, the
            loss does not reduce to a scalar, or ``test_data`` is given without ``metric``.
    """
    _check_positive_int("num_epochs", num_epochs)
    _check_positive_int("batch_size", batch_size)
    reduction = _reduction(loss_fn)
    _check_tensor("X", X)
    _check_tensor("y", y)
    if X.dim() == 0 or X.shape[0] == 0:
        raise ValueError("X holds no samples")
    if test_data is not None:
        if metric is None:
            raise ValueError("test_data needs a metric to evaluate on it")
        X_test, y_test = test_data
        _check_tensor("test_data[0]", X_test)
        _check_tensor("test_data[1]", y_test)
        if X_test.shape[0] != y_test.shape[0]:
            raise ValueError(
                f"test_data must hold as many inputs as targets, got {X_test.shape[0]} "
                f"and {y_test.shape[0]}"
            )
    generator = torch.Generator().manual_seed(seed)
    num_samples = X.shape[0]
    history = History()
    for _ in range(num_epochs):
        model.train()
        loss_total = 0.0
        metric_total = 0.0
        for X_batch, y_batch in iterate_batches(X, y, batch_size, generator=generator):
            y_hat = model(X_batch)
            loss = loss_fn(y_hat, y_batch)
            if loss.dim() != 0:
                raise ValueError(
                    f"loss_fn must return a scalar, got a tensor of shape {tuple(loss.shape)}"
                )
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            n = X_batch.shape[0]
            loss_total += loss.item() if reduction == "sum" else loss.item() * n
            if metric is not None:
                with torch.no_grad():
                    metric_total += float(metric(y_hat.detach(), y_batch)) * n
        history.train_loss.append(loss_total / num_samples)
        if metric is not None:
            history.train_metric.append(metric_total / num_samples)
            if test_data is not None:
                model.eval()
                with torch.no_grad():
                    history.test_metric.append(float(metric(model(test_data[0]), test_data[1])))
                model.train()
    return history
