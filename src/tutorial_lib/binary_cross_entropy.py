"""Binary cross-entropy, from probabilities and (numerically stable) from logits."""

from __future__ import annotations

import math
from typing import Any

import torch

from tutorial_lib.logistic import _upcast_half, sigmoid

_REDUCTIONS = ("mean", "sum", "none")

# torch bounds the denominator of the probability gradient by this float32 constant, also in
# float64 (where it is 9.999999960041972e-13, not 1e-12).
_EPSILON = float(torch.tensor(1e-12, dtype=torch.float32))
# torch's second derivatives of the BCE use 1e-12 itself (rounded to the tensor's dtype).
_EPSILON_2ND = 1e-12


def _check_arguments(name: str, input: torch.Tensor, target: torch.Tensor, reduction: str) -> None:
    """Raise ValueError unless the types, shapes and dtypes of the arguments are valid."""
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
    if target.is_complex():
        raise ValueError(f"target must be a real tensor of 0s and 1s, got dtype {target.dtype}")


# The checks of values below need Python booleans, which torch.func.vmap cannot give (inside
# vmap a function sees one sample, whose values are not known yet). So they run inside the
# autograd.Functions, whose `vmap` rule hands them the whole batch of real values.


def _check_labels(target: torch.Tensor) -> None:
    """Raise ValueError unless ``target`` holds only 0 and 1."""
    bad = (target != 0) & (target != 1)
    if bool(bad.any()):
        example = target[bad].flatten()[0].item()
        raise ValueError(
            f"target must hold only 0 and 1, found {int(bad.sum())} other value(s), "
            f"e.g. {example!r}"
        )


def _check_probabilities(p: torch.Tensor) -> None:
    """Raise ValueError unless ``p`` holds only probabilities (in [0, 1], not NaN)."""
    outside = ~((p >= 0) & (p <= 1))
    if bool(outside.any()):
        example = p[outside].flatten()[0].item()
        raise ValueError(
            f"input must hold probabilities in [0, 1], found {int(outside.sum())} value(s) "
            f"outside, e.g. {example!r} (pass logits to binary_cross_entropy_with_logits)"
        )


def _batch_first(
    info: Any, in_dims: tuple[int | None, ...], *tensors: torch.Tensor
) -> list[torch.Tensor]:
    """For a `vmap` rule: the tensors with their batch dimension first (expanded if absent)."""
    return [
        t.movedim(dim, 0) if dim is not None else t.expand(info.batch_size, *t.shape)
        for t, dim in zip(tensors, in_dims, strict=True)
    ]


def _reduce(loss: torch.Tensor, reduction: str, *, per_sample: bool = False) -> torch.Tensor:
    """``loss`` reduced as ``reduction`` says; each sample (dimension 0) apart if ``per_sample``."""
    if reduction == "none":
        return loss
    if per_sample:  # for a `vmap` rule: the batch dimension first, kept
        loss = loss.reshape(loss.shape[0], math.prod(loss.shape[1:]))
        return loss.mean(dim=1) if reduction == "mean" else loss.sum(dim=1)
    return loss.mean() if reduction == "mean" else loss.sum()


def _divide_for_mean(grad: torch.Tensor, reduction: str) -> torch.Tensor:
    """An elementwise gradient divided by the number of elements for ``"mean"``, as torch does.

    torch divides last: ``(grad * (p - y) / max(p (1 - p), eps)) / N``. Dividing the
    incoming gradient first, ``(grad / N) * (p - y)``, underflows for tiny ``p`` (below
    about N * 1e-38 in float32) before the division by ``eps`` scales it back up.
    """
    return grad / grad.numel() if reduction == "mean" else grad


def _keep_inputs(ctx: Any, inputs: tuple[torch.Tensor, torch.Tensor]) -> None:
    """Save a loss's two inputs for backward and forward mode.

    An input without a tangent (or no incoming gradient) arrives as None, not as zeros:
    zero times an infinite local derivative (the label's at p = 0 or 1, or 0 * z for
    z = inf) would be NaN.
    """
    ctx.set_materialize_grads(False)
    ctx.save_for_backward(*inputs)
    ctx.save_for_forward(*inputs)


