"""Every differentiable function of the library against torch's own op.

Values AND gradients, with autograd on both sides, at random points and at the edge points
0, +-17, +-89, +-1e4, +-inf (and NaN), probabilities exactly 0 and 1, in float32 and float64;
then `torch.autograd.gradcheck` in float64 at interior points.

float32 facts behind the edge points: sigmoid(17) rounds to exactly 1, sigmoid(-89) is below
the smallest normal float32 and exp(89) overflows to inf; in float64 sigmoid(89) rounds to 1.
"""

import itertools

import pytest
import torch
import torch.nn.functional as F

from tutorial_lib.binary_cross_entropy import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
)
from tutorial_lib.cross_entropy import cross_entropy
from tutorial_lib.logistic import LogisticRegression, sigmoid, sigmoid_derivative
from tutorial_lib.softmax import log_softmax, softmax

INF, NAN = float("inf"), float("nan")
EDGES = [0.0, 17.0, -17.0, 89.0, -89.0, 1e4, -1e4, INF, -INF]
DTYPES = [torch.float32, torch.float64]
REDUCTIONS = ["none", "mean", "sum"]


def generator(seed=0):
    return torch.Generator().manual_seed(seed)


def compare(ours, theirs, inputs, grad_of=None):
    """Assert ``ours(*inputs)`` equals ``theirs(*inputs)`` in value and in gradient.

    Each side gets its own copy of the inputs; ``grad_of`` (default: all) lists which of
    them require grad. Both outputs are back-propagated with the same random upstream
    gradient, so the check covers the whole vector-Jacobian product, not one sum. NaN must
    appear at the same places on both sides.
    """
    grad_of = range(len(inputs)) if grad_of is None else grad_of

    def run(fn):
        copies = [x.detach().clone().requires_grad_(i in grad_of) for i, x in enumerate(inputs)]
        out = fn(*copies)
        upstream = torch.rand(out.shape, generator=generator(1), dtype=out.dtype) + 0.5
        out.backward(upstream)
        return out.detach(), [copies[i].grad for i in grad_of]

    out, grads = run(ours)
    ref_out, ref_grads = run(theirs)
    torch.testing.assert_close(out, ref_out, equal_nan=True)
    for grad, ref_grad in zip(grads, ref_grads, strict=True):
        torch.testing.assert_close(grad, ref_grad, equal_nan=True)


def points(kind, dtype):
    """A 1-D tensor of inputs: ``random`` normal draws (spread 5) or the ``edge`` points."""
    if kind == "random":
        return 5 * torch.randn(64, generator=generator(), dtype=torch.float64).to(dtype)
    return torch.tensor(EDGES + [NAN], dtype=dtype)


def torch_sigmoid_derivative(x):
    """sigma'(x) from torch's autograd, itself differentiable (create_graph)."""
    (grad,) = torch.autograd.grad(torch.sigmoid(x).sum(), x, create_graph=True)
    return grad


# --- sigmoid -------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["random", "edge"])
def test_sigmoid(kind, dtype):
    compare(sigmoid, torch.sigmoid, [points(kind, dtype)])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["random", "edge"])
def test_sigmoid_derivative_and_its_gradient(kind, dtype):
    compare(sigmoid_derivative, torch_sigmoid_derivative, [points(kind, dtype)])


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_gradient_at_zero_is_a_quarter(dtype):
    # Regression: the old sigmoid differentiated exp(-|x|), and |x| has gradient 0 at 0.
    x = torch.zeros(3, dtype=dtype, requires_grad=True)
    sigmoid(x).sum().backward()
    assert x.grad.tolist() == [0.25, 0.25, 0.25]


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_saturated_gradient_is_torchs_exact_zero(dtype):
    # Where sigma(x) rounds to 1, torch's gradient sigma * (1 - sigma) is exactly 0; the
    # library's is the same number, not the tiny exp(-x) of the exact derivative.
    x = torch.tensor([17.0 if dtype == torch.float32 else 40.0], dtype=dtype, requires_grad=True)
    s = sigmoid(x)
    s.sum().backward()
    assert s.item() == 1.0
    assert x.grad.item() == 0.0


