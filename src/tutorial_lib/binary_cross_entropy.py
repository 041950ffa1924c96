"""Binary cross-entropy, from probabilities and (numerically stable) from logits."""

from __future__ import annotations

from typing import Any

import torch

_REDUCTIONS = ("mean", "sum", "none")

# torch bounds the denominator of the probability gradient by this float32 constant, also in
# float64 (where it is 9.999999960041972e-13, not 1e-12).
_EPSILON = float(torch.tensor(1e-12, dtype=torch.float32))


def _check(name: str, input: torch.Tensor, target: torch.Tensor, reduction: str) -> None:
    """Raise ValueError unless ``input``/``target``/``reduction`` are valid for a BCE."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    for what, tensor in ((name, input), ("target", target)):
        if not isinstance(tensor, torch.Tensor):
            raise ValueError(f"{what} must be a torch.Tensor, got {type(tensor).__name__}")
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


class _BinaryCrossEntropy(torch.autograd.Function):
    """Elementwise BCE from probabilities, with torch's forward clamp and backward formula."""

    generate_vmap_rule = True  # torch.func transforms (vmap, jacrev, hessian) work too

    @staticmethod
    def forward(p: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        log_p = torch.clamp(torch.log(p), min=-100)
        log_not_p = torch.clamp(torch.log1p(-p), min=-100)
        return (y - 1) * log_not_p - y * log_p

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[torch.Tensor, torch.Tensor], output: Any) -> None:
        ctx.save_for_backward(*inputs)
        ctx.save_for_forward(*inputs)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        p, y = ctx.saved_tensors
        grad_p = grad_y = None
        if ctx.needs_input_grad[0]:
            grad_p = grad * _d_loss_d_p(p, y)
        if ctx.needs_input_grad[1]:
            grad_y = grad * _d_loss_d_y(p)
        return grad_p, grad_y

    @staticmethod
    def jvp(ctx: Any, p_tangent: torch.Tensor | None, y_tangent: torch.Tensor | None) -> Any:
        """Forward-mode derivative: the same local derivatives, times the tangents."""
        p, y = ctx.saved_tensors
        out = torch.zeros_like(p)
        if p_tangent is not None:
            out = out + p_tangent * _d_loss_d_p(p, y)
        if y_tangent is not None:
            out = out + y_tangent * _d_loss_d_y(p)
        return out


def _d_loss_d_p(p: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The derivative of the BCE by the probability as torch defines it: finite at 0 and 1."""
    return (p - y) / torch.clamp((1 - p) * p, min=_EPSILON)


def _d_loss_d_y(p: torch.Tensor) -> torch.Tensor:
    """The derivative of the BCE by the label: log(1 - p) - log(p), unclamped like torch's."""
    return torch.log1p(-p) - torch.log(p)


def binary_cross_entropy(
    input: torch.Tensor, target: torch.Tensor, reduction: str = "mean"
) -> torch.Tensor:
    r"""Binary cross-entropy between predicted probabilities and 0/1 labels.

    Per sample, $\ell = -[y \log \hat y + (1 - y) \log(1 - \hat y)]$, the negative
    log-probability the model gives to the observed label: lower means more likely. As in
    `torch.nn.functional.binary_cross_entropy`, each log is clamped at $-100$, so that a
    probability of exactly 0 or 1 gives a large finite loss (100) instead of ``inf``.

    The gradient is torch's too. The derivative of the formula,
    $\partial \ell / \partial \hat y = (\hat y - y) / (\hat y (1 - \hat y))$, is infinite
    at $\hat y = 0$ and $\hat y = 1$, and autograd through the clamped logs would turn it
    into NaN there. So the backward pass bounds the denominator below by $10^{-12}$:
    $(\hat y - y) / \max(\hat y(1 - \hat y), 10^{-12})$, which is $0$ where the label is
    already certain ($\hat y = y$) and $\pm 10^{12}$ where it is certainly wrong. The
    gradient with respect to ``target`` is $\log(1 - \hat y) - \log \hat y$, unclamped.

    Args:
        input: Predicted probabilities $\hat y$, values in $[0, 1]$.
        target: Labels, same shape as ``input``, values 0 or 1.
        reduction: ``"mean"`` (average over all elements), ``"sum"`` or ``"none"``.

    Returns:
        The loss: a scalar, or a tensor shaped like ``input`` for ``reduction="none"``.
        Like torch, the mean of an empty tensor is NaN and its sum is 0.

    Raises:
        ValueError: If the shapes differ, ``input`` is not floating point or has values
            outside $[0, 1]$ (or NaN), ``target`` has values other than 0 and 1, or
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
    loss = _BinaryCrossEntropy.apply(input, target.to(input.dtype))
    return _reduce(loss, reduction)


def _log_sigmoid(z: torch.Tensor) -> torch.Tensor:
    r"""$\log \sigma(z)$, stably: $z - \log(1 + e^{z})$ for $z < 0$, $-\log(1 + e^{-z})$ else.

    Each branch is fed only the inputs it is used for (0 elsewhere), so the branch that
    ``torch.where`` discards cannot overflow and send NaN back through the gradient.
    """
    negative = z < 0
    z_neg = torch.where(negative, z, 0)
    z_pos = torch.where(negative, 0, z)
    return torch.where(
        negative, z_neg - torch.log1p(torch.exp(z_neg)), -torch.log1p(torch.exp(-z_pos))
    )


def binary_cross_entropy_with_logits(
    logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean"
) -> torch.Tensor:
    r"""Binary cross-entropy of ``sigmoid(logits)`` and 0/1 labels, computed stably.

    With $z$ the logit, $-[y \log \sigma(z) + (1 - y) \log(1 - \sigma(z))]$ simplifies,
    using $\log(1 - \sigma(z)) = \log \sigma(z) - z$, to $(1 - y)\,z - \log \sigma(z)$,
    the formula of `torch.nn.functional.binary_cross_entropy_with_logits`. Here
    $\log \sigma(z)$ is $z - \log(1 + e^{z})$ for $z < 0$ and $-\log(1 + e^{-z})$
    otherwise: the exponential never overflows, so logits of any size (even $\pm 10^4$)
    give finite losses and gradients, where computing ``sigmoid`` first would round it to
    exactly 0 or 1.

    Autograd of this formula gives the gradient $\sigma(z) - y$ everywhere, $1/2 - y$ at
    $z = 0$ included. Infinite logits behave as in torch: $z = +\infty$ with $y = 0$
    costs $+\infty$; $z = +\infty$ with $y = 1$ ($0 \cdot \infty$) and $z = -\infty$
    with either label ($\infty - \infty$ or $0 \cdot \infty$) give NaN, while the
    gradient stays $\sigma(z) - y$ (finite).

    Args:
        logits: Unnormalised scores $z$, any real values.
        target: Labels, same shape as ``logits``, values 0 or 1.
        reduction: ``"mean"`` (average over all elements), ``"sum"`` or ``"none"``.

    Returns:
        The loss: a scalar, or a tensor shaped like ``logits`` for ``reduction="none"``.
        Like torch, the mean of an empty tensor is NaN and its sum is 0.

    Raises:
        ValueError: If the shapes differ, ``logits`` is not floating point, ``target`` has
            values other than 0 and 1, or ``reduction`` is unknown.
    """
    _check("logits", logits, target, reduction)
    target = target.to(logits.dtype)
    loss = (1 - target) * logits - _log_sigmoid(logits)
    return _reduce(loss, reduction)
