import pytest
import torch
import torch.nn.functional as F

from tutorial_lib.cross_entropy import cross_entropy
from tutorial_lib.one_hot import one_hot
from tutorial_lib.softmax import softmax


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_matches_torch_on_random_input(reduction):
    torch.manual_seed(0)
    logits = torch.randn(32, 10, dtype=torch.float64) * 3
    target = torch.randint(0, 10, (32,))
    torch.testing.assert_close(
        cross_entropy(logits, target, reduction=reduction),
        F.cross_entropy(logits, target, reduction=reduction),
    )


@pytest.mark.parametrize("scale", [1e4, -1e4])
def test_extreme_logits_are_finite_and_match_torch(scale):
    torch.manual_seed(1)
    logits = torch.randn(16, 10) * scale
    target = torch.randint(0, 10, (16,))
    loss = cross_entropy(logits, target, reduction="none")
    assert torch.isfinite(loss).all()
    torch.testing.assert_close(loss, F.cross_entropy(logits, target, reduction="none"))
    # a confidently right sample costs nothing, a confidently wrong one costs the gap
    sure = torch.tensor([[1e4, -1e4]])
    torch.testing.assert_close(cross_entropy(sure, torch.tensor([0])), torch.tensor(0.0))
    torch.testing.assert_close(cross_entropy(sure, torch.tensor([1])), torch.tensor(2e4))


def test_gradient_is_softmax_minus_one_hot_over_n():
    torch.manual_seed(2)
    n, c = 8, 5
    logits = torch.randn(n, c, dtype=torch.float64, requires_grad=True)
    target = torch.randint(0, c, (n,))
    (grad,) = torch.autograd.grad(cross_entropy(logits, target), logits)
    expected = (softmax(logits.detach()) - one_hot(target, c, dtype=torch.float64)) / n
    torch.testing.assert_close(grad, expected)
    (torch_grad,) = torch.autograd.grad(F.cross_entropy(logits, target), logits)
    torch.testing.assert_close(grad, torch_grad)


def test_extreme_logits_give_finite_gradients():
    logits = (torch.randn(4, 3) * 1e4).requires_grad_()
    (grad,) = torch.autograd.grad(cross_entropy(logits, torch.tensor([0, 1, 2, 0])), logits)
    assert torch.isfinite(grad).all()


@pytest.mark.parametrize(
    "logits, target, message",
    [
        (torch.zeros(2, 3), torch.tensor([0, 3]), "out of range"),
        (torch.zeros(2, 3), torch.tensor([0, -1]), "negative"),
        (torch.zeros(2, 3), torch.tensor([0.0, 1.0]), "integer"),
        (torch.zeros(2, 3), torch.tensor([0, 1, 2]), "do not match"),
        (torch.zeros(2, 3), torch.tensor([[0], [1]]), "1-D"),
        (torch.zeros(3), torch.tensor([0]), r"shape \(N, C\)"),
        (torch.zeros(2, 3, dtype=torch.int64), torch.tensor([0, 1]), "floating"),
    ],
)
def test_bad_input_raises(logits, target, message):
    with pytest.raises(ValueError, match=message):
        cross_entropy(logits, target)


def test_unknown_reduction_raises():
    with pytest.raises(ValueError, match="reduction"):
        cross_entropy(torch.zeros(2, 3), torch.tensor([0, 1]), reduction="average")


def test_short_training_run_on_synthetic_data_lowers_the_loss():
    generator = torch.Generator().manual_seed(0)
    centres = torch.randn(3, 2, generator=generator) * 3
    y = torch.randint(0, 3, (300,), generator=generator)
    X = centres[y] + torch.randn(300, 2, generator=generator)
    W = torch.zeros(2, 3, requires_grad=True)
    b = torch.zeros(3, requires_grad=True)
    losses = []
    for _ in range(50):
        loss = cross_entropy(X @ W + b, y)
        losses.append(loss.item())
        W.grad = b.grad = None
        loss.backward()
        with torch.no_grad():
            W -= 0.1 * W.grad
            b -= 0.1 * b.grad
    assert losses[-1] < 0.5 * losses[0]
    assert all(later <= earlier + 1e-6 for earlier, later in zip(losses, losses[1:], strict=False))