@pytest.mark.parametrize(
    "dtype, rounds_to_one, underflows",
    [(torch.float32, 16.6, -88.7), (torch.float64, 36.7, -709.8)],
)
def test_sigmoid_rounding_thresholds_in_the_docstring(dtype, rounds_to_one, underflows):
    def at(x):
        return sigmoid(torch.tensor([x], dtype=dtype)).item()

    assert at(rounds_to_one - 0.1) < 1.0 and at(rounds_to_one + 0.1) == 1.0
    assert at(underflows + 0.1) > 0.0 and at(underflows - 0.1) == 0.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_is_zero_and_one_exactly_where_torchs_is(dtype):
    # A loss of the probabilities (BCE clamps log 0 at -100) must see the same 0s and 1s.
    x = torch.linspace(-800, 800, 400_001, dtype=dtype)
    ours, theirs = sigmoid(x), torch.sigmoid(x)
    assert torch.equal(ours == 0, theirs == 0)
    assert torch.equal(ours == 1, theirs == 1)


# --- binary cross-entropy from probabilities -----------------------------------------------


def probability_points(kind, dtype):
    """Probabilities and 0/1 labels: random, or every edge probability with both labels."""
    if kind == "random":
        p = torch.rand(64, generator=generator(), dtype=torch.float64).to(dtype)
        y = torch.randint(0, 2, (64,), generator=generator(1)).to(dtype)
        return p, y
    tiny = torch.finfo(dtype).tiny  # smallest normal number
    edge_p = [0.0, 1.0, 0.5, 1e-13, 1e-7, 1 - 1e-7, tiny, tiny / 4, 1e-30]
    edge_p += torch.sigmoid(torch.tensor(EDGES, dtype=dtype)).tolist()  # rounded 0s and 1s
    p = torch.tensor(edge_p, dtype=dtype).repeat_interleave(2)
    y = torch.tensor([0.0, 1.0], dtype=dtype).repeat(len(edge_p))
    return p, y


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kind", ["random", "edge"])
def test_binary_cross_entropy(kind, reduction, dtype):
    p, y = probability_points(kind, dtype)
    compare(
        lambda p, y: binary_cross_entropy(p, y, reduction=reduction),
        lambda p, y: F.binary_cross_entropy(p, y, reduction=reduction),
        [p, y],
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_cross_entropy_gradient_at_zero_and_one_is_torchs(dtype):
    # Regression: autograd through the clamped logs gave NaN at p = 0 and p = 1.
    p = torch.tensor([0.0, 0.0, 1.0, 1.0], dtype=dtype, requires_grad=True)
    y = torch.tensor([0.0, 1.0, 0.0, 1.0], dtype=dtype)
    loss = binary_cross_entropy(p, y, reduction="sum")
    loss.backward()
    p_ref = p.detach().clone().requires_grad_(True)
    F.binary_cross_entropy(p_ref, y, reduction="sum").backward()
    assert torch.isfinite(p.grad).all()
    torch.testing.assert_close(p.grad, p_ref.grad, rtol=0, atol=0)
    assert p.grad[0] == 0 and p.grad[3] == 0  # right and certain: nothing to learn
    assert p.grad[1] < -1e11 and p.grad[2] > 1e11  # wrong and certain: a huge push
    assert loss.item() == 200.0  # the two clamped logs


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_predict_proba_then_binary_cross_entropy(reduction, dtype):
    # The library's sigmoid composed with its BCE, against torch's pair, gradient to the
    # logits, edge logits included (at -89 in float32 both probabilities underflow to 0).
    z = torch.cat([points("random", dtype), torch.tensor(EDGES, dtype=dtype)])
    y = torch.randint(0, 2, z.shape, generator=generator(2)).to(dtype)
    compare(
        lambda z: binary_cross_entropy(sigmoid(z), y, reduction=reduction),
        lambda z: F.binary_cross_entropy(torch.sigmoid(z), y, reduction=reduction),
        [z],
    )


def test_float32_sigmoid_below_minus_88_is_torchs_zero():
    # exp(89) overflows float32: sigma(-89) is 0 in torch and here, so the BCE of label 1 is
    # the clamp value 100 in both.
    z = torch.tensor([-89.0])
    assert sigmoid(z).item() == torch.sigmoid(z).item() == 0.0
    ours = binary_cross_entropy(sigmoid(z), torch.ones(1))
    assert ours.item() == F.binary_cross_entropy(torch.sigmoid(z), torch.ones(1)).item() == 100.0


# --- binary cross-entropy from logits ------------------------------------------------------


def logit_points(kind, dtype):
    """Logits and 0/1 labels: random, or every edge logit (and NaN) with both labels."""
    if kind == "random":
        z = points("random", dtype)
        return z, torch.randint(0, 2, z.shape, generator=generator(1)).to(dtype)
    z = points("edge", dtype).repeat_interleave(2)
    y = torch.tensor([0.0, 1.0], dtype=dtype).repeat(len(z) // 2)
    return z, y


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kind", ["random", "edge"])
def test_binary_cross_entropy_with_logits(kind, reduction, dtype):
    z, y = logit_points(kind, dtype)
    compare(
        lambda z, y: binary_cross_entropy_with_logits(z, y, reduction=reduction),
        lambda z, y: F.binary_cross_entropy_with_logits(z, y, reduction=reduction),
        [z, y],
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_with_logits_gradient_at_zero_is_sigmoid_minus_label(dtype):
    # Regression: max(z, 0) and |z| gave the gradient 1 - y at z = 0.
    z = torch.zeros(2, dtype=dtype, requires_grad=True)
    y = torch.tensor([0.0, 1.0], dtype=dtype)
    binary_cross_entropy_with_logits(z, y, reduction="sum").backward()
    assert z.grad.tolist() == [0.5, -0.5]


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_with_logits_at_infinity_is_torchs(dtype):
    # Regression: z = +inf with y = 0 gave NaN (inf - inf * 0); torch gives inf.
    z = torch.tensor([INF, INF, -INF, -INF], dtype=dtype, requires_grad=True)
    y = torch.tensor([0.0, 1.0, 0.0, 1.0], dtype=dtype)
    loss = binary_cross_entropy_with_logits(z, y, reduction="none")
    loss.sum().backward()
    ref = F.binary_cross_entropy_with_logits(z.detach(), y, reduction="none")
    assert loss[0].item() == INF
    torch.testing.assert_close(loss, ref, equal_nan=True)  # NaN exactly where torch has it
    assert z.grad.tolist() == [1.0, 0.0, 0.0, -1.0]  # sigmoid(z) - y, finite everywhere


# --- softmax, log-softmax, cross-entropy ---------------------------------------------------


def logit_rows(kind, dtype):
    """Rows of 3 logits: random, or every combination of the edge points and NaN."""
    if kind == "random":
        return 5 * torch.randn(32, 3, generator=generator(), dtype=torch.float64).to(dtype)
    return torch.tensor(list(itertools.product(EDGES + [NAN], repeat=3)), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["random", "edge"])
@pytest.mark.parametrize(
    "ours, theirs",
    [(softmax, torch.softmax), (log_softmax, F.log_softmax)],
    ids=["softmax", "log_softmax"],
)
def test_softmax_and_log_softmax(ours, theirs, kind, dtype):
    rows = logit_rows(kind, dtype)
    compare(lambda x: ours(x, dim=1), lambda x: theirs(x, dim=1), [rows])
    compare(lambda x: ours(x, dim=0), lambda x: theirs(x, dim=0), [rows.T.contiguous()])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kind", ["random", "edge"])
def test_cross_entropy(kind, reduction, dtype):
    rows = logit_rows(kind, dtype)
    target = torch.randint(0, 3, (len(rows),), generator=generator(3))
    compare(
        lambda x: cross_entropy(x, target, reduction=reduction),
        lambda x: F.cross_entropy(x, target, reduction=reduction),
        [rows],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_empty_batches_give_torchs_results(reduction):
    empty = torch.zeros(0, 4)
    labels = torch.zeros(0, dtype=torch.int64)
    compare(
        lambda x: cross_entropy(x, labels, reduction=reduction),
        lambda x: F.cross_entropy(x, labels, reduction=reduction),
        [empty],
    )
    compare(
        lambda x: binary_cross_entropy(x, torch.zeros(0), reduction=reduction),
        lambda x: F.binary_cross_entropy(x, torch.zeros(0), reduction=reduction),
        [torch.zeros(0)],
    )
    compare(
        lambda x: binary_cross_entropy_with_logits(x, torch.zeros(0), reduction=reduction),
        lambda x: F.binary_cross_entropy_with_logits(x, torch.zeros(0), reduction=reduction),
        [torch.zeros(0)],
    )


@pytest.mark.parametrize("shape", [(0, 4), (4, 0), (0,)])
def test_empty_tensors_through_elementwise_and_softmax(shape):
    compare(sigmoid, torch.sigmoid, [torch.zeros(shape)])
    compare(lambda x: softmax(x, -1), lambda x: torch.softmax(x, -1), [torch.zeros(shape)])
    compare(lambda x: log_softmax(x, -1), lambda x: F.log_softmax(x, -1), [torch.zeros(shape)])


# --- the logistic-regression model ---------------------------------------------------------


def model_outputs(method, X):
    """Output of ``method(model, X)`` and the gradients of X, W and b, for W = 1 and b = 0.

    With one feature, weight 1 and bias 0 the logits are exactly the points in ``X``.
    """
    model = LogisticRegression(1).to(X.dtype)
    with torch.no_grad():
        model.linear.weight.fill_(1.0)
        model.linear.bias.zero_()
    X = X.clone().requires_grad_(True)
    out = method(model, X)
    out.backward(torch.rand(out.shape, generator=generator(1), dtype=out.dtype) + 0.5)
    return out.detach(), [X.grad, model.linear.weight.grad, model.linear.bias.grad]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["random", "edge"])
@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda m, X: m(X), lambda m, X: F.linear(X, m.linear.weight, m.linear.bias)),
        (
            lambda m, X: m.predict_proba(X),
            lambda m, X: torch.sigmoid(F.linear(X, m.linear.weight, m.linear.bias)),
        ),
    ],
    ids=["forward", "predict_proba"],
)
def test_logistic_regression(ours, theirs, kind, dtype):
    X = points(kind, dtype).unsqueeze(1)
    out, grads = model_outputs(ours, X)
    ref_out, ref_grads = model_outputs(theirs, X)
    torch.testing.assert_close(out, ref_out, equal_nan=True)
    for grad, ref_grad in zip(grads, ref_grads, strict=True):
        torch.testing.assert_close(grad, ref_grad, equal_nan=True)


