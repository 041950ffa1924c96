import re

import pytest
import torch
import torch.nn.functional as F

from tutorial_lib.binary_cross_entropy import binary_cross_entropy_with_logits
from tutorial_lib.logistic import LogisticRegression, sigmoid, sigmoid_derivative


def test_sigmoid_matches_torch_and_its_gradient():
    x = torch.linspace(-40, 40, 801, dtype=torch.float64, requires_grad=True)
    ours = sigmoid(x)
    ours.sum().backward()
    x_ref = x.detach().clone().requires_grad_(True)
    ref = torch.sigmoid(x_ref)
    ref.sum().backward()
    torch.testing.assert_close(ours, ref)
    torch.testing.assert_close(x.grad, x_ref.grad)


def test_sigmoid_derivative_is_the_autograd_derivative():
    x = torch.linspace(-12, 12, 241, requires_grad=True)
    (grad,) = torch.autograd.grad(torch.sigmoid(x).sum(), x)
    torch.testing.assert_close(sigmoid_derivative(x.detach()), grad)
    assert sigmoid_derivative(torch.tensor(0.0)).item() == 0.25


def test_sigmoid_extreme_inputs_are_finite():
    x = torch.tensor([-1e4, -100.0, 0.0, 100.0, 1e4], requires_grad=True)
    s = sigmoid(x)
    s.sum().backward()
    assert torch.isfinite(s).all() and torch.isfinite(x.grad).all()
    torch.testing.assert_close(s, torch.sigmoid(x.detach()))
    assert s[0].item() == 0.0 and s[-1].item() == 1.0 and s[2].item() == 0.5


@pytest.mark.parametrize("dtype", [torch.int64, torch.uint8, torch.int8, torch.bool])
def test_sigmoid_of_integers_is_torchs(dtype):
    x = torch.tensor([0, 1, 3], dtype=torch.int64).to(dtype)
    s, expected = sigmoid(x), torch.sigmoid(x)
    assert s.dtype == expected.dtype == torch.get_default_dtype()
    torch.testing.assert_close(s, expected)


def test_sigmoid_refuses_complex_and_non_tensors():
    with pytest.raises(ValueError, match="real tensor.*complex"):
        sigmoid(torch.tensor([1 + 2j]))
    with pytest.raises(ValueError, match="torch.Tensor"):
        sigmoid([1.0, 2.0])


def test_model_forward_is_logits_and_probabilities():
    torch.manual_seed(0)
    model = LogisticRegression(3)
    X = torch.randn(5, 3)
    logits = model(X)
    assert logits.shape == (5, 1)
    W, b = model.linear.weight, model.linear.bias
    torch.testing.assert_close(logits, X @ W.T + b)
    torch.testing.assert_close(model.predict_proba(X), torch.sigmoid(X @ W.T + b))
    torch.testing.assert_close(model.predict(X), (X @ W.T + b >= 0).float())


@pytest.mark.parametrize("in_features", [0, -2, 1.5, True])
def test_model_rejects_bad_in_features(in_features):
    with pytest.raises(ValueError, match="in_features"):
        LogisticRegression(in_features)


def test_one_sgd_step_by_hand_matches_optimizer_step():
    torch.manual_seed(1)
    X = torch.tensor([[1.0], [2.0], [3.0]])
    y = torch.tensor([[0.0], [0.0], [1.0]])
    model = LogisticRegression(1)
    w0, b0 = model.linear.weight.item(), model.linear.bias.item()
    lr = 0.1
    # Gradient of the summed BCE, by hand: dL/dz_i = sigmoid(z_i) - y_i.
    p = torch.sigmoid(w0 * X + b0)
    dw, db = ((p - y) * X).sum().item(), (p - y).sum().item()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    optimizer.zero_grad()
    binary_cross_entropy_with_logits(model(X), y, reduction="sum").backward()
    torch.testing.assert_close(model.linear.weight.grad, torch.tensor([[dw]]))
    torch.testing.assert_close(model.linear.bias.grad, torch.tensor([db]))
    optimizer.step()
    torch.testing.assert_close(model.linear.weight, torch.tensor([[w0 - lr * dw]]))
    torch.testing.assert_close(model.linear.bias, torch.tensor([b0 - lr * db]))
    # ...and the same step taken by torch's own loss.
    ref = LogisticRegression(1)
    ref.load_state_dict({"linear.weight": torch.tensor([[w0]]), "linear.bias": torch.tensor([b0])})
    ref_opt = torch.optim.SGD(ref.parameters(), lr=lr)
    F.binary_cross_entropy_with_logits(ref(X), y, reduction="sum").backward()
    ref_opt.step()
    torch.testing.assert_close(model.linear.weight, ref.linear.weight)
    torch.testing.assert_close(model.linear.bias, ref.linear.bias)


@pytest.mark.parametrize("dtype", [torch.int64, torch.bool])
def test_sigmoid_derivative_converts_integers_like_sigmoid(dtype):
    # As its docstring says: like sigmoid, integers become the default floating dtype.
    x = torch.tensor([0, 1, 3]).to(dtype)
    floats = x.to(torch.get_default_dtype()).requires_grad_(True)
    (expected,) = torch.autograd.grad(torch.sigmoid(floats).sum(), floats)
    torch.testing.assert_close(sigmoid_derivative(x), expected)


def test_sigmoid_derivative_refuses_complex_and_non_tensors():
    with pytest.raises(ValueError, match="real tensor.*complex"):
        sigmoid_derivative(torch.tensor([1 + 2j]))
    with pytest.raises(ValueError, match="torch.Tensor"):
        sigmoid_derivative([1.0, 2.0])


@pytest.mark.parametrize(
    "in_features, X",
    [(1, torch.randn(4)), (3, torch.randn(3)), (3, torch.randn(5, 2)), (2, torch.randn(2, 2, 2))],
    ids=["N samples as 1-D", "one sample as 1-D", "wrong feature count", "3-D"],
)
def test_model_refuses_inputs_of_the_wrong_shape(in_features, X):
    # Regression: torch's "mat1 and mat2 shapes cannot be multiplied", or, for a 1-D X of
    # length in_features, a silent result of shape (1,).
    model = LogisticRegression(in_features)
    expected = f"X must have shape (N, in_features) = (N, {in_features}), got {tuple(X.shape)}"
    for method in (model, model.predict_proba, model.predict):
        with pytest.raises(ValueError, match=re.escape(expected)):
            method(X)


def test_model_hint_for_1d_inputs():
    with pytest.raises(ValueError, match=r"X\.unsqueeze\(1\) makes N samples of one feature"):
        LogisticRegression(1)(torch.randn(4))


@pytest.mark.parametrize("threshold", [float("nan"), 2.0, -0.1, True, "0.5", None])
def test_predict_refuses_thresholds_that_are_not_probabilities(threshold):
    # Regression: NaN (or 2.0) silently gave all zeros.
    model = LogisticRegression(1)
    with pytest.raises(ValueError, match=r"threshold must be a probability in \[0, 1\]"):
        model.predict(torch.tensor([[100.0]]), threshold=threshold)


@pytest.mark.parametrize("threshold", [0, 0.5, 1])
def test_predict_thresholds_in_the_unit_interval_are_torchs(threshold):
    torch.manual_seed(3)
    model = LogisticRegression(2)
    X = torch.randn(50, 2)
    expected = (torch.sigmoid(model.linear(X)) >= threshold).float()
    torch.testing.assert_close(model.predict(X, threshold=threshold), expected)
