import functools

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tutorial_lib.binary_cross_entropy import binary_cross_entropy
from tutorial_lib.logistic import LogisticRegression, sigmoid
from tutorial_lib.training import History, fit


def separable():
    X = torch.tensor([[-2.0], [-1.5], [-1.0], [-0.5], [0.5], [1.0], [1.5], [2.0]])
    y = (X > 0).float()
    return X, y


def accuracy(y_hat, y):
    return ((y_hat > 0).float() == y).float().mean().item()


def make_model(seed=0):
    torch.manual_seed(seed)
    return nn.Linear(1, 1)


def test_loss_falls_on_separable_data_and_metric_recorded():
    X, y = separable()
    model = make_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    history = fit(
        model,
        nn.BCEWithLogitsLoss(),
        opt,
        X,
        y,
        num_epochs=30,
        batch_size=3,
        metric=accuracy,
        test_data=(X, y),
    )
    assert isinstance(history, History)
    assert history.num_epochs == 30
    assert len(history.train_metric) == len(history.test_metric) == 30
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]
    assert history.test_metric[-1] == 1.0
    with torch.no_grad():
        assert history.test_metric[-1] == accuracy(model(X), y)


def test_deterministic_with_seed_and_seed_matters():
    X, y = separable()

    def run(seed):
        model = make_model()
        opt = torch.optim.SGD(model.parameters(), lr=0.3)
        history = fit(
            model, nn.BCEWithLogitsLoss(), opt, X, y, num_epochs=5, batch_size=3, seed=seed
        )
        return history, torch.cat([p.detach().flatten() for p in model.parameters()])

    h1, p1 = run(7)
    h2, p2 = run(7)
    assert h1 == h2
    torch.testing.assert_close(p1, p2, rtol=0, atol=0)
    _, p3 = run(8)
    assert not torch.equal(p1, p3)


