"""Curves along training (loss, accuracy per epoch) drawn on a matplotlib axes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.axes import Axes

from tutorial_lib.plotting import plot_training


def plot_curves(
    ax: Axes | None,
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
        ax: The axes to draw on (from ``fig, ax = plt.subplots()``), or None to draw on a
            new figure.
        curves: Label -> values, e.g. ``{"train loss": history.train_loss}``.
        xlabel: Label of the x axis.
        ylabel: Label of the y axis.
        log_y: Use a logarithmic y axis (for losses that fall over orders of magnitude).

    Returns:
        The axes drawn on (``ax``, or the new figure's axes), with a legend when there is
        more than one curve.

    Raises:
        TypeError: If ``ax`` is neither a matplotlib ``Axes`` nor None (a ``Figure`` is
            not an ``Axes``), or ``curves`` is not a mapping.
        ValueError: If ``curves`` is empty or a curve has no values.
    """
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(
            f"ax must be a matplotlib Axes (e.g. from fig, ax = plt.subplots()) or None, "
            f"got {type(ax).__name__}"
        )
    if not isinstance(curves, Mapping):
        raise TypeError(
            f"curves must map labels to values, e.g. {{'train loss': history.train_loss}}, "
            f"got {type(curves).__name__}"
        )
    fig = plot_training(curves, xlabel=xlabel, ylabel=ylabel, log_y=log_y, ax=ax)
    return ax if ax is not None else fig.axes[0]
