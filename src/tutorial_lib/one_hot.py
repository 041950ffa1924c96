"""One-hot encoding of class indices."""

from __future__ import annotations

import torch

from tutorial_lib.labels import check_class_labels


def one_hot(
    target: torch.Tensor, num_classes: int, dtype: torch.dtype = torch.int64
) -> torch.Tensor:
    """Encode class indices as one-hot rows: row ``i`` has a 1 in column ``target[i]``.

    Same result as ``torch.nn.functional.one_hot(target, num_classes)``, with checked input:
    like torch, it takes only ``torch.int64`` labels (see
    `tutorial_lib.labels.check_class_labels`); an empty ``target`` gives shape ``(0, C)``.

    Args:
        target: Class indices, ``torch.int64`` tensor of shape ``(N,)``.
        num_classes: Number of classes C (columns of the result).
        dtype: dtype of the result (``torch.int64`` like torch; use a float dtype to
            multiply with probabilities without promotion).

    Returns:
        Tensor of shape ``(N, C)`` with a single 1 per row.

    Raises:
        ValueError: If ``num_classes`` is not a positive integer, ``dtype`` is not a
            ``torch.dtype`` (``None`` included), or ``target`` is not a 1-D ``torch.int64``
            tensor with labels in ``[0, num_classes)``.
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    if not isinstance(dtype, torch.dtype):
        raise ValueError(
            f"dtype must be a torch.dtype such as torch.int64 (the default) or torch.float32, "
            f"got {dtype!r}"
        )
    check_class_labels(target, num_classes)
    encoded = torch.zeros(target.shape[0], num_classes, dtype=dtype, device=target.device)
    encoded[torch.arange(target.shape[0], device=target.device), target] = 1
    return encoded
