"""Checks for class-label tensors: int64, one-dimensional and in range."""

from __future__ import annotations

import torch


def check_class_labels(
    target: torch.Tensor, num_classes: int | None = None, name: str = "target"
) -> None:
    """Raise ValueError unless ``target`` is a 1-D ``torch.int64`` tensor of class indices.

    This is the one contract of every function of the library that takes class labels
    (`tutorial_lib.cross_entropy.cross_entropy`, `tutorial_lib.one_hot.one_hot`,
    `tutorial_lib.metrics.accuracy`, `tutorial_lib.metrics.evaluate_accuracy`). Labels must
    be ``torch.int64`` ("Long"), the only dtype that `torch.nn.functional.one_hot` takes
    (`torch.nn.functional.cross_entropy` takes ``uint8`` too; one contract for all is
    simpler). Other dtypes are refused, not converted: ``uint8`` and ``bool`` tensors used
    as an index select by mask rather than by position, smaller integer types fail inside
    torch's ``gather`` with a message about its index, and a float label such as 2.7 has no
    class. The message names the dtype and the fix, ``target.long()``. An empty tensor (no
    samples) passes.

    Args:
        target: Tensor of class indices, shape ``(N,)``.
        num_classes: Number of classes C; when given, every label must lie in ``[0, C)``.
        name: How the tensor is called in error messages.

    Raises:
        ValueError: If ``num_classes`` is given but not a positive integer, ``target`` is
            not a tensor, its dtype is not ``torch.int64``, it is not 1-D, or it holds a
            negative label or a label ``>= num_classes``.
    """
    if num_classes is not None and (
        isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1
    ):
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    if not isinstance(target, torch.Tensor):
        raise ValueError(
            f"{name} must be a torch.Tensor of class indices, got {type(target).__name__}"
        )
    if target.dtype != torch.int64:
        if target.dtype == torch.bool:
            fix = f"convert it with {name}.long() (False -> 0, True -> 1)"
        elif target.is_floating_point() or target.is_complex():
            fix = f"if it holds whole numbers, convert it with {name}.long() (2.7 would become 2)"
        else:
            fix = f"convert it with {name}.long()"
        raise ValueError(
            f"{name} must hold integer class indices as torch.int64 (long), "
            f"got dtype {target.dtype}: {fix}"
        )
    if target.dim() != 1:
        raise ValueError(
            f"{name} must be 1-D (one class index per sample), got shape {tuple(target.shape)}"
        )
    if target.numel() == 0:
        return
    smallest = int(target.min())
    if smallest < 0:
        raise ValueError(f"{name} holds a negative class index ({smallest}); labels must be >= 0")
    if num_classes is not None:
        largest = int(target.max())
        if largest >= num_classes:
            raise ValueError(
                f"{name} holds class index {largest}, out of range for {num_classes} classes "
                f"(labels must be in [0, {num_classes - 1}])"
            )
