"""Classification metrics: accuracy of predictions and of a model on a whole split."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from tutorial_lib.labels import check_class_labels


def _predicted_labels(y_hat: torch.Tensor) -> torch.Tensor:
    """The predicted class of each sample: the argmax of scores, or ``y_hat`` if labels."""
    if not isinstance(y_hat, torch.Tensor):
        raise ValueError(f"y_hat must be a torch.Tensor, got {type(y_hat).__name__}")
    if y_hat.dim() == 2:
        if y_hat.shape[1] == 0:
            raise ValueError("y_hat has zero classes (shape (N, 0)): scores need C >= 2 columns")
        if y_hat.shape[1] == 1:
            raise ValueError(
                "y_hat has a single column (shape (N, 1)): the argmax of one score is always "
                "class 0. For the scores of a binary classifier (e.g. LogisticRegression), "
                "turn them into 0/1 labels first: (y_hat >= 0).long().squeeze(1) for logits, "
                "(y_hat >= 0.5).long().squeeze(1) for probabilities"
            )
        return y_hat.argmax(dim=1)
    if y_hat.dim() == 1:
        if y_hat.is_floating_point():
            raise ValueError(
                f"y_hat must hold integer class indices as torch.int64 (long), got dtype "
                f"{y_hat.dtype}: if it holds whole numbers, convert it with y_hat.long(); if "
                f"it holds probabilities of class 1, threshold them first: "
                f"(y_hat >= 0.5).long()"
            )
        check_class_labels(y_hat, name="y_hat")
        return y_hat
    raise ValueError(
        f"y_hat must be scores of shape (N, C) or labels of shape (N,), got {tuple(y_hat.shape)}"
    )


def accuracy(y_hat: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of samples whose predicted class equals the true class.

    Args:
        y_hat: Either scores (logits or probabilities) of shape ``(N, C)`` with
            ``C >= 2``, whose row-wise argmax is the prediction, or predicted class
            indices of shape ``(N,)`` (``torch.int64``, like ``y``). Scores of a binary
            classifier, shape ``(N, 1)``, must be thresholded into labels first.
        y: True class indices, ``torch.int64`` tensor of shape ``(N,)`` (see
            `tutorial_lib.labels.check_class_labels`).

    Returns:
        The accuracy, a float in ``[0, 1]``.

    Raises:
        ValueError: If ``y_hat`` has one column or none, the batch is empty, the numbers of
            samples differ, or the labels are not valid class indices (not
            ``torch.int64``, negative or ``>= C``).
    """
    predicted = _predicted_labels(y_hat)
    if predicted.shape[0] == 0:
        raise ValueError("y_hat is an empty batch: accuracy needs at least one sample")
    num_classes = y_hat.shape[1] if y_hat.dim() == 2 else None
    check_class_labels(y, num_classes, name="y")
    if predicted.shape[0] != y.shape[0]:
        raise ValueError(
            f"shapes do not match: y_hat has {predicted.shape[0]} samples, y has {y.shape[0]}"
        )
    return (predicted == y).sum().item() / y.shape[0]


def evaluate_accuracy(
    net: Callable[[torch.Tensor], torch.Tensor],
    X: torch.Tensor,
    y: torch.Tensor,
    batch_size: int = 1024,
) -> float:
    """Accuracy of ``net`` on the whole split ``(X, y)``, in minibatches, without gradients.

    A ``torch.nn.Module`` is put in eval mode for the evaluation; afterwards it and each of
    its submodules are given back the mode they had.

    Args:
        net: A model or function mapping a batch of inputs to scores of shape ``(B, C)``,
            ``C >= 2``, or to predicted class indices of shape ``(B,)`` (see `accuracy`).
        X: Inputs, first dimension N.
        y: True class indices, ``torch.int64`` tensor of shape ``(N,)``.
        batch_size: How many samples go through ``net`` at once.

    Returns:
        The fraction of the N samples classified correctly.

    Raises:
        ValueError: If the split is empty, ``X`` and ``y`` have different numbers of samples,
            ``batch_size`` is not positive, the labels are invalid, or ``net`` returns
            scores that `accuracy` refuses (e.g. a single column).
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if not isinstance(X, torch.Tensor) or X.dim() == 0:
        raise ValueError("X must be a torch.Tensor whose first dimension indexes the samples")
    check_class_labels(y, name="y")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"shapes do not match: X has {X.shape[0]} samples, y has {y.shape[0]}")
    if X.shape[0] == 0:
        raise ValueError("X is an empty split: accuracy needs at least one sample")
    # The mode of every submodule, restored afterwards: a model in train mode may hold a
    # submodule kept in eval mode on purpose (e.g. a frozen BatchNorm).
    modes: dict[nn.Module, bool] = {}
    if isinstance(net, nn.Module):
        modes = {module: module.training for module in net.modules()}
        net.eval()
    correct = 0
    try:
        with torch.no_grad():
            for start in range(0, X.shape[0], batch_size):
                y_batch = y[start : start + batch_size]
                scores = net(X[start : start + batch_size])
                correct += round(accuracy(scores, y_batch) * y_batch.shape[0])
    finally:
        for module, training in modes.items():
            module.training = training
    return correct / X.shape[0]
