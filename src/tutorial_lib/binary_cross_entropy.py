"""Binary cross-entropy, from probabilities and (numerically stable) from logits."""

from __future__ import annotations

import torch

_REDUCTIONS = ("mean", "sum", "none")


def _check(name: str, input: torch.Tensor, target: torch.Tensor, reduction: str) -> None:
    """Raise ValueError unless ``input``/``target``/``reduction`` are valid for a BCE."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    if input.shape != target.shape:
        raise ValueError(
            f"{name} and target must have the same shape, got {tuple(input.shape)} and "
            f"{tuple(target.shape)} (e.g. N x 1 versus N: reshape one of them)"
        )
    if not torch.is_floating_point(input):
        raise ValueError(f"{name} must be a floating-point tensor, got dtype {input.dtype}")
    with torch.no_grad():
        bad = (target != 0) & (target != 1)
        if bool(bad.any()):
            example = target[bad].flatten()[0].item()
            raise ValueError(
                f"target must hold only 0 and 1, found {int(bad.sum())} other value(s), "
                f"e.g. {example!r}"
            )


def _reduce(loss: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def binary_cross_entropy(
    input: torch.Tensor, target: torch.Tensor, reduction: str = "mean"
) -> torch.Tensor:
    r"""Binary cross-entropy between predicted probabilities and 0/1 labels.

    Per sample, :math:`\ell = -[y \log \hat y + (1 - y) \log(1 - \hat y)]`, the negative
    log-probability the model gives to the observed label: lower means more likely. As in
    `torch.nn.functional.binary_cross_entropy`, each log is clamped at -100 so that a
    probability of exactly 0 or 1 gives a large finite loss instead of ``inf``.

    Args:
        input: Predicted probabilities :math:`\hat y`, values in [0, 1].
        target: Labels, same shape as ``input``, values 0 or 1.
        reduction: ``"mean"`` (average over all elements), ``"sum"`` or ``"none"``.

    Returns:
        The loss: a scalar, or a tensor shaped like ``input`` for ``reduction="none"``.

    Raises:
        ValueError: If the shapes differ, ``input`` is not floating point or has values
            outside [0, 1] (or NaN), ``target`` has values other than 0 and 1, or
            ``reduction`` is unknown.
    """
    _check("input", input, target, reduction)
    with torch.no_grad():
        outside = ~((input >= 0) & (input <= 1))
        if bool(outside.any()):
            example = input[outside].flatten()[0].item()
            raise ValueError(
                f"input must hold probabilities in [0, 1], found {int(outside.sum())} value(s) "
                f"outside, e.g. {example!r} (pass logits to binary_cross_entropy_with_logits)"
            )
    target = target.to(input.dtype)
    log_p = torch.clamp(torch.log(input), min=-100)
    log_not_p = torch.clamp(torch.log1p(-input), min=-100)
    loss = -(target * log_p + (1 - target) * log_not_p)
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(
    logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean"
) -> torch.Tensor:
    r"""Binary cross-entropy of ``sigmoid(logits)`` and 0/1 labels, computed stably.

    With :math:`z` the logit, :math:`-[y \log \sigma(z) + (1 - y) \log(1 - \sigma(z))]`
    simplifies to :math:`\max(z, 0) - z y + \log(1 + e^{-|z|})`: the exponential never
    overflows, so logits of any size (even :math:`\pm 10^4`) give finite losses and
    gradients, where computing ``sigmoid`` first would round it to exactly 0 or 1.

    Args:
        logits: Unnormalised scores :math:`z`, any real values.
        target: Labels, same shape as ``logits``, values 0 or 1.
        reduction: ``"mean"`` (average over all elements), ``"sum"`` or ``"none"``.

    Returns:
        The loss: a scalar, or a tensor shaped like ``logits`` for ``reduction="none"``.

    Raises:
        ValueError: If the shapes differ, ``logits`` is not floating point, ``target`` has
            values other than 0 and 1, or ``reduction`` is unknown.
    """
    _check("logits", logits, target, reduction)
    target = target.to(logits.dtype)
    loss = torch.clamp(logits, min=0) - logits * target + torch.log1p(torch.exp(-logits.abs()))
    return _reduce(loss, reduction)