class Recorder(nn.Module):
    """Linear model that records which samples (id in column 0) it saw, and in which mode."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)
        self.seen = []
        self.modes = []

    def forward(self, X):
        self.seen.append(X[:, 0].long().tolist())
        self.modes.append((self.training, torch.is_grad_enabled()))
        return self.linear(X[:, 1:])  # column 0 is the id, only column 1 is a feature

    def train_seen(self):
        return [s for s, (training, _) in zip(self.seen, self.modes, strict=True) if training]


def test_every_sample_once_per_epoch_reshuffled_each_epoch():
    n, batch_size, num_epochs = 11, 4, 4
    X = torch.stack([torch.arange(n, dtype=torch.float32), torch.linspace(-1, 1, n)], dim=1)
    y = (X[:, 1:] > 0).float()
    model = Recorder()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    fit(model, nn.BCEWithLogitsLoss(), opt, X, y, num_epochs=num_epochs, batch_size=batch_size)
    batches = model.train_seen()
    per_epoch = -(-n // batch_size)
    assert len(batches) == per_epoch * num_epochs
    orders = []
    for e in range(num_epochs):
        order = sum(batches[e * per_epoch : (e + 1) * per_epoch], [])
        assert sorted(order) == list(range(n))
        orders.append(order)
    assert len({tuple(o) for o in orders}) == num_epochs  # a new order every epoch


def test_test_metric_in_eval_mode_without_grad():
    n = 6
    X = torch.stack([torch.arange(n, dtype=torch.float32), torch.linspace(-1, 1, n)], dim=1)
    y = (X[:, 1:] > 0).float()
    model = Recorder()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    fit(
        model,
        nn.BCEWithLogitsLoss(),
        opt,
        X,
        y,
        num_epochs=2,
        batch_size=6,
        metric=accuracy,
        test_data=(X, y),
    )
    assert model.modes == [(True, True), (False, False), (True, True), (False, False)]
    assert model.training  # back in train mode afterwards


@pytest.mark.parametrize(
    "loss_fn",
    [
        nn.BCEWithLogitsLoss(reduction="sum"),
        nn.BCEWithLogitsLoss(reduction="mean"),
        functools.partial(F.binary_cross_entropy_with_logits, reduction="sum"),
        F.binary_cross_entropy_with_logits,
    ],
)
def test_train_loss_is_mean_per_sample(loss_fn):
    X, y = separable()
    model = make_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.0)  # parameters stay put
    history = fit(model, loss_fn, opt, X, y, num_epochs=2, batch_size=3)
    with torch.no_grad():
        expected = F.binary_cross_entropy_with_logits(model(X), y).item()
    assert history.train_loss == pytest.approx([expected, expected], rel=1e-6)


def test_full_batch_epoch_equals_one_manual_sgd_step():
    X, y = separable()
    model, reference = make_model(), make_model()
    fit(
        model,
        nn.BCEWithLogitsLoss(),
        torch.optim.SGD(model.parameters(), lr=0.1),
        X,
        y,
        num_epochs=1,
        batch_size=len(X),
    )
    loss = F.binary_cross_entropy_with_logits(reference(X), y)
    loss.backward()
    with torch.no_grad():
        for p in reference.parameters():
            p -= 0.1 * p.grad
    torch.testing.assert_close(model.weight, reference.weight)
    torch.testing.assert_close(model.bias, reference.bias)


def test_bad_arguments():
    X, y = separable()
    model = make_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = nn.BCEWithLogitsLoss()
    with pytest.raises(ValueError, match="num_epochs"):
        fit(model, loss, opt, X, y, num_epochs=0, batch_size=2)
    with pytest.raises(ValueError, match="batch_size"):
        fit(model, loss, opt, X, y, num_epochs=1, batch_size=0)
    with pytest.raises(ValueError, match="same number of samples"):
        fit(model, loss, opt, X, y[:-1], num_epochs=1, batch_size=2)
    with pytest.raises(ValueError, match="reduction='none'"):
        fit(model, nn.BCEWithLogitsLoss(reduction="none"), opt, X, y, num_epochs=1, batch_size=2)
    with pytest.raises(ValueError, match="scalar"):
        fit(model, lambda y_hat, y: (y_hat - y) ** 2, opt, X, y, num_epochs=1, batch_size=2)
    with pytest.raises(ValueError, match="metric"):
        fit(model, loss, opt, X, y, num_epochs=1, batch_size=2, test_data=(X, y))
    with pytest.raises(ValueError, match="test_data"):
        fit(
            model,
            loss,
            opt,
            X,
            y,
            num_epochs=1,
            batch_size=2,
            metric=accuracy,
            test_data=(X, y[:-1]),
        )


def zero_initialised_model():
    model = LogisticRegression(1)
    with torch.no_grad():
        model.linear.weight.zero_()
        model.linear.bias.zero_()
    return model


def test_zero_initialised_model_learns_with_the_librarys_sigmoid_and_bce():
    # Regression: the old sigmoid had gradient 0 at 0, so a model starting at zero never moved.
    X, y = separable()
    model, reference = zero_initialised_model(), zero_initialised_model()
    history = fit(
        model,
        lambda logits, y: binary_cross_entropy(sigmoid(logits), y),
        torch.optim.SGD(model.parameters(), lr=0.5),
        X,
        y,
        num_epochs=10,
        batch_size=3,
    )
    fit(
        reference,
        lambda logits, y: F.binary_cross_entropy(torch.sigmoid(logits), y),
        torch.optim.SGD(reference.parameters(), lr=0.5),
        X,
        y,
        num_epochs=10,
        batch_size=3,
    )
    assert model.linear.weight.item() > 1.0  # y = 1 exactly where X > 0
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]
    torch.testing.assert_close(model.linear.weight, reference.linear.weight)
    torch.testing.assert_close(model.linear.bias, reference.linear.bias)


def test_predict_proba_and_bce_on_separable_float32_data_stay_finite():
    # Regression: in float32 sigmoid(z) is exactly 1 for z >= 17; the old BCE's gradient
    # there was NaN, and the weights turned NaN after a few steps.
    X = torch.linspace(-3, 3, 20).unsqueeze(1)
    y = (X > 0).float()
    torch.manual_seed(0)
    model = LogisticRegression(1)
    reference = LogisticRegression(1)
    reference.load_state_dict(model.state_dict())
    optimizer = torch.optim.SGD(model.parameters(), lr=10.0)
    ref_optimizer = torch.optim.SGD(reference.parameters(), lr=10.0)
    saturated = 0
    for _ in range(100):
        p = model.predict_proba(X)
        saturated += int(((p == 0) | (p == 1)).sum())
        optimizer.zero_grad()
        binary_cross_entropy(p, y).backward()
        optimizer.step()
        ref_optimizer.zero_grad()
        F.binary_cross_entropy(torch.sigmoid(reference(X)), y).backward()
        ref_optimizer.step()
    assert saturated > 100  # probabilities of exactly 0 or 1 did occur
    parameters = torch.cat([p.detach().flatten() for p in model.parameters()])
    assert torch.isfinite(parameters).all()
    assert (model.predict(X) == y).all()
    torch.testing.assert_close(model.linear.weight, reference.linear.weight)
    torch.testing.assert_close(model.linear.bias, reference.linear.bias)


def test_non_tensors_raise_a_type_error_naming_the_argument():
    # Regression: AttributeError: 'list' object has no attribute 'dim'.
    X, y = separable()
    model = make_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = nn.BCEWithLogitsLoss()
    cases = [
        (X.tolist(), y, None, "X"),
        (X, None, None, "y"),
        (X, y, (X.tolist(), y), r"test_data\[0\]"),
        (X, y, (X, y.tolist()), r"test_data\[1\]"),
    ]
    for X_arg, y_arg, test_data, name in cases:
        with pytest.raises(TypeError, match=rf"^{name} must be a torch.Tensor, got"):
            fit(
                model,
                loss,
                opt,
                X_arg,
                y_arg,
                num_epochs=1,
                batch_size=2,
                metric=accuracy,
                test_data=test_data,
            )
