"""The logistic function (sigmoid) and the logistic-regression model built on it."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


class _Sigmoid(torch.autograd.Function):
    """The sigmoid with torch's backward: the gradient is computed from the output."""

    generate_vmap_rule = True  # torch.func transforms (vmap, jacrev, hessian) work too

    @staticmethod
    def forward(x: torch.Tensor) -> torch.Tensor:
        e = torch.exp(-x.abs())  # in (0, 1]: never overflows
        return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[torch.Tensor], output: torch.Tensor) -> None:
        ctx.save_for_backward(output)
        ctx.save_for_forward(output)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        (s,) = ctx.saved_tensors
        return grad * (1 - s) * s

    @staticmethod
    def jvp(ctx: Any, tangent: torch.Tensor) -> torch.Tensor:
        """Forward-mode derivative: the same local derivative, times the input's tangent."""
        (s,) = ctx.saved_tensors
        return tangent * (1 - s) * s


def _check_floating(x: torch.Tensor) -> None:
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"sigmoid needs a torch.Tensor, got {type(x).__name__}")
    if not torch.is_floating_point(x):
        raise ValueError(f"sigmoid needs a floating-point tensor, got dtype {x.dtype}")


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    r"""The logistic function $\sigma(x) = 1 / (1 + e^{-x})$, elementwise.

    Computed from $e^{-|x|}$, which never overflows: $1 / (1 + e^{-|x|})$ for $x \ge 0$
    and $e^{-|x|} / (1 + e^{-|x|})$ otherwise, so the values are finite for any input,
    $\sigma(+\infty) = 1$, $\sigma(-\infty) = 0$, and NaN stays NaN.

    The gradient is not left to autograd, which would differentiate $|x|$ and get
    $0$ instead of $1/4$ at $x = 0$. As in `torch.sigmoid`, the backward pass computes it
    from the output, $\sigma'(x) = \sigma(x)(1 - \sigma(x))$: finite everywhere, and
    exactly $0$ where $\sigma(x)$ rounds to $0$ or $1$ (to 1 from $x \approx 16.6$ in
    float32, $36.7$ in float64). Values and gradients match `torch.sigmoid`; the one
    difference is below the smallest normal number: for $x$ between about $-104$ and
    $-88.7$ in float32 ($-745$ and $-709.8$ in float64), where $e^{-x}$ overflows and
    `torch.sigmoid` returns $0$, this function returns the tiny (subnormal) value of
    $\sigma(x)$.

    Args:
        x: Input tensor (floating point).

    Returns:
        $\sigma(x)$, same shape as ``x``, values in $[0, 1]$.

    Raises:
        ValueError: If ``x`` is not a floating-point tensor.
    """
    _check_floating(x)
    return _Sigmoid.apply(x)


def sigmoid_derivative(x: torch.Tensor) -> torch.Tensor:
    r"""The derivative of the logistic function, $\sigma'(x) = \sigma(x)(1 - \sigma(x))$.

    It peaks at $1/4$ at $x = 0$ and is the density of the standard logistic
    distribution. It is the gradient that `sigmoid` (and `torch.sigmoid`) passes back, and
    it is differentiable itself.

    Args:
        x: Input tensor (floating point).

    Returns:
        $\sigma'(x)$, same shape as ``x``.

    Raises:
        ValueError: If ``x`` is not a floating-point tensor.
    """
    s = sigmoid(x)
    return s * (1 - s)


class LogisticRegression(nn.Module):
    r"""Logistic regression: $p(y = 1 \mid x) = \sigma(x W^\top + b)$.

    ``forward`` returns the **logits** $x W^\top + b$ (shape N x 1), to be paired with
    a loss from logits such as
    `tutorial_lib.binary_cross_entropy.binary_cross_entropy_with_logits` or
    `torch.nn.BCEWithLogitsLoss`, which stay accurate where the sigmoid saturates.
    `predict_proba` applies the library's `sigmoid`, `predict` thresholds it.

    Args:
        in_features: Number of input features.

    Attributes:
        linear: The ``nn.Linear(in_features, 1)`` layer holding ``weight`` and ``bias``.
    """

    def __init__(self, in_features: int) -> None:
        super().__init__()
        if isinstance(in_features, bool) or not isinstance(in_features, int) or in_features < 1:
            raise ValueError(f"in_features must be a positive integer, got {in_features!r}")
        self.linear = nn.Linear(in_features, 1)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Return the logits, shape N x 1, for inputs ``X`` of shape N x in_features."""
        return self.linear(X)

    def predict_proba(self, X: torch.Tensor) -> torch.Tensor:
        """Return the probabilities of class 1, ``sigmoid(self(X))``, shape N x 1."""
        return sigmoid(self(X))

    def predict(self, X: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
        """Return 0/1 labels (float, shape N x 1): 1 where the probability is >= threshold."""
        proba = self.predict_proba(X)
        return (proba >= threshold).to(proba.dtype)