class _BinaryCrossEntropy(torch.autograd.Function):
    """BCE from probabilities, reduced, with torch's forward clamp and derivatives.

    The reduction is part of the function so that the backward pass divides by N last for
    ``"mean"``, as torch does (see `_divide_for_mean`).
    """

    @staticmethod
    def forward(p: torch.Tensor, y: torch.Tensor, reduction: str) -> torch.Tensor:
        _check_probabilities(p)
        _check_labels(y)
        log_p = torch.clamp(torch.log(p), min=-100)
        log_not_p = torch.clamp(torch.log1p(-p), min=-100)
        return _reduce((y - 1) * log_not_p - y * log_p, reduction)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> None:
        p, y, reduction = inputs
        _keep_inputs(ctx, (p, y))
        ctx.reduction = reduction

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        p, y = ctx.saved_tensors
        grad_p = grad_y = None
        if grad is None:  # no gradient flows in (not made zeros: see setup_context)
            return grad_p, grad_y, None
        grad = grad.expand(p.shape)  # the gradient of a "mean" or "sum", for every element
        if ctx.needs_input_grad[0]:
            grad_p = _BinaryCrossEntropyBackward.apply(grad, p, y)
            grad_p = _divide_for_mean(grad_p, ctx.reduction)
        if ctx.needs_input_grad[1]:
            grad_y = _divide_for_mean(_d_loss_d_y(p) * grad, ctx.reduction)
        return grad_p, grad_y, None

    @staticmethod
    def jvp(
        ctx: Any, p_tangent: torch.Tensor | None, y_tangent: torch.Tensor | None, _: None
    ) -> Any:
        r"""Forward-mode derivative: the same local derivatives, times the tangents, reduced.

        A label without a tangent (None) adds nothing. Multiplying a zero tangent by
        $\partial \ell / \partial y = \pm\infty$ (at $\hat y = 0$ or $1$) would give NaN.
        """
        p, y = ctx.saved_tensors
        out = torch.zeros_like(p)
        if p_tangent is not None:
            out = out + _BinaryCrossEntropyBackward.apply(p_tangent, p, y)
        if y_tangent is not None:
            out = out + _d_loss_d_y(p) * y_tangent
        return _reduce(out, ctx.reduction)

    @staticmethod
    def vmap(
        info: Any, in_dims: tuple[int | None, ...], p: torch.Tensor, y: torch.Tensor, reduction: str
    ) -> Any:
        """Under ``torch.func.vmap``: compute the whole batch, then reduce each sample."""
        p, y = _batch_first(info, in_dims[:2], p, y)
        loss = _BinaryCrossEntropy.apply(p, y, "none")
        return _reduce(loss, reduction, per_sample=True), 0


def _d_loss_d_y(p: torch.Tensor) -> torch.Tensor:
    """The derivative of the BCE by the label: log(1 - p) - log(p) = -logit(p), unclamped."""
    return -torch.logit(p)


