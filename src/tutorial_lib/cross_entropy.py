"""Cross-entropy loss from logits and class indices, via log-sum-exp."""

from __future__ import annotations

import torch

from tutorial_lib.labels import check_class_labels
from tutorial_lib.softmax import log_softmax

_REDUCTIONS = ("mean", "sum", "none")


def cross_entropy(
    logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean"
) -> torch.Tensor:
    r"""Cross-entropy between ``softmax(logits)`` and the true classes ``target``.

    Per sample $i$ with logits $o_i$ and class $y_i$,
    $\ell_i = -\log \operatorname{softmax}(o_i)_{y_i} = \log \sum_k e^{o_{ik}} - o_{i y_i}$,
    computed with `tutorial_lib.softmax.log_softmax`, so huge logits give finite losses.
    Its gradient with respect to $o_i$ is $\operatorname{softmax}(o_i) - e_{y_i}$ (the
    one-hot row), divided by $N$ for the mean. Same values and gradients as
    ``torch.nn.functional.cross_entropy(logits, target, reduction=reduction)``, also for
    infinite or NaN logits and for an empty batch (the mean of no samples is NaN, the sum
    0), except that torch ignores samples labelled $-100$ (its ``ignore_index``) and this
    function refuses negative labels.

    It works under ``torch.func`` transforms of the logits (``grad``, ``jacrev``,
    ``jacfwd``, ``hessian``), but not under ``torch.func.vmap``: checking the labels reads
    their values, which a function cannot do inside ``vmap``. It takes a whole batch
    anyway; for per-sample gradients with ``vmap``, use
    ``torch.nn.functional.cross_entropy``.

    Args:
        logits: Unnormalised scores, float32 or float64, shape ``(N, C)``.
        target: True class indices, ``torch.int64`` tensor of shape ``(N,)`` with values
            in ``[0, C)`` (see `tutorial_lib.labels.check_class_labels`).
        reduction: ``"mean"`` (average over the batch), ``"sum"`` or ``"none"`` (one loss
            per sample).

    Returns:
        A scalar for ``"mean"`` and ``"sum"``, a tensor of shape ``(N,)`` for ``"none"``.

    Raises:
        ValueError: If shapes do not match, ``logits`` has zero classes or is not float32
            or float64 (see `tutorial_lib.softmax.log_softmax`), the labels are not
            ``torch.int64``, negative or out of range, or ``reduction`` is unknown.
    """
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    if not isinstance(logits, torch.Tensor) or not logits.is_floating_point():
        raise ValueError("logits must be a floating-point torch.Tensor of shape (N, C)")
    if logits.dim() != 2:
        raise ValueError(f"logits must have shape (N, C), got shape {tuple(logits.shape)}")
    if logits.shape[1] == 0:
        raise ValueError("logits has zero classes: shape (N, C) needs C >= 1")
    check_class_labels(target, logits.shape[1])
    if target.shape[0] != logits.shape[0]:
        raise ValueError(
            f"shapes do not match: logits has {logits.shape[0]} samples, "
            f"target has {target.shape[0]}"
        )
    losses = -log_softmax(logits, dim=1).gather(1, target.unsqueeze(1)).squeeze(1)
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses
