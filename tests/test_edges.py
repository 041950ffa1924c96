"""The edges of the binary losses and the sigmoid against torch, found by an audit.

Forward mode at probabilities 0 and 1, second derivatives, gradients where the sigmoid
saturates, half precision, mixed dtypes and torch.func transforms (vmap included).

Tiny gradients (1e-18, 1e24) are compared with a relative tolerance only: the default
absolute tolerance of ``assert_close`` (1e-5 in float32) would hide every difference below
it. The tolerances allow a few rounding steps, where the library and torch round the same
formula in a different order.
"""

import functools
import math

import pytest
import torch
import torch.nn.functional as F
from torch.func import grad, hessian, jacfwd, jacrev, jvp, vmap

from tutorial_lib.binary_cross_entropy import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
)
from tutorial_lib.cross_entropy import cross_entropy
from tutorial_lib.logistic import sigmoid
from tutorial_lib.softmax import log_softmax, softmax

# torch's forward-mode AD loads its decompositions with torch.jit.script, which warns that it
# is deprecated (torch 2.14): a warning of torch's about itself, not about this code.
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:FutureWarning")

INF, NAN = float("inf"), float("nan")
DTYPES = [torch.float32, torch.float64]
HALF_DTYPES = [torch.float16, torch.bfloat16]
REDUCTIONS = ["none", "mean", "sum"]
RTOL = {torch.float32: 2e-6, torch.float64: 1e-13}


def generator(seed=0):
    return torch.Generator().manual_seed(seed)


def assert_relatively_close(actual, expected):
    """``actual`` equals ``expected`` up to a few rounding steps, however small they are."""
    torch.testing.assert_close(actual, expected, rtol=RTOL[expected.dtype], atol=0, equal_nan=True)


def random_like(x, seed=1):
    """Positive random numbers shaped like ``x`` (upstream gradients, tangents)."""
    return (torch.rand(x.shape, generator=generator(seed), dtype=torch.float64) + 0.5).to(x.dtype)


def values_and_grads(fn, inputs, grad_of):
    """``fn(*inputs)`` and the gradients of the inputs listed in ``grad_of``."""
    copies = [x.detach().clone().requires_grad_(i in grad_of) for i, x in enumerate(inputs)]
    out = fn(*copies)
    grads = torch.autograd.grad(out, [copies[i] for i in grad_of], random_like(out))
    return out.detach(), grads


def probabilities(kind, dtype):
    """Probabilities and 0/1 labels: random ones, or every edge probability with both labels."""
    if kind == "random":
        p = torch.rand(32, generator=generator(), dtype=torch.float64).to(dtype)
        return p, torch.randint(0, 2, (32,), generator=generator(1)).to(dtype)
    tiny = torch.finfo(dtype).tiny
    edges = [0.0, 1.0, 0.5, 1e-13, 1e-7, 1 - 1e-7, tiny, tiny / 4, 1e-30, 0.0012360215]
    p = torch.tensor(edges, dtype=dtype).repeat_interleave(2)
    return p, torch.tensor([0.0, 1.0], dtype=dtype).repeat(len(edges))


def ours_bce(reduction):
    return lambda p, y: binary_cross_entropy(p, y, reduction)


def torchs_bce(reduction):
    return lambda p, y: F.binary_cross_entropy(p, y, reduction=reduction)


def ours_logits(reduction):
    return lambda z, y: binary_cross_entropy_with_logits(z, y, reduction)


def torchs_logits(reduction):
    return lambda z, y: F.binary_cross_entropy_with_logits(z, y, reduction=reduction)


def assert_like_torchs(ours, theirs, inputs, close):
    """``ours`` and ``theirs`` agree by ``close`` in value and in the gradient of each input."""
    out, grads = values_and_grads(ours, inputs, grad_of=range(len(inputs)))
    ref_out, ref_grads = values_and_grads(theirs, inputs, grad_of=range(len(inputs)))
    close(out, ref_out)
    for mine, ref in zip(grads, ref_grads, strict=True):
        close(mine, ref)


# --- binary_cross_entropy: forward mode at p = 0 and 1 (audit D1) -------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kind", ["random", "edge"])
def test_bce_forward_mode_is_torchs(kind, reduction, dtype):
    # Regression: the label's zero tangent times d loss / d y = -logit(p) = +-inf gave NaN at
    # p = 0 and p = 1, which "sum" and "mean" spread over the whole Jacobian.
    p, y = probabilities(kind, dtype)
    tangent = random_like(p)
    ours = jvp(lambda p: ours_bce(reduction)(p, y), (p,), (tangent,))[1]
    theirs = jvp(lambda p: torchs_bce(reduction)(p, y), (p,), (tangent,))[1]
    assert_relatively_close(ours, theirs)
    assert torch.isfinite(ours).all()
    if reduction != "none":
        ours = jacfwd(lambda p: ours_bce(reduction)(p, y))(p)
        assert_relatively_close(ours, jacfwd(lambda p: torchs_bce(reduction)(p, y))(p))


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_forward_mode_by_the_labels_is_torchs(dtype):
    p, y = probabilities("edge", dtype)
    tangent = random_like(y)
    ours = jvp(lambda y: ours_bce("none")(p, y), (y,), (tangent,))[1]
    theirs = jvp(lambda y: torchs_bce("none")(p, y), (y,), (tangent,))[1]
    assert_relatively_close(ours, theirs)


# --- binary_cross_entropy: second derivatives (audit D2) ----------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("kind", ["random", "edge"])
def test_bce_hessian_is_torchs(kind, reduction, dtype):
    # Regression: autograd through max(p (1 - p), 1e-12) gave the constant 1e12 wherever
    # p (1 - p) < 1e-12, whatever the label, and in float32 it lost digits (p = 0.0012360215).
    p, y = probabilities(kind, dtype)
    ours = hessian(lambda p: ours_bce(reduction)(p, y))(p)
    theirs = hessian(lambda p: torchs_bce(reduction)(p, y))(p)
    assert_relatively_close(ours, theirs)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kind", ["random", "edge"])
def test_bce_double_backward_is_torchs(kind, reduction, dtype):
    # The gradient of a product with the gradient, with respect to the probabilities, the
    # labels and the upstream gradient: every second derivative torch defines.
    p, y = probabilities(kind, dtype)

    def double_backward(fn):
        p_, y_ = p.clone().requires_grad_(), y.clone().requires_grad_()
        out = fn(p_, y_)
        upstream = random_like(out).requires_grad_()
        grad_p, grad_y = torch.autograd.grad(out, (p_, y_), upstream, create_graph=True)
        by_p = torch.autograd.grad((grad_p * random_like(p, 2)).sum(), (p_, y_, upstream))
        mixed = torch.autograd.grad((grad_y * random_like(y, 3)).sum(), p_)
        return [*by_p, *mixed]

    ours = double_backward(ours_bce(reduction))
    theirs = double_backward(torchs_bce(reduction))
    for mine, ref in zip(ours, theirs, strict=True):
        assert_relatively_close(mine, ref)


def test_bce_hessian_regression_values():
    # The audit's example, float64: 0 where the certain label is right, 1e24 where it is
    # certainly wrong, and (p^2 - 2py + y) / ((p + eps)^2 (1 - p + eps)^2) in between.
    p = torch.tensor([0.0, 0.0, 1e-13, 0.3], dtype=torch.float64)
    y = torch.tensor([0.0, 1.0, 0.0, 1.0], dtype=torch.float64)
    diagonal = hessian(lambda p: binary_cross_entropy(p, y, "sum"))(p).diag()
    eps = 1e-12
    exact = (p * p - 2 * p * y + y) / ((p + eps) ** 2 * (1 - p + eps) ** 2)
    assert_relatively_close(diagonal, exact)
    assert diagonal[0] == 0 and diagonal[1] > 1e23


