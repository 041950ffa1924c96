import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

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