# --- gradcheck: the analytic gradients against finite differences, float64 ----------------


def interior(*shape, seed=0):
    return torch.randn(*shape, generator=generator(seed), dtype=torch.float64)


LABELS01 = (interior(8, seed=1) > 0).double()
MODEL = LogisticRegression(3).double()
GRADCHECKS = {
    "sigmoid": (sigmoid, [3 * interior(8)]),
    "sigmoid_derivative": (sigmoid_derivative, [3 * interior(8)]),
    "binary_cross_entropy": (
        lambda p: binary_cross_entropy(p, LABELS01, "none"),
        [0.05 + 0.9 * torch.rand(8, generator=generator(), dtype=torch.float64)],
    ),
    "binary_cross_entropy_with_logits": (
        lambda z, y: binary_cross_entropy_with_logits(z, y, "sum"),
        [3 * interior(8), LABELS01],
    ),
    "softmax": (lambda x: softmax(x, dim=1), [3 * interior(4, 5)]),
    "log_softmax": (lambda x: log_softmax(x, dim=0), [3 * interior(4, 5)]),
    "cross_entropy": (
        lambda x: cross_entropy(x, torch.tensor([0, 4, 2, 4]), "none"),
        [3 * interior(4, 5)],
    ),
    "LogisticRegression": (
        lambda X, W, b: torch.func.functional_call(
            MODEL, {"linear.weight": W, "linear.bias": b}, (X,)
        ),
        [interior(6, 3), interior(1, 3, seed=1), interior(1, seed=2)],
    ),
}


