"""Checks for class-label tensors: integer, one-dimensional, non-empty and in range."""

from __future__ import annotations

import torch


def check_class_labels(
    target: torch.Tensor, num_classes: int | None = None, name: str = "target"
) -> None:
    """Raise ValueError unless ``target`` is a valid 1-D tensor of class indices.

    Args:
        target: Tensor of class indices, shape ``(N,)``.
        num_classes: Number of classes C; when given, every label must lie in ``[0, C)``.
        name: How the tensor is called in error messages.

    Raises:
        ValueError: If ``target`` is not a tensor, not integer-typed, not 1-D, empty,
            holds a negative label or a label ``>= num_classes``.
    """
    if not isinstance(target, torch.Tensor):
        raise ValueError(
            f"{name} must be a torch.Tensor of class indices, got {type(target).__name__}"
        )
    if target.dtype == torch.bool or target.is_floating_point() or target.is_complex():
        raise ValueError(
            f"{name} must hold integer class indices (e.g. torch.int64), got dtype {target.dtype}"
        )
    if target.dim() != 1:
        raise ValueError(
            f"{name} must be 1-D (one class index per sample), got shape {tuple(target.shape)}"
        )
    if target.numel() == 0:
        raise ValueError(f"{name} is an empty batch: it needs at least one sample")
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
