import pytest
import torch
import torch.nn.functional as F

from tutorial_lib.one_hot import one_hot


def test_matches_torch_on_random_labels():
    torch.manual_seed(0)
    target = torch.randint(0, 10, (100,))
    encoded = one_hot(target, 10)
    assert encoded.dtype == torch.int64
    torch.testing.assert_close(encoded, F.one_hot(target, 10))


def test_float_dtype_and_row_sums():
    target = torch.tensor([2, 0, 1, 2])
    encoded = one_hot(target, 3, dtype=torch.float32)
    assert encoded.dtype == torch.float32
    torch.testing.assert_close(encoded.sum(dim=1), torch.ones(4))
    torch.testing.assert_close(encoded.argmax(dim=1), target)


def test_picking_equals_masking():
    torch.manual_seed(1)
    y_hat = torch.softmax(torch.randn(7, 5), dim=1)
    y = torch.randint(0, 5, (7,))
    torch.testing.assert_close(y_hat[torch.arange(7), y], (y_hat * one_hot(y, 5)).sum(dim=1))


@pytest.mark.parametrize(
    "target, num_classes, message",
    [
        (torch.tensor([0, 3]), 3, "out of range"),
        (torch.tensor([0, -1]), 3, "negative"),
        (torch.tensor([0.0, 1.0]), 3, "integer"),
        (torch.tensor([True, False]), 3, "integer"),
        (torch.zeros(2, 2, dtype=torch.int64), 3, "1-D"),
        (torch.tensor([0, 1]), 0, "num_classes"),
        (torch.tensor([0, 1]), 2.0, "num_classes"),
    ],
)
def test_bad_input_raises(target, num_classes, message):
    with pytest.raises(ValueError, match=message):
        one_hot(target, num_classes)


@pytest.mark.parametrize("dtype", [None, "int64", 8])
def test_dtype_must_be_a_torch_dtype(dtype):
    # Regression: dtype=None silently gave float32, although the documented default is int64.
    with pytest.raises(ValueError, match=r"dtype must be a torch.dtype .*torch.int64"):
        one_hot(torch.tensor([0, 2]), 3, dtype=dtype)


@pytest.mark.parametrize("dtype", [torch.int64, torch.uint8, torch.bool, torch.float64])
def test_any_torch_dtype_is_taken(dtype):
    target = torch.tensor([0, 2, 1])
    torch.testing.assert_close(one_hot(target, 3, dtype=dtype), F.one_hot(target, 3).to(dtype))