def gradcheck_inputs(name):
    fn, inputs = GRADCHECKS[name]
    inputs = [x.clone().requires_grad_(True) for x in inputs]
    if name == "binary_cross_entropy_with_logits":
        inputs[1].requires_grad_(False)  # the labels must stay 0 and 1
    return fn, inputs


@pytest.mark.parametrize("name", list(GRADCHECKS))
def test_gradcheck(name):
    fn, inputs = gradcheck_inputs(name)
    assert torch.autograd.gradcheck(fn, inputs, check_batched_grad=True)


# torch's forward-mode AD loads its decompositions with torch.jit.script, which warns that it
# is deprecated (torch 2.14): a warning of torch's about itself, not about this code.
@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:FutureWarning")
@pytest.mark.parametrize("name", list(GRADCHECKS))
def test_gradcheck_forward_mode(name):
    fn, inputs = gradcheck_inputs(name)
    assert torch.autograd.gradcheck(
        fn, inputs, check_forward_ad=True, check_backward_ad=False, check_batched_forward_grad=True
    )


def test_torch_func_transforms_through_the_hand_written_derivatives():
    x = 3 * interior(6)
    hessian = torch.func.hessian(lambda x: sigmoid(x).sum())(x)
    torch.testing.assert_close(hessian, torch.func.hessian(lambda x: torch.sigmoid(x).sum())(x))
    p = 0.05 + 0.9 * torch.rand(8, generator=generator(), dtype=torch.float64)
    jacobian = torch.func.jacrev(lambda p: binary_cross_entropy(p, LABELS01, "none"))(p)
    expected = torch.func.jacrev(lambda p: F.binary_cross_entropy(p, LABELS01, reduction="none"))
    torch.testing.assert_close(jacobian, expected(p))


@pytest.mark.parametrize("name", ["sigmoid", "binary_cross_entropy"])
def test_gradgradcheck_of_the_hand_written_backward_passes(name):
    fn, inputs = GRADCHECKS[name]
    assert torch.autograd.gradgradcheck(fn, [x.clone().requires_grad_(True) for x in inputs])
