import pytest
import torch

from tutorial_lib.batches import iterate_batches


def make_data(n=23):
    X = torch.arange(n, dtype=torch.float32).unsqueeze(1)  # the value is the sample's id
    y = 10 * torch.arange(n)
    return X, y


def ids(batches):
    return torch.cat([X_batch[:, 0] for X_batch, _ in batches]).long()


def test_every_sample_once_and_pairs_kept():
    X, y = make_data()
    batches = list(iterate_batches(X, y, 5, generator=torch.Generator().manual_seed(1)))
    assert [len(X_b) for X_b, _ in batches] == [5, 5, 5, 5, 3]
    for X_b, y_b in batches:
        torch.testing.assert_close(y_b, 10 * X_b[:, 0].long())
    seen = ids(batches)
    assert sorted(seen.tolist()) == list(range(23))
    assert seen.tolist() != list(range(23))  # shuffled


def test_no_shuffle_keeps_order():
    X, y = make_data()
    assert ids(iterate_batches(X, y, 4, shuffle=False)).tolist() == list(range(23))


def test_reshuffles_on_every_call_and_is_reproducible():
    X, y = make_data(50)
    gen = torch.Generator().manual_seed(3)
    first, second = (
        ids(iterate_batches(X, y, 7, generator=gen)),
        ids(iterate_batches(X, y, 7, generator=gen)),
    )
    assert first.tolist() != second.tolist()
    gen_again = torch.Generator().manual_seed(3)
    assert ids(iterate_batches(X, y, 7, generator=gen_again)).tolist() == first.tolist()
    assert ids(iterate_batches(X, y, 7, generator=gen_again)).tolist() == second.tolist()


def test_batch_larger_than_data():
    X, y = make_data(3)
    batches = list(iterate_batches(X, y, 10, shuffle=False))
    assert len(batches) == 1
    torch.testing.assert_close(batches[0][0], X)


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True])
def test_bad_batch_size(batch_size):
    X, y = make_data()
    with pytest.raises(ValueError, match="batch_size"):
        iterate_batches(X, y, batch_size)


def test_mismatched_lengths_raise_eagerly():
    X, _ = make_data(5)
    with pytest.raises(ValueError, match="same number of samples, got 5 and 4"):
        iterate_batches(X, torch.zeros(4), 2)
    with pytest.raises(ValueError, match="0-d"):
        iterate_batches(torch.tensor(1.0), torch.tensor(1.0), 1)


@pytest.mark.parametrize("shuffle", [True, False])
def test_batches_are_copies_not_views(shuffle):
    X, y = make_data(6)
    X_before, y_before = X.clone(), y.clone()
    for X_batch, y_batch in iterate_batches(X, y, 4, shuffle=shuffle):
        assert X_batch.untyped_storage().data_ptr() != X.untyped_storage().data_ptr()
        assert y_batch.untyped_storage().data_ptr() != y.untyped_storage().data_ptr()
        X_batch += 100
        y_batch += 100
    torch.testing.assert_close(X, X_before, rtol=0, atol=0)
    torch.testing.assert_close(y, y_before, rtol=0, atol=0)


def test_docstring_says_copies():
    doc = iterate_batches.__doc__
    assert "copy" in doc and "not a view" in doc


@pytest.mark.parametrize(
    "X, y, name",
    [([[0.0], [1.0]], torch.tensor([0, 1]), "X"), (torch.zeros(2, 1), None, "y")],
)
def test_non_tensors_raise_a_type_error_naming_the_argument(X, y, name):
    # Regression: AttributeError: 'list' object has no attribute 'dim'.
    with pytest.raises(TypeError, match=rf"^{name} must be a torch.Tensor, got"):
        iterate_batches(X, y, 2)
