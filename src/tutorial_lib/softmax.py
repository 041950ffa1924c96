"""Softmax and log-softmax, numerically stable (the maximum is subtracted first)."""

from __future__ import annotations

import torch


def _check_logits(logits: torch.Tensor, dim: int) -> None:
    if not isinstance(logits, torch.Tensor):
        raise ValueError(f"logits must be a torch.Tensor, got {type(logits).__name__}")
    if not logits.is_floating_point():
        raise ValueError(f"logits must be floating point, got dtype {logits.dtype}")
    if logits.dim() == 0:
        raise ValueError("logits must have at least one dimension (the classes), got a scalar")
    if not -logits.dim() <= dim < logits.dim():
        raise ValueError(f"dim {dim} is out of range for logits of shape {tuple(logits.shape)}")
    if logits.numel() == 0:
        raise ValueError(f"logits is empty (shape {tuple(logits.shape)}): nothing to normalise")


def softmax(logits: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Turn logits into probabilities along ``dim``: ``exp(o_j) / sum_k exp(o_k)``.

    The maximum along ``dim`` is subtracted before ``exp``, which leaves the result unchanged
    but keeps every exponent <= 0, so large logits cannot overflow to ``inf``.

    Args:
        logits: Unnormalised scores, floating point, e.g. shape ``(N, C)``.
        dim: The dimension holding the classes.

    Returns:
        Probabilities of the same shape, non-negative and summing to 1 along ``dim``.

    Raises:
        ValueError: If ``logits`` is not a non-empty floating-point tensor or ``dim`` is out
            of range.
    """
    _check_logits(logits, dim)
    shifted = logits - logits.amax(dim=dim, keepdim=True).detach()
    exp = shifted.exp()
    return exp / exp.sum(dim=dim, keepdim=True)


def log_softmax(logits: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Logarithm of `softmax`, computed with the log-sum-exp trick.

    ``log softmax(o)_j = (o_j - m) - log sum_k exp(o_k - m)`` with ``m = max_k o_k``: no
    ``exp`` overflows and no ``log(0)`` appears, even for logits like ``1e4``.

    Args:
        logits: Unnormalised scores, floating point, e.g. shape ``(N, C)``.
        dim: The dimension holding the classes.

    Returns:
        Log-probabilities of the same shape (all <= 0).

    Raises:
        ValueError: If ``logits`` is not a non-empty floating-point tensor or ``dim`` is out
            of range.
    """
    _check_logits(logits, dim)
    shifted = logits - logits.amax(dim=dim, keepdim=True).detach()
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()
