"""The logistic function (sigmoid) and the logistic-regression model built on it."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

_HALF_DTYPES = (torch.float16, torch.bfloat16)


def _upcast_half(x: torch.Tensor) -> torch.Tensor:
    """``x`` in float32 if it is float16 or bfloat16, else ``x`` itself.

    torch computes functions such as the sigmoid of half-precision tensors in float32 and
    rounds the result once: rounding every step to half precision would lose digits (the
    sigmoid of 7.625 would round to 1 instead of 0.99951).
    """
    return x.float() if x.dtype in _HALF_DTYPES else x


class _Sigmoid(torch.autograd.Function):
    """The sigmoid with torch's backward: the gradient is computed from the output."""

    # Each method is made of plain tensor operations, so torch.func can vectorise them:
    # vmap, grad, jacrev, jacfwd and hessian all work.
    generate_vmap_rule = True

    @staticmethod
    def forward(x: torch.Tensor) -> torch.Tensor:
        # torch's formula: for very negative x, exp(-x) overflows to inf and the result
        # is exactly 0 (never NaN), as in torch.sigmoid.
        x32 = _upcast_half(x)
        return (1 / (1 + torch.exp(-x32))).to(x.dtype)

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
    $\sigma(+\infty) = 1$, $\sigma(-\infty) = 0$, and NaN stays NaN. In float32 and
    float64 the values match `torch.sigmoid` to within one rounding step and are $0$ and
    $1$ exactly where torch's are, so a loss computed from them (such as
    [`binary_cross_entropy`][tutorial_lib.binary_cross_entropy.binary_cross_entropy]) sees
    the same clamped logs as torch's. Half-precision inputs (float16, bfloat16) are
    computed in float32 and rounded once, as torch does; their values then match torch's
    and their gradients are within one rounding step of torch's.

    The gradient is not left to autograd, which would multiply $0$ by $e^{-x} = \infty$
    and get NaN where $e^{-x}$ overflows. As in `torch.sigmoid`, the backward pass
    computes it from the output, $\sigma'(x) = \sigma(x)(1 - \sigma(x))$: finite
    everywhere, $1/4$ at $x = 0$, and exactly $0$ where $\sigma(x)$ rounds to $0$ or $1$
    (to 1 from $x \approx 16.6$ in float32, $36.7$ in float64). It works with
    ``torch.func`` transforms too (``vmap``, ``grad``, ``jacrev``, ``jacfwd``,
    ``hessian``).

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
        x: Input tensor. Like `sigmoid`, it converts integer and bool tensors to the
            default floating dtype first.

    Returns:
        $\sigma'(x)$, same shape as ``x``.

    Raises:
        ValueError: If ``x`` is not a tensor or is complex.
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
        """Return the logits, shape N x 1, for inputs ``X`` of shape N x in_features.

        Raises:
            ValueError: If ``X`` is not a tensor of shape ``(N, in_features)``.
        """
        in_features = self.linear.in_features
        if not isinstance(X, torch.Tensor):
            raise ValueError(
                f"X must be a torch.Tensor of shape (N, {in_features}), got {type(X).__name__}"
            )
        if X.dim() != 2 or X.shape[1] != in_features:
            hint = ""
            if X.dim() == 1:
                hint = " (X.unsqueeze(1) makes N samples of one feature, X.unsqueeze(0) one sample)"
            raise ValueError(
                f"X must have shape (N, in_features) = (N, {in_features}), "
                f"got {tuple(X.shape)}{hint}"
            )
        return self.linear(X)

    def predict_proba(self, X: torch.Tensor) -> torch.Tensor:
        """Return the probabilities of class 1, ``sigmoid(self(X))``, shape N x 1."""
        return sigmoid(self(X))

    def predict(self, X: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
        """Return 0/1 labels (float, shape N x 1): 1 where the probability is >= threshold.

        Raises:
            ValueError: If ``threshold`` is not a number in $[0, 1]$ (NaN included).
        """
        if (
            isinstance(threshold, bool)
            or not isinstance(threshold, (int, float))
            or not 0 <= threshold <= 1
        ):
            raise ValueError(f"threshold must be a probability in [0, 1], got {threshold!r}")
        proba = self.predict_proba(X)
        return (proba >= threshold).to(proba.dtype)