# --- binary_cross_entropy: the mean divides by N last, as torch does (audit D7) ------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_mean_gradient_divides_by_n_after_the_elementwise_gradient(dtype):
    # torch computes grad * (p - y) / max(p (1 - p), eps) and then divides by N. Regression:
    # the mean's backward handed grad / N to the elementwise gradient, so for a tiny p with
    # label 0 the product (grad / N) * p became subnormal (or 0) before the division by
    # 1e-12 scaled it back up: at p = 1e-45 in float32 the gradient was 0 where torch's is
    # 5.6e-36, and for p below about N * 1e-38 it lost digits.
    smallest = float(torch.finfo(dtype).smallest_normal) * torch.finfo(dtype).eps  # subnormal
    tiny = torch.logspace(math.log10(smallest), -20, 200, dtype=torch.float64).to(dtype)
    p = torch.cat([tiny, torch.rand(56, generator=generator(), dtype=torch.float64).to(dtype)])
    y = torch.cat([torch.zeros(200), torch.randint(0, 2, (56,), generator=generator(1))])
    assert_like_torchs(
        ours_bce("mean"), torchs_bce("mean"), [p, y.to(dtype)], assert_relatively_close
    )


# --- binary_cross_entropy_with_logits: where the sigmoid saturates (audit D3) -------------


def saturated_logits(dtype):
    """Logits z in +-(10..40, 89, 1e4), each with both labels."""
    magnitudes = [10.0, 11.0, 13.0, 13.86, 15.0, 17.0, 20.0, 25.0, 30.0, 36.0, 40.0, 89.0, 1e4]
    z = torch.tensor(magnitudes + [-m for m in magnitudes], dtype=dtype).repeat_interleave(2)
    return z, torch.tensor([0.0, 1.0], dtype=dtype).repeat(len(z) // 2)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_gradient_where_sigmoid_saturates_is_torchs(reduction, dtype):
    # Regression: autograd of the formula added (1 - y) and -(1 - sigmoid(z)), which cancel:
    # for y = 0 and z << 0 the gradient was rounded or 0 where torch's is sigmoid(z), and for
    # y = 1 and z >> 0 it was exact where torch's, sigmoid(z) - 1, rounds to 0.
    z, y = saturated_logits(dtype)
    assert_like_torchs(
        ours_logits(reduction), torchs_logits(reduction), [z, y], assert_relatively_close
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_with_logits_gradient_is_sigmoid_minus_label_and_minus_logit(dtype):
    z, y = saturated_logits(dtype)
    z, y = z.requires_grad_(), y.requires_grad_()
    binary_cross_entropy_with_logits(z, y, "sum").backward()
    assert_relatively_close(z.grad, torch.sigmoid(z.detach()) - y.detach())
    assert_relatively_close(y.grad, -z.detach())


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_with_logits_double_backward_is_torchs(dtype):
    z, y = saturated_logits(dtype)
    z = torch.cat([z, 4 * torch.randn(16, generator=generator(), dtype=dtype)])
    y = torch.cat([y, torch.randint(0, 2, (16,), generator=generator(1)).to(dtype)])

    def double_backward(fn):
        z_, y_ = z.clone().requires_grad_(), y.clone().requires_grad_()
        out = fn(z_, y_)
        upstream = random_like(out).requires_grad_()
        grad_z, grad_y = torch.autograd.grad(out, (z_, y_), upstream, create_graph=True)
        first = torch.autograd.grad((grad_z * random_like(z, 2)).sum(), (z_, y_, upstream))
        second = torch.autograd.grad((grad_y * random_like(y, 3)).sum(), (z_, upstream))
        return [*first, *second]

    ours = double_backward(ours_logits("none"))
    theirs = double_backward(torchs_logits("none"))
    for mine, ref in zip(ours, theirs, strict=True):
        assert_relatively_close(mine, ref)


# --- half precision (audit D5) ------------------------------------------------------------


def half_points(dtype):
    """A dense grid over [-20, 20], 7.625 (the audit's example) and the special values."""
    x = torch.linspace(-20, 20, 4001, dtype=torch.float64)
    return torch.cat([x, torch.tensor([7.625, 1e4, -1e4, INF, -INF, NAN])]).to(dtype)


@pytest.mark.parametrize("dtype", HALF_DTYPES)
def test_sigmoid_in_half_precision_is_torchs(dtype):
    # Regression: every step rounded to half precision, so sigmoid(7.625) was 1 (gradient 0)
    # where torch computes in float32 and rounds once, to 0.99951 (gradient 4.9e-4).
    x = half_points(dtype)
    out, (grad_x,) = values_and_grads(sigmoid, [x], grad_of=[0])
    ref_out, (ref_grad,) = values_and_grads(torch.sigmoid, [x], grad_of=[0])
    torch.testing.assert_close(out, ref_out, rtol=0, atol=0, equal_nan=True)
    torch.testing.assert_close(grad_x, ref_grad, equal_nan=True)  # within a rounding step
    assert out.dtype == grad_x.dtype == dtype


@pytest.mark.parametrize("dtype", HALF_DTYPES)
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "cross_entropy"])
def test_the_softmax_family_refuses_half_precision_naming_the_dtype(name, dtype):
    # torch's half-precision softmax rounds at steps of its CPU kernels (the sum of exps in
    # log_softmax, the accumulation of nll_loss, per vector width): rather than differ from
    # torch by up to 0.125 in bfloat16, as these functions did, they refuse such logits.
    logits = torch.randn(4, 3, generator=generator()).to(dtype)
    call = {
        "softmax": lambda: softmax(logits, dim=1),
        "log_softmax": lambda: log_softmax(logits, dim=1),
        "cross_entropy": lambda: cross_entropy(logits, torch.tensor([0, 1, 2, 0])),
    }[name]
    with pytest.raises(ValueError, match=rf"float32 or float64, got {dtype}.*logits\.float\(\)"):
        call()
    logits32 = logits.float()  # what the message says to do: then torch's values
    ours = {"softmax": softmax, "log_softmax": log_softmax}.get(name)
    if ours is not None:
        torch.testing.assert_close(ours(logits32, dim=1), getattr(torch, name)(logits32, dim=1))


