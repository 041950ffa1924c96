import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from tutorial_lib.curves import plot_curves  # noqa: E402


def test_plot_curves_draws_each_curve_against_its_epoch():
    fig, ax = plt.subplots()
    try:
        plot_curves(ax, {"sum": [3.0, 2.0, 1.5], "mean": [3.0, 2.5]}, log_y=True)
        lines = ax.get_lines()
        assert [line.get_label() for line in lines] == ["sum", "mean"]
        assert list(lines[0].get_xdata()) == [1, 2, 3]
        assert list(lines[0].get_ydata()) == [3.0, 2.0, 1.5]
        assert list(lines[1].get_ydata()) == [3.0, 2.5]
        assert ax.get_yscale() == "log"
        assert ax.get_legend() is not None
        assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"
    finally:
        plt.close(fig)


def test_plot_curves_rejects_empty():
    fig, ax = plt.subplots()
    try:
        with pytest.raises(ValueError, match="at least one"):
            plot_curves(ax, {})
        with pytest.raises(ValueError, match="'loss' has no values"):
            plot_curves(ax, {"loss": []})
    finally:
        plt.close(fig)


def test_plot_curves_without_axes_returns_the_axes_it_drew_on():
    # Regression: it drew on a new figure and returned None.
    ax = plot_curves(None, {"loss": [2.0, 1.0]})
    try:
        assert isinstance(ax, Axes)
        assert [list(line.get_ydata()) for line in ax.get_lines()] == [[2.0, 1.0]]
    finally:
        plt.close(ax.figure)


def test_plot_curves_bad_arguments_are_type_errors():
    # Regression: AttributeErrors from deep inside matplotlib.
    fig, ax = plt.subplots()
    try:
        with pytest.raises(TypeError, match=r"ax must be a matplotlib Axes .* got Figure"):
            plot_curves(fig, {"loss": [2.0, 1.0]})
        with pytest.raises(TypeError, match=r"curves must map labels to values.* got list"):
            plot_curves(ax, [[2.0, 1.0]])
    finally:
        plt.close(fig)
