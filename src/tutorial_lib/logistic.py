"""The logistic function (sigmoid) and the logistic-regression model built on it."""

from __future__ import annotations

import torch
from torch import nn


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    r"""The logistic function :math:`\sigma(x) = 1 / (1 + e^{-x})`, elementwise.

    Computed from :math:`e^{-|x|}`, which never overflows: :math:`1 / (1 + e^{-|x|})` for
    :math:`x \ge 0` and :math:`e^{-|x|} / (1 + e^{-|x|})` otherwise, so values and autograd
    gradients stay finite for any input. Matches `torch.sigmoid`.

    Args:
        x: Input tensor (floating point).

    Returns:
        :math:`\sigma(x)`, same shape as ``x``, values in [0, 1].

    Raises:
        ValueError: If ``x`` is not a floating-point tensor.
    """
    if not torch.is_floating_point(x):
        raise ValueError(f"sigmoid needs a floating-point tensor, got dtype {x.dtype}")
    e = torch.exp(-x.abs())
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_derivative(x: torch.Tensor) -> torch.Tensor:
    r"""The derivative of the logistic function, :math:`\sigma(x)(1 - \sigma(x))`.

    It peaks at :math:`1/4` at :math:`x = 0` and is the density of the standard logistic
    distribution.

    Args:
        x: Input tensor (floating point).

    Returns:
        :math:`\sigma'(x)`, same shape as ``x``.

    Raises:
        ValueError: If ``x`` is not a floating-point tensor.
    """
    s = sigmoid(x)
    return s * (1 - s)


class LogisticRegression(nn.Module):
    r"""Logistic regression: :math:`p(y = 1 \mid x) = \sigma(x W^\top + b)`.

    ``forward`` returns the **logits** :math:`x W^\top + b` (shape N x 1), to be paired with
    a loss from logits such as
    `tutorial_lib.binary_cross_entropy.binary_cross_entropy_with_logits` or
    `torch.nn.BCEWithLogitsLoss`, which stay accurate where the sigmoid saturates.
    `predict_proba` applies the sigmoid, `predict` thresholds it.

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
        """Return the probabilities of class 1, shape N x 1."""
        return torch.sigmoid(self(X))

    def predict(self, X: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
        """Return 0/1 labels (float, shape N x 1): 1 where the probability is >= threshold."""
        proba = self.predict_proba(X)
        return (proba >= threshold).to(proba.dtype)
