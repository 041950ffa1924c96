"""Softmax and log-softmax, numerically stable (the maximum is subtracted first)."""

from __future__ import annotations

import torch


def _check_logits(logits: torch.Tensor, dim: int) -> None:
    if not isinstance(logits, torch.Tensor):
        raise ValueError(f"logits must be a torch.Tensor, got {type(logits).__name__}")
    if not logits.is_floating_point():
        raise ValueError(f"logits must be floating point, got dtype {logits.dtype}")
    if logits.dtype in (torch.float16, torch.bfloat16):
        raise ValueError(
            f"logits must be float32 or float64, got {logits.dtype}: torch's half-precision "
            "softmax rounds at steps of its own kernels, which this function does not copy "
            "(convert with logits.float())"
        )
    if logits.dim() == 0:
        raise ValueError("logits must have at least one dimension (the classes), got a scalar")
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise ValueError(f"dim must be an integer, got {dim!r}")
    if not -logits.dim() <= dim < logits.dim():
        raise ValueError(f"dim {dim} is out of range for logits of shape {tuple(logits.shape)}")


def _shifted(logits: torch.Tensor, dim: int) -> torch.Tensor:
    """``logits`` minus their maximum along ``dim`` (a constant for autograd)."""
    if logits.numel() == 0:  # nothing to shift, and amax refuses an empty dimension
        return logits.clone()
    return logits - logits.amax(dim=dim, keepdim=True).detach()


def softmax(logits: torch.Tensor, dim: int = -1) -> torch.Tensor:
    r"""Turn logits into probabilities along ``dim``: $e^{o_j} / \sum_k e^{o_k}$.

    The maximum $m = \max_k o_k$ is subtracted before ``exp``, which leaves the result
    unchanged but keeps every exponent $\le 0$, so large logits cannot overflow to
    ``inf``. Values and gradients match `torch.softmax`, also where it gives NaN (a NaN
    or $+\infty$ logit, or a row of $-\infty$ only) and for empty tensors.

    Args:
        logits: Unnormalised scores, float32 or float64, e.g. shape ``(N, C)``.
        dim: The dimension holding the classes.

    Returns:
        Probabilities of the same shape, non-negative and summing to 1 along ``dim``.

    Raises:
        ValueError: If ``logits`` is not a float32 or float64 tensor with at least one
            dimension (float16 and bfloat16 are refused, not computed differently from
            torch), or ``dim`` is out of range.
    """
    _check_logits(logits, dim)
    exp = _shifted(logits, dim).exp()
    return exp / exp.sum(dim=dim, keepdim=True)


def log_softmax(logits: torch.Tensor, dim: int = -1) -> torch.Tensor:
    r"""Logarithm of `softmax`, computed with the log-sum-exp trick.

    $\log \operatorname{softmax}(o)_j = (o_j - m) - \log \sum_k e^{o_k - m}$ with
    $m = \max_k o_k$: no ``exp`` overflows and no $\log 0$ appears, even for logits like
    $10^4$. Values and gradients match `torch.nn.functional.log_softmax`, also for
    infinite and NaN logits and for empty tensors.

    Args:
        logits: Unnormalised scores, float32 or float64, e.g. shape ``(N, C)``.
        dim: The dimension holding the classes.

    Returns:
        Log-probabilities of the same shape (all $\le 0$).

    Raises:
        ValueError: If ``logits`` is not a float32 or float64 tensor with at least one
            dimension (float16 and bfloat16 are refused, not computed differently from
            torch), or ``dim`` is out of range.
    """
    _check_logits(logits, dim)
    shifted = _shifted(logits, dim)
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()