class _BinaryCrossEntropyBackward(torch.autograd.Function):
    r"""torch's gradient of the BCE by p, ``grad * (p - y) / max(p (1 - p), eps)``.

    A function of its own so that its derivatives (second derivatives of the BCE, for
    double backward and `torch.func.hessian`) are torch's formulas too: autograd through the
    clamp would give the constant $1/\epsilon$ wherever $p(1 - p) < \epsilon$.
    """

    generate_vmap_rule = True

    @staticmethod
    def forward(grad: torch.Tensor, p: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return grad * (p - y) / torch.clamp((1 - p) * p, min=_EPSILON)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[torch.Tensor, ...], output: Any) -> None:
        ctx.save_for_backward(*inputs)
        ctx.save_for_forward(*inputs)

    @staticmethod
    def backward(ctx: Any, outer: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        grad, p, y = ctx.saved_tensors
        return _d2_by_grad(p, y, outer), _d2_by_p(p, y, outer * grad), _d2_by_y(p, outer * grad)

    @staticmethod
    def jvp(
        ctx: Any, grad_tangent: torch.Tensor, p_tangent: torch.Tensor, y_tangent: torch.Tensor
    ) -> torch.Tensor:
        grad, p, y = ctx.saved_tensors
        return (
            _d2_by_p(p, y, p_tangent * grad)
            + _d2_by_y(p, y_tangent * grad)
            + _d2_by_grad(p, y, grad_tangent)
        )


# torch's second derivatives of the BCE, each times ``factor`` (the upstream gradients). The
# exact ones, by calculus from (p - y) / (p (1 - p)), have the denominators p^2 (1 - p)^2 and
# p (1 - p); torch adds eps = 1e-12 to p and to 1 - p, or bounds p (1 - p) below by it.


def _d2_by_p(p: torch.Tensor, y: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    """d/dp of (p - y) / (p (1 - p)) = (p^2 - 2py + y) / (p^2 (1 - p)^2), as torch has it."""
    eps = _EPSILON_2ND
    return (p * p - 2 * p * y + y) / ((p + eps).pow(2) * (1 - p + eps).pow(2)) * factor


def _d2_by_y(p: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    """d/dy of (p - y) / (p (1 - p)) = -1 / (p (1 - p)), as torch has it."""
    return -factor / torch.clamp((1 - p) * p, min=_EPSILON_2ND)


def _d2_by_grad(p: torch.Tensor, y: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    """d/dgrad of grad (p - y) / (p (1 - p)) = (p - y) / (p (1 - p)), as torch has it."""
    eps = _EPSILON_2ND
    return (p - y) / ((p + eps) * (1 - p + eps)) * factor


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
    Second derivatives (double backward, `torch.func.hessian`) and forward mode
    (`torch.func.jvp`, `torch.func.jacfwd`) follow torch's formulas as well, and the
    function works under `torch.func.vmap`.

    Unlike torch, the labels must be exactly 0 or 1 (torch also takes soft labels such as
    0.9) and may be an integer or bool tensor; a floating-point ``target`` must have the
    dtype of ``input``, as in torch. float16 and bfloat16 are computed as torch computes
    them, rounding every step to half precision (in float16 the bound $10^{-12}$ rounds to
    0, so the gradient at $\hat y = y = 0$ or $1$ is NaN, as in torch).

    Args:
        input: Predicted probabilities $\hat y$, values in $[0, 1]$.
        target: Labels, same shape as ``input``, values 0 or 1.
        reduction: ``"mean"`` (average over all elements), ``"sum"`` or ``"none"``.

    Returns:
        The loss: a scalar, or a tensor shaped like ``input`` for ``reduction="none"``.
        Like torch, the mean of an empty tensor is NaN and its sum is 0.

    Raises:
        ValueError: If the shapes differ, ``input`` is not floating point or has values
            outside $[0, 1]$ (or NaN), ``target`` is a floating-point tensor of another
            dtype or has values other than 0 and 1, or ``reduction`` is unknown.
    """
    _check_arguments("input", input, target, reduction)
    if target.is_floating_point() and target.dtype != input.dtype:
        raise ValueError(
            f"input and target must have the same dtype, got {input.dtype} and {target.dtype} "
            f"(convert one, e.g. target.to(input.dtype))"
        )
    return _BinaryCrossEntropy.apply(input, target.to(input.dtype), reduction)


def _log_sigmoid(z: torch.Tensor) -> torch.Tensor:
    r"""$\log \sigma(z) = \min(z, 0) - \log(1 + e^{-|z|})$, torch's formula.

    $e^{-|z|} \le 1$ never overflows. Half precision is computed in float32 and rounded
    once, as torch does.
    """
    z32 = _upcast_half(z)
    return (torch.clamp(z32, max=0) - torch.log1p(torch.exp(-z32.abs()))).to(z.dtype)


class _BinaryCrossEntropyWithLogits(torch.autograd.Function):
    """Elementwise BCE from logits, with torch's gradients: sigmoid(z) - y, and -z for y."""

    @staticmethod
    def forward(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        _check_labels(y)
        return ((1 - y) * z - _log_sigmoid(z)).to(y.dtype)  # y has the loss's dtype

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[torch.Tensor, torch.Tensor], output: Any) -> None:
        _keep_inputs(ctx, inputs)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        z, y = ctx.saved_tensors
        if grad is None:  # no gradient flows in (not made zeros: see setup_context)
            return None, None
        grad_z = (sigmoid(z) - y) * grad if ctx.needs_input_grad[0] else None
        grad_y = -z * grad if ctx.needs_input_grad[1] else None
        return grad_z, grad_y

    @staticmethod
    def jvp(ctx: Any, z_tangent: torch.Tensor | None, y_tangent: torch.Tensor | None) -> Any:
        """Forward-mode derivative: the same local derivatives, times the tangents."""
        z, y = ctx.saved_tensors
        out = torch.zeros_like(y)
        if z_tangent is not None:
            out = out + (sigmoid(z) - y) * z_tangent
        if y_tangent is not None:
            out = out + -z * y_tangent
        return out.to(y.dtype)

    @staticmethod
    def vmap(info: Any, in_dims: tuple[int | None, ...], z: torch.Tensor, y: torch.Tensor) -> Any:
        """Under ``torch.func.vmap``: the loss is elementwise, so compute the whole batch."""
        return _BinaryCrossEntropyWithLogits.apply(*_batch_first(info, in_dims, z, y)), 0


def binary_cross_entropy_with_logits(
    logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean"
) -> torch.Tensor:
    r"""Binary cross-entropy of ``sigmoid(logits)`` and 0/1 labels, computed stably.

    With $z$ the logit, $-[y \log \sigma(z) + (1 - y) \log(1 - \sigma(z))]$ simplifies,
    using $\log(1 - \sigma(z)) = \log \sigma(z) - z$, to $(1 - y)\,z - \log \sigma(z)$,
    the formula of `torch.nn.functional.binary_cross_entropy_with_logits`. Here
    $\log \sigma(z) = \min(z, 0) - \log(1 + e^{-|z|})$: the exponential never overflows,
    so logits of any size (even $\pm 10^4$) give finite losses and gradients, where
    computing ``sigmoid`` first would round it to exactly 0 or 1.

    The gradient is torch's, $\sigma(z) - y$, computed from the library's `sigmoid`
    ($1/2 - y$ at $z = 0$; where $\sigma(z)$ rounds to 1 it is exactly $1 - y$, as in
    torch), and $-z$ with respect to ``target``. Infinite logits behave as in torch:
    $z = +\infty$ with $y = 0$ costs $+\infty$; $z = +\infty$ with $y = 1$
    ($0 \cdot \infty$) and $z = -\infty$ with either label ($\infty - \infty$ or
    $0 \cdot \infty$) give NaN, while the gradient stays $\sigma(z) - y$ (finite).
    Second derivatives by double backward are torch's too, and the function works under
    `torch.func.vmap`. Forward mode (`torch.func.jvp`, `torch.func.jacfwd`, and so
    `torch.func.hessian`) uses the same derivative $\sigma(z) - y$; torch's forward mode
    uses another formula, which differs from its backward pass by rounding where
    $\sigma(z)$ saturates (at $z = 17$, $y = 1$ in float32 it gives $-4.1 \cdot 10^{-8}$
    where the backward pass gives 0) and gives NaN at $z = -\infty$.

    Unlike torch, the labels must be exactly 0 or 1 (torch also takes soft labels such as
    0.9) and may be an integer or bool tensor, which takes the dtype of the logits. As in
    torch, the loss has the dtype of a floating-point ``target``: float32 logits with a
    float64 target give a float64 loss, float64 logits with a float32 target a float32
    one. float16 and bfloat16 logits are computed as torch computes them.

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
    _check_arguments("logits", logits, target, reduction)
    if not target.is_floating_point():
        target = target.to(logits.dtype)
    loss = _BinaryCrossEntropyWithLogits.apply(logits, target)
    return _reduce(loss, reduction)
