"""Curves along training (loss, accuracy per epoch) drawn on a matplotlib axes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.axes import Axes


def plot_curves(
    ax: Axes,
    curves: Mapping[str, Sequence[float]],
    *,
    xlabel: str = "epoch",
    ylabel: str = "loss",
    log_y: bool = False,
) -> Axes:
    """Draw one labelled line per curve against its 1-based step (e.g. the epoch).

    Args:
        ax: The axes to draw on (from ``fig, ax = plt.subplots()``).
        curves: Label -> values, e.g. ``{"train loss": history.train_loss}``.
        xlabel: Label of the x axis.
        ylabel: Label of the y axis.
        log_y: Use a logarithmic y axis (for losses that fall over orders of magnitude).

    Returns:
        ``ax``, with a legend when there is more than one curve.

    Raises:
        ValueError: If ``curves`` is empty or a curve has no values.
    """
    if not curves:
        raise ValueError("plot_curves needs at least one curve")
    for label, values in curves.items():
        values = [float(v) for v in values]
        if not values:
            raise ValueError(f"curve {label!r} has no values")
        ax.plot(range(1, len(values) + 1), values, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if log_y:
        ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    if len(curves) > 1:
        ax.legend()
    return ax
