"""Curves along training (loss, accuracy per epoch) drawn on a matplotlib axes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.axes import Axes

from tutorial_lib.plotting import plot_training


def plot_curves(
    ax: Axes,
    curves: Mapping[str, Sequence[float]],
    *,
    xlabel: str = "epoch",
    ylabel: str = "loss",
    log_y: bool = False,
) -> Axes:
    """Draw one labelled line per curve against its 1-based step (e.g. the epoch).

    Kept for pages written before [`plot_training`][tutorial_lib.plotting.plot_training],
    which draws the same curves (and returns the figure); new code should call that.

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
    plot_training(curves, xlabel=xlabel, ylabel=ylabel, log_y=log_y, ax=ax)
    return ax
