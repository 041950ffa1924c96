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


@pytest.mark.parametrize("labels", [torch.tensor([1, 0]), torch.tensor([0, 0])])
def test_accuracy_refuses_a_single_column_of_scores(labels):
    # Regression: the argmax of one column is always 0, so all-zero labels gave 1.0 and other
    # labels an error blaming y; the scores of LogisticRegression have this shape.
    with pytest.raises(ValueError, match=r"y_hat has a single column.*\(y_hat >= 0\)\.long\(\)"):
        accuracy(torch.tensor([[2.0], [-3.0]]), labels)


def test_evaluate_accuracy_refuses_a_model_with_one_output():
    X = torch.randn(6, 4, generator=torch.Generator().manual_seed(0))
    with pytest.raises(ValueError, match="single column"):
        evaluate_accuracy(nn.Linear(4, 1), X, torch.zeros(6, dtype=torch.int64))


def test_accuracy_names_zero_classes():
    # Regression: the check of y ran first and said "out of range for 0 classes".
    with pytest.raises(ValueError, match=r"^y_hat has zero classes"):
        accuracy(torch.zeros(2, 0), torch.tensor([0, 0]))


def test_accuracy_of_1d_probabilities_suggests_a_threshold():
    # Regression: the hint was y_hat.long(), which turns every probability below 1 into 0.
    with pytest.raises(ValueError, match=r"probabilities.*threshold.*\(y_hat >= 0\.5\)\.long\(\)"):
        accuracy(torch.tensor([0.2, 0.9]), torch.tensor([0, 1]))


def test_evaluate_accuracy_restores_the_mode_of_every_submodule():
    # Regression: a frozen BatchNorm (kept in eval mode inside a model in train mode) came
    # back in train mode.
    torch.manual_seed(2)
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.BatchNorm1d(8), nn.Linear(8, 3))
    net.train()
    net[2].eval()
    before = [module.training for module in net.modules()]
    assert before == [True, True, True, False, True]
    evaluate_accuracy(net, torch.randn(10, 4), torch.randint(0, 3, (10,)), batch_size=4)
    assert [module.training for module in net.modules()] == before
