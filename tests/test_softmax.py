import pytest
import torch
import torch.nn.functional as F

from tutorial_lib.softmax import log_softmax, softmax


@pytest.mark.parametrize("shape, dim", [((5, 10), -1), ((5, 10), 0), ((3, 4, 7), 1), ((6,), 0)])
def test_softmax_matches_torch_on_random_logits(shape, dim):
    torch.manual_seed(0)
    logits = torch.randn(shape, dtype=torch.float64) * 5
    torch.testing.assert_close(softmax(logits, dim=dim), torch.softmax(logits, dim=dim))
    torch.testing.assert_close(log_softmax(logits, dim=dim), F.log_softmax(logits, dim=dim))


def test_softmax_rows_are_distributions():
    torch.manual_seed(1)
    probs = softmax(torch.randn(8, 10))
    assert (probs >= 0).all()
    torch.testing.assert_close(probs.sum(dim=1), torch.ones(8))


@pytest.mark.parametrize("scale", [1e2, 1e4, -1e4])
def test_extreme_logits_stay_finite_and_match_torch(scale):
    torch.manual_seed(2)
    logits = torch.randn(16, 10) * scale
    logits[0] = torch.tensor([1e4, -1e4] * 5)
    probs, log_probs = softmax(logits), log_softmax(logits)
    assert torch.isfinite(probs).all()
    assert torch.isfinite(log_probs).all()
    torch.testing.assert_close(probs, torch.softmax(logits, dim=-1))
    torch.testing.assert_close(log_probs, F.log_softmax(logits, dim=-1))


def test_naive_softmax_overflows_where_the_library_does_not():
    logits = torch.tensor([[100.0, 101.0, 102.0]])
    naive = logits.exp() / logits.exp().sum(dim=1, keepdim=True)
    assert torch.isnan(naive).any()
    assert torch.isfinite(softmax(logits)).all()


def test_gradient_matches_torch():
    torch.manual_seed(3)
    logits = torch.randn(4, 6, dtype=torch.float64, requires_grad=True)
    weights = torch.randn(4, 6, dtype=torch.float64)
    (grad,) = torch.autograd.grad((log_softmax(logits) * weights).sum(), logits)
    (expected,) = torch.autograd.grad((F.log_softmax(logits, -1) * weights).sum(), logits)
    torch.testing.assert_close(grad, expected)


@pytest.mark.parametrize(
    "logits, dim, message",
    [
        (torch.tensor([1, 2, 3]), -1, "floating point"),
        (torch.tensor(1.0), -1, "scalar"),
        (torch.zeros(2, 3), 2, "out of range"),
        ([1.0, 2.0], -1, "torch.Tensor"),
    ],
)
def test_bad_logits_raise(logits, dim, message):
    with pytest.raises(ValueError, match=message):
        softmax(logits, dim=dim)
    with pytest.raises(ValueError, match=message):
        log_softmax(logits, dim=dim)
