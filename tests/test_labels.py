"""The one class-label contract, checked on every function of the library that takes labels.

Labels are 1-D torch.int64 tensors with values in [0, C). Every other dtype is refused with a
ValueError that names the dtype and the fix (``.long()``), as torch's one_hot refuses them.
"""

import pytest
import torch
import torch.nn.functional as F

from tutorial_lib.cross_entropy import cross_entropy
from tutorial_lib.labels import check_class_labels
from tutorial_lib.metrics import accuracy, evaluate_accuracy
from tutorial_lib.one_hot import one_hot

NUM_CLASSES = 3
SCORES = torch.tensor([[2.0, 0.0, 1.0], [0.0, 3.0, 1.0], [0.5, 0.0, 4.0]])

# Every function that takes class labels, called with ``labels`` (3 samples, 3 classes).
TAKES_LABELS = {
    "check_class_labels": lambda labels: check_class_labels(labels, NUM_CLASSES),
    "cross_entropy": lambda labels: cross_entropy(SCORES, labels),
    "one_hot": lambda labels: one_hot(labels, NUM_CLASSES),
    "accuracy(y_hat, y)": lambda labels: accuracy(SCORES, labels),
    "accuracy(labels, y)": lambda labels: accuracy(labels, torch.tensor([0, 1, 2])),
    "evaluate_accuracy": lambda labels: evaluate_accuracy(lambda X: X, SCORES, labels),
}
NOT_INT64 = [
    torch.uint8,
    torch.int8,
    torch.int16,
    torch.int32,
    torch.bool,
    torch.float16,
    torch.float32,
    torch.float64,
]


@pytest.mark.parametrize("dtype", NOT_INT64, ids=str)
@pytest.mark.parametrize("name", list(TAKES_LABELS))
def test_every_dtype_but_int64_is_refused_with_its_name_and_the_fix(name, dtype):
    labels = torch.tensor([1, 0, 1]).to(dtype)
    with pytest.raises(ValueError, match=rf"torch\.int64.*got dtype {dtype}.*\.long\(\)"):
        TAKES_LABELS[name](labels)


@pytest.mark.parametrize("name", list(TAKES_LABELS))
def test_int64_labels_are_taken(name):
    TAKES_LABELS[name](torch.tensor([0, 1, 2]))


def test_int64_results_match_torch():
    labels = torch.tensor([0, 2, 1])
    torch.testing.assert_close(cross_entropy(SCORES, labels), F.cross_entropy(SCORES, labels))
    torch.testing.assert_close(one_hot(labels, NUM_CLASSES), F.one_hot(labels, NUM_CLASSES))
    assert accuracy(SCORES, labels) == (SCORES.argmax(1) == labels).double().mean().item()


def test_torch_refuses_the_same_dtypes_in_one_hot():
    for dtype in NOT_INT64:
        with pytest.raises(RuntimeError, match="LongTensor"):
            F.one_hot(torch.tensor([1, 0, 1]).to(dtype), NUM_CLASSES)


def test_one_hot_of_uint8_labels_never_masks():
    # Regression: uint8 labels with as many samples as classes were taken as a boolean mask
    # by the indexing inside one_hot, and the result was silently wrong.
    labels = torch.tensor([1, 0, 1], dtype=torch.uint8)
    with pytest.raises(ValueError, match="torch.uint8"):
        one_hot(labels, 3)


@pytest.mark.parametrize("dtype", [torch.int8, torch.int16, torch.int32])
def test_small_integer_labels_in_cross_entropy_name_the_problem(dtype):
    # Regression: these reached torch's gather and failed with an error about its index.
    with pytest.raises(ValueError, match=f"got dtype {dtype}: convert it with target.long()"):
        cross_entropy(SCORES, torch.tensor([0, 1, 2], dtype=dtype))


BAD_LABELS = {
    "too-large": (torch.tensor([0, 3, 1]), r"class index 3, out of range for 3 classes"),
    "negative": (torch.tensor([0, -1, 1]), r"negative class index \(-1\)"),
    "2-D": (torch.tensor([[0], [1], [2]]), r"must be 1-D .* got shape \(3, 1\)"),
    "0-d": (torch.tensor(1), r"(1-D|shape).* got (shape )?\(\)"),
    "list": ([0, 1, 2], r"must be a torch.Tensor.*got list"),
}
# Predicted labels (accuracy's y_hat) have no number of classes to be out of range of, and a
# 2-D y_hat is a matrix of scores, not bad labels.
NOT_APPLICABLE = {("accuracy(labels, y)", "too-large"), ("accuracy(labels, y)", "2-D")}


@pytest.mark.parametrize(
    "name, case",
    [
        (name, case)
        for name in TAKES_LABELS
        for case in BAD_LABELS
        if (name, case) not in NOT_APPLICABLE
    ],
)
def test_bad_labels_are_refused_with_a_message(name, case):
    labels, message = BAD_LABELS[case]
    with pytest.raises(ValueError, match=message):
        TAKES_LABELS[name](labels)


def test_error_names_the_argument():
    with pytest.raises(ValueError, match=r"^y must hold integer class indices"):
        accuracy(SCORES, torch.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"^y_hat must hold integer class indices"):
        accuracy(torch.tensor([0, 1, 2], dtype=torch.int32), torch.tensor([0, 1, 2]))


def test_empty_labels_pass_the_check_and_metrics_refuse_an_empty_split():
    empty = torch.zeros(0, dtype=torch.int64)
    check_class_labels(empty, NUM_CLASSES)
    assert one_hot(empty, NUM_CLASSES).shape == (0, NUM_CLASSES)
    with pytest.raises(ValueError, match="empty"):
        accuracy(torch.zeros(0, NUM_CLASSES), empty)
    with pytest.raises(ValueError, match="empty"):
        evaluate_accuracy(lambda X: X, torch.zeros(0, NUM_CLASSES), empty)


@pytest.mark.parametrize("num_classes", [2.5, -2, 0, "3", True])
def test_num_classes_must_be_a_positive_integer(num_classes):
    # Regression: 2.5 let label 2 through, -2 gave "labels must be in [0, -3]" and "3" a raw
    # TypeError from the comparison.
    with pytest.raises(
        ValueError, match=rf"^num_classes must be a positive integer, got {num_classes!r}"
    ):
        check_class_labels(torch.tensor([0, 1, 2]), num_classes)
