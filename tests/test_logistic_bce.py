import pytest
import torch
import torch.nn.functional as F

from tutorial_lib.binary_cross_entropy import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
)

REDUCTIONS = ["mean", "sum", "none"]


def data(seed=0, n=17):
    gen = torch.Generator().manual_seed(seed)
    logits = 4 * torch.randn(n, 1, generator=gen, dtype=torch.float64)
    target = torch.randint(0, 2, (n, 1), generator=gen).to(torch.float64)
    return logits, target


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_from_probabilities_matches_torch_with_gradients(reduction):
    logits, target = data()
    p = torch.sigmoid(logits).requires_grad_(True)
    p_ref = p.detach().clone().requires_grad_(True)
    ours = binary_cross_entropy(p, target, reduction=reduction)
    ref = F.binary_cross_entropy(p_ref, target, reduction=reduction)
    torch.testing.assert_close(ours, ref)
    ours.sum().backward()
    ref.sum().backward()
    torch.testing.assert_close(p.grad, p_ref.grad)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_from_logits_matches_torch_with_gradients(reduction):
    logits, target = data(1)
    z = logits.clone().requires_grad_(True)
    z_ref = logits.clone().requires_grad_(True)
    ours = binary_cross_entropy_with_logits(z, target, reduction=reduction)
    ref = F.binary_cross_entropy_with_logits(z_ref, target, reduction=reduction)
    torch.testing.assert_close(ours, ref)
    ours.sum().backward()
    ref.sum().backward()
    torch.testing.assert_close(z.grad, z_ref.grad)
    # The gradient of the BCE from logits is sigmoid(z) - y (divided by N for the mean).
    scale = 1 / len(z) if reduction == "mean" else 1.0
    torch.testing.assert_close(z.grad, scale * (torch.sigmoid(logits) - target))


def test_logits_and_probabilities_agree():
    logits, target = data(2)
    torch.testing.assert_close(
        binary_cross_entropy_with_logits(logits, target),
        binary_cross_entropy(torch.sigmoid(logits), target),
    )


def test_extreme_logits_are_finite_and_exact():
    z = torch.tensor([-1e4, -1e4, 1e4, 1e4, -50.0, 50.0], requires_grad=True)
    target = torch.tensor([0.0, 1.0, 0.0, 1.0, 1.0, 0.0])
    loss = binary_cross_entropy_with_logits(z, target, reduction="none")
    loss.sum().backward()
    assert torch.isfinite(loss).all() and torch.isfinite(z.grad).all()
    torch.testing.assert_close(loss, torch.tensor([0.0, 1e4, 1e4, 0.0, 50.0, 50.0]))
    torch.testing.assert_close(
        loss, F.binary_cross_entropy_with_logits(z.detach(), target, reduction="none")
    )
    # The naive route, sigmoid then log, loses it: sigmoid(1e4) rounds to exactly 1.
    naive = -torch.log(1 - torch.sigmoid(z.detach()[2]))
    assert torch.isinf(naive)


def test_probabilities_zero_and_one_are_clamped_like_torch():
    p = torch.tensor([0.0, 1.0, 0.0, 1.0])
    target = torch.tensor([0.0, 0.0, 1.0, 1.0])
    ours = binary_cross_entropy(p, target, reduction="none")
    torch.testing.assert_close(ours, F.binary_cross_entropy(p, target, reduction="none"))
    torch.testing.assert_close(ours, torch.tensor([0.0, 100.0, 100.0, 0.0]))


def test_lower_bce_means_label_more_likely():
    p = torch.linspace(0.01, 0.99, 50)
    ones = binary_cross_entropy(p, torch.ones(50), reduction="none")
    zeros = binary_cross_entropy(p, torch.zeros(50), reduction="none")
    assert (ones.diff() < 0).all()  # y = 1 becomes more likely as p grows: loss falls
    assert (zeros.diff() > 0).all()
    torch.testing.assert_close(ones, -torch.log(p))


@pytest.mark.parametrize("bad", [1.5, -0.1, float("nan")])
def test_probabilities_outside_unit_interval_raise(bad):
    p = torch.tensor([0.2, bad])
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*outside"):
        binary_cross_entropy(p, torch.tensor([0.0, 1.0]))


@pytest.mark.parametrize("fn", [binary_cross_entropy, binary_cross_entropy_with_logits])
def test_shape_mismatch_raises(fn):
    with pytest.raises(ValueError, match=r"same shape, got \(3, 1\) and \(3,\)"):
        fn(torch.full((3, 1), 0.5), torch.zeros(3))


@pytest.mark.parametrize("fn", [binary_cross_entropy, binary_cross_entropy_with_logits])
@pytest.mark.parametrize("bad_target", [0.5, 2.0, -1.0])
def test_targets_not_zero_one_raise(fn, bad_target):
    with pytest.raises(ValueError, match="only 0 and 1"):
        fn(torch.tensor([0.3, 0.6]), torch.tensor([1.0, bad_target]))


@pytest.mark.parametrize("fn", [binary_cross_entropy, binary_cross_entropy_with_logits])
def test_bad_reduction_and_dtype_raise(fn):
    with pytest.raises(ValueError, match="reduction"):
        fn(torch.tensor([0.3]), torch.tensor([1.0]), reduction="average")
    with pytest.raises(ValueError, match="floating-point"):
        fn(torch.tensor([1]), torch.tensor([1.0]))


def test_integer_targets_accepted():
    p = torch.tensor([0.3, 0.8])
    torch.testing.assert_close(
        binary_cross_entropy(p, torch.tensor([0, 1])),
        F.binary_cross_entropy(p, torch.tensor([0.0, 1.0])),
    )
