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
        # torch's formula: for very negative x, exp(-x) overflows to inf and the result
        # is exactly 0 (never NaN), as in torch.sigmoid.
        return 1 / (1 + torch.exp(-x))

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


def _as_real_floats(x: torch.Tensor) -> torch.Tensor:
    """``x`` as floats: integer and bool tensors become the default dtype, as in torch."""
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"sigmoid needs a torch.Tensor, got {type(x).__name__}")
    if x.is_complex():
        raise ValueError(f"sigmoid needs a real tensor, got dtype {x.dtype}")
    if not torch.is_floating_point(x):
        return x.to(torch.get_default_dtype())
    return x


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    r"""The logistic function $\sigma(x) = 1 / (1 + e^{-x})$, elementwise.

    Computed as `torch.sigmoid` computes it, $1 / (1 + e^{-x})$: where $e^{-x}$
    overflows to $\infty$ (for $x$ below about $-88.7$ in float32, $-709.8$ in float64) the
    result is exactly $0$, never NaN, so the values are finite for any input,
    $\sigma(+\infty) = 1$, $\sigma(-\infty) = 0$, and NaN stays NaN. The values match
    `torch.sigmoid` to within one rounding step and are $0$ and $1$ exactly where torch's
    are, so a loss computed from them (such as
    [`binary_cross_entropy`][tutorial_lib.binary_cross_entropy.binary_cross_entropy]) sees
    the same clamped logs as torch's.

    The gradient is not left to autograd, which would multiply $0$ by $e^{-x} = \infty$
    and get NaN where $e^{-x}$ overflows. As in `torch.sigmoid`, the backward pass
    computes it from the output, $\sigma'(x) = \sigma(x)(1 - \sigma(x))$: finite
    everywhere, $1/4$ at $x = 0$, and exactly $0$ where $\sigma(x)$ rounds to $0$ or $1$
    (to 1 from $x \approx 16.6$ in float32, $36.7$ in float64).

    Args:
        x: Input tensor. Integer and bool tensors are converted to the default floating
            dtype first, as `torch.sigmoid` does.

    Returns:
        $\sigma(x)$, same shape as ``x``, values in $[0, 1]$.

    Raises:
        ValueError: If ``x`` is not a tensor or is complex.
    """
    return _Sigmoid.apply(_as_real_floats(x))


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
