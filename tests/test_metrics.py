import pytest
import torch
from torch import nn

from tutorial_lib.metrics import accuracy, evaluate_accuracy


def test_accuracy_from_scores_and_from_labels():
    y_hat = torch.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    y = torch.tensor([1, 0, 0, 0])
    assert accuracy(y_hat, y) == pytest.approx(0.75)
    assert accuracy(torch.tensor([1, 0, 1, 0]), y) == pytest.approx(0.75)
    assert isinstance(accuracy(y_hat, y), float)


def test_accuracy_matches_a_torch_reference_on_random_input():
    torch.manual_seed(0)
    y_hat = torch.randn(500, 10)
    y = torch.randint(0, 10, (500,))
    expected = (y_hat.argmax(dim=1) == y).float().mean().item()
    assert accuracy(y_hat, y) == pytest.approx(expected)


def test_evaluate_accuracy_matches_whole_batch_and_restores_mode():
    torch.manual_seed(1)
    net = nn.Sequential(nn.Linear(4, 3), nn.Dropout(0.5))
    X = torch.randn(103, 4)
    y = torch.randint(0, 3, (103,))
    net.train()
    result = evaluate_accuracy(net, X, y, batch_size=10)
    assert net.training
    net.eval()
    with torch.no_grad():
        expected = accuracy(net(X), y)
    assert result == pytest.approx(expected)


def test_evaluate_accuracy_takes_plain_functions():
    W = torch.eye(3)
    X = torch.eye(3)[torch.tensor([0, 1, 2, 2])]
    y = torch.tensor([0, 1, 2, 1])
    assert evaluate_accuracy(lambda X: X @ W, X, y, batch_size=3) == pytest.approx(0.75)


@pytest.mark.parametrize(
    "y_hat, y, message",
    [
        (torch.zeros(2, 3), torch.tensor([0, 3]), "out of range"),
        (torch.zeros(2, 3), torch.tensor([0, -1]), "negative"),
        (torch.zeros(2, 3), torch.tensor([0.0, 1.0]), "integer"),
        (torch.zeros(3, 3), torch.tensor([0, 1]), "do not match"),
        (torch.zeros(0, 3), torch.zeros(0, dtype=torch.int64), "empty"),
        (torch.zeros(2, 3, 4), torch.tensor([0, 1]), "shape"),
        (torch.tensor([0.5, 1.0]), torch.tensor([0, 1]), "integer"),
    ],
)
def test_accuracy_bad_input_raises(y_hat, y, message):
    with pytest.raises(ValueError, match=message):
        accuracy(y_hat, y)


@pytest.mark.parametrize(
    "X, y, batch_size, message",
    [
        (torch.zeros(3, 2), torch.tensor([0, 1]), 2, "do not match"),
        (torch.zeros(0, 2), torch.zeros(0, dtype=torch.int64), 2, "empty"),
        (torch.zeros(2, 2), torch.tensor([0, 1]), 0, "batch_size"),
        (torch.zeros(2, 2), torch.tensor([0, 2]), 2, "out of range"),
    ],
)
def test_evaluate_accuracy_bad_input_raises(X, y, batch_size, message):
    with pytest.raises(ValueError, match=message):
        evaluate_accuracy(lambda X: X, X, y, batch_size=batch_size)