def test_sigmoid_of_float16_7_625_is_below_one():
    x = torch.tensor([7.625], dtype=torch.float16, requires_grad=True)
    s = sigmoid(x)
    s.backward()
    assert s.item() == torch.sigmoid(x.detach()).item() < 1.0
    assert x.grad.item() > 0


@pytest.mark.parametrize("dtype", HALF_DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_in_half_precision_is_torchs(reduction, dtype):
    # torch rounds every step of its BCE to half precision; in float16 its bound 1e-12
    # rounds to 0, so the gradient at p = y = 0 or 1 is 0 / 0 = NaN, here as in torch.
    # Regression: the gradient took its steps in another order, e.g. 0.19 relative error
    # near p = 1e-4; now it takes torch's, for "mean" too (the division by N last, D7).
    p = torch.cat([torch.rand(200, generator=generator()), torch.tensor([0.0, 1.0, 1e-4, 0.999])])
    y = torch.randint(0, 2, p.shape, generator=generator(1))
    p, y = p.to(dtype), torch.cat([y[:-4], torch.tensor([0, 1, 1, 0])]).to(dtype)
    out, grads = values_and_grads(ours_bce(reduction), [p, y], grad_of=[0])
    ref_out, ref_grads = values_and_grads(torchs_bce(reduction), [p, y], grad_of=[0])
    torch.testing.assert_close(out, ref_out, rtol=0, atol=0)
    torch.testing.assert_close(grads[0], ref_grads[0], rtol=0, atol=0, equal_nan=True)


@pytest.mark.parametrize("dtype", HALF_DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_in_half_precision_is_torchs(reduction, dtype):
    z = half_points(dtype)[:-1]  # without NaN
    y = torch.randint(0, 2, z.shape, generator=generator(1)).to(dtype)
    assert_like_torchs(
        ours_logits(reduction),
        torchs_logits(reduction),
        [z, y],
        functools.partial(torch.testing.assert_close, equal_nan=True),
    )


# --- dtypes (audit D6) --------------------------------------------------------------------


MIXED_DTYPES = [
    (torch.float32, torch.float64),
    (torch.float64, torch.float32),
    (torch.float16, torch.float32),
    (torch.float32, torch.float16),
]


@pytest.mark.parametrize("logits_dtype, target_dtype", MIXED_DTYPES)
def test_bce_with_logits_result_dtype_is_torchs(logits_dtype, target_dtype):
    # Regression: float32 logits with a float64 target gave a float32 loss. torch's loss has
    # the dtype of the target (it computes into a copy of it), even when that is narrower.
    z = 4 * torch.randn(16, generator=generator(), dtype=torch.float64)
    z = torch.cat([z, torch.tensor([-40.0, 40.0])]).to(logits_dtype)
    y = torch.randint(0, 2, z.shape, generator=generator(1)).to(target_dtype)
    out, (grad_z,) = values_and_grads(binary_cross_entropy_with_logits, [z, y], grad_of=[0])
    ref_out, (ref_grad,) = values_and_grads(F.binary_cross_entropy_with_logits, [z, y], [0])
    assert out.dtype == ref_out.dtype == target_dtype
    assert grad_z.dtype == ref_grad.dtype == logits_dtype
    torch.testing.assert_close(out, ref_out)
    torch.testing.assert_close(grad_z, ref_grad)


@pytest.mark.parametrize("input_dtype, target_dtype", MIXED_DTYPES)
def test_bce_refuses_float_targets_of_another_dtype_like_torch(input_dtype, target_dtype):
    p = torch.tensor([0.3, 0.8], dtype=input_dtype)
    y = torch.tensor([0.0, 1.0], dtype=target_dtype)
    with pytest.raises(RuntimeError, match="dtype"):
        F.binary_cross_entropy(p, y)
    with pytest.raises(ValueError, match=rf"same dtype, got {input_dtype} and {target_dtype}"):
        binary_cross_entropy(p, y)


@pytest.mark.parametrize("target_dtype", [torch.int64, torch.uint8, torch.bool])
def test_bce_integer_targets_are_converted_to_the_input_dtype(target_dtype):
    # A documented difference with torch, which refuses them.
    p = torch.tensor([0.3, 0.8, 0.6], dtype=torch.float64)
    y = torch.tensor([0, 1, 1]).to(target_dtype)
    for ours, theirs in [
        (binary_cross_entropy, F.binary_cross_entropy),
        (binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits),
    ]:
        loss = ours(p, y)
        assert loss.dtype == torch.float64
        torch.testing.assert_close(loss, theirs(p, y.to(p.dtype)))


@pytest.mark.parametrize("fn", [binary_cross_entropy, binary_cross_entropy_with_logits])
def test_complex_targets_are_refused(fn):
    with pytest.raises(ValueError, match="real tensor.*complex"):
        fn(torch.tensor([0.3, 0.6]), torch.tensor([0.0, 1.0], dtype=torch.complex64))


# --- torch.func transforms, vmap included (audit D4) --------------------------------------

BINARY_LOSSES = {
    "binary_cross_entropy": (
        binary_cross_entropy,
        F.binary_cross_entropy,
        torch.rand(4, 5, generator=generator(), dtype=torch.float64),
    ),
    "binary_cross_entropy_with_logits": (
        binary_cross_entropy_with_logits,
        F.binary_cross_entropy_with_logits,
        5 * torch.randn(4, 5, generator=generator(), dtype=torch.float64),
    ),
}
LABELS = torch.randint(0, 2, (4, 5), generator=generator(1)).double()
TRANSFORMS = {
    "vmap": vmap,
    "vmap(grad)": lambda fn: vmap(grad(fn)),
    "vmap(grad by target)": lambda fn: vmap(grad(fn, argnums=1)),
    "vmap(jacrev)": lambda fn: vmap(jacrev(fn)),
    "vmap(hessian)": lambda fn: vmap(hessian(fn)),
    "vmap(vmap)": lambda fn: vmap(vmap(fn)),
    "jacrev(vmap)": lambda fn: jacrev(vmap(fn)),
    "jacfwd(vmap)": lambda fn: jacfwd(vmap(fn)),
}


@pytest.mark.parametrize("transform", list(TRANSFORMS))
@pytest.mark.parametrize("name", list(BINARY_LOSSES))
def test_binary_losses_under_torch_func_transforms_are_torchs(name, transform):
    # Regression: the checks of the values needed Python booleans, which vmap cannot give.
    ours, theirs, inputs = BINARY_LOSSES[name]
    result = TRANSFORMS[transform](lambda x, y: ours(x, y))(inputs, LABELS)
    expected = TRANSFORMS[transform](lambda x, y: theirs(x, y))(inputs, LABELS)
    torch.testing.assert_close(result, expected)


@pytest.mark.parametrize("name", list(BINARY_LOSSES))
def test_binary_losses_under_vmap_with_in_dims_are_torchs(name):
    ours, theirs, inputs = BINARY_LOSSES[name]
    for in_dims, args in [((1, None), (inputs, LABELS[:, 0])), ((None, 0), (inputs[0], LABELS))]:
        result = vmap(lambda x, y: ours(x, y, "none"), in_dims=in_dims)(*args)
        expected = vmap(lambda x, y: theirs(x, y, reduction="none"), in_dims=in_dims)(*args)
        torch.testing.assert_close(result, expected)


@pytest.mark.parametrize("name", list(BINARY_LOSSES))
def test_binary_losses_check_the_values_under_vmap(name):
    ours, _, inputs = BINARY_LOSSES[name]
    soft = LABELS.clone()
    soft[2, 3] = 0.5
    with pytest.raises(ValueError, match=r"only 0 and 1, found 1 other value\(s\), e.g. 0.5"):
        vmap(lambda x, y: ours(x, y))(inputs, soft)
    with pytest.raises(ValueError, match="only 0 and 1"):
        vmap(grad(lambda x, y: ours(x, y)))(inputs, soft)


def test_bce_checks_the_probabilities_under_vmap():
    p = BINARY_LOSSES["binary_cross_entropy"][2].clone()
    p[1, 1] = 1.5
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*e.g. 1.5"):
        vmap(lambda p, y: binary_cross_entropy(p, y))(p, LABELS)


def test_sigmoid_under_torch_func_transforms_is_torchs():
    x = 5 * torch.randn(4, 5, generator=generator(), dtype=torch.float64)
    for transform in (vmap, jacfwd, jacrev, lambda f: vmap(grad(lambda x: f(x).sum()))):
        torch.testing.assert_close(transform(sigmoid)(x), transform(torch.sigmoid)(x))
    torch.testing.assert_close(
        hessian(lambda x: sigmoid(x).sum())(x[0]), hessian(lambda x: torch.sigmoid(x).sum())(x[0])
    )


def test_cross_entropy_under_the_transforms_its_docstring_names():
    logits = 3 * torch.randn(6, 4, generator=generator(), dtype=torch.float64)
    target = torch.randint(0, 4, (6,), generator=generator(1))

    def ours(x):
        return cross_entropy(x, target)

    def theirs(x):
        return F.cross_entropy(x, target)

    for transform in (grad, jacrev, jacfwd, hessian):
        torch.testing.assert_close(transform(ours)(logits), transform(theirs)(logits))
    # Not under vmap, as documented: checking the labels reads their values.
    with pytest.raises(RuntimeError, match="vmap"):
        vmap(lambda x, t: cross_entropy(x, t))(logits.reshape(2, 3, 4), target.reshape(2, 3))


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_with_logits_forward_mode_is_its_backward_and_torchs_where_unsaturated(dtype):
    # As documented: forward mode uses sigmoid(z) - y, the derivative of the backward pass.
    # torch's forward mode takes another formula; the two agree to rounding where the
    # sigmoid does not saturate.
    z, y = saturated_logits(dtype)
    z = torch.cat([z, 4 * torch.randn(32, generator=generator(), dtype=dtype)])
    y = torch.cat([y, torch.randint(0, 2, (32,), generator=generator(1)).to(dtype)])
    tangent = random_like(z)
    forward = jvp(lambda z: binary_cross_entropy_with_logits(z, y, "none"), (z,), (tangent,))[1]
    z_ = z.clone().requires_grad_()
    loss = binary_cross_entropy_with_logits(z_, y, "none")
    (backward,) = torch.autograd.grad(loss, z_, tangent)  # the tangent as upstream gradient
    assert_relatively_close(forward, backward)
    assert_relatively_close(forward, (torch.sigmoid(z) - y) * tangent)
    unsaturated = z.abs() < 8
    theirs = jvp(
        lambda z: F.binary_cross_entropy_with_logits(z, y, reduction="none"), (z,), (tangent,)
    )[1]
    torch.testing.assert_close(forward[unsaturated], theirs[unsaturated], rtol=1e-5, atol=0)
