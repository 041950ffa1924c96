"""Figures: the dark restyle makes text and frames light, keeps data colours and images."""

from __future__ import annotations

import base64
import io
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.colors import to_rgba
from PIL import Image

from tutorial_lib import plotting


def lightness(color) -> float:
    r, g, b, _ = to_rgba(color)
    return 0.299 * r + 0.587 * g + 0.114 * b


def sample_figure():
    """A typical page figure: title, labels, a coloured curve, a black line, grid, legend."""
    fig, ax = plt.subplots(figsize=(4, 3))
    x = np.linspace(-6, 6, 50)
    ax.plot(x, 1 / (1 + np.exp(-x)), color="tab:blue", label="sigmoid")
    ax.axhline(0.5, color="black", linestyle="--", label="0.5")
    ax.scatter([0.0, 1.0], [0.2, 0.8], c="tab:orange", edgecolors="k")
    ax.set_title("The logistic function")
    ax.set_xlabel("x")
    ax.set_ylabel("probability")
    ax.grid(True)
    ax.legend()
    return fig, ax


@pytest.fixture(autouse=True)
def _close_all():
    yield
    plt.close("all")


def test_restyle_dark_makes_text_ticks_spines_and_legend_light():
    fig, ax = sample_figure()
    assert lightness(ax.title.get_color()) < 0.3  # drawn dark on a light page
    plotting.restyle_dark(fig)

    texts = [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.get_xticklabels(), *ax.get_yticklabels()]
    texts += ax.get_legend().get_texts()
    for text in texts:
        assert lightness(text.get_color()) > 0.7, text
    for spine in ax.spines.values():
        assert lightness(spine.get_edgecolor()) > 0.7
    for tick in ax.xaxis.get_major_ticks() + ax.yaxis.get_major_ticks():
        assert lightness(tick.tick1line.get_markeredgecolor()) > 0.7
    # Backgrounds become transparent, the legend frame dark, the grid a dim grey.
    assert to_rgba(fig.patch.get_facecolor())[3] == 0
    assert to_rgba(ax.patch.get_facecolor())[3] == 0
    assert lightness(ax.get_legend().get_frame().get_facecolor()) < 0.3
    for line in ax.get_xgridlines():
        assert 0.2 < lightness(line.get_color()) < 0.5


def test_restyle_dark_keeps_data_colours_and_lightens_black_data():
    fig, ax = sample_figure()
    curve, black_line = ax.get_lines()[:2]
    scatter = ax.collections[0]
    plotting.restyle_dark(fig)
    assert to_rgba(curve.get_color()) == to_rgba("tab:blue")
    assert np.allclose(scatter.get_facecolor()[0], to_rgba("tab:orange"))
    assert lightness(scatter.get_edgecolor()[0]) > 0.7
    assert lightness(black_line.get_color()) > 0.7


def test_restyle_dark_leaves_images_alone():
    fig, ax = plt.subplots()
    pixels = np.arange(16.0).reshape(4, 4)
    image = ax.imshow(pixels, cmap="gray")
    ax.set_title("a sample")
    count = ax.text(0, 0, "15", color="black")  # drawn on a light cell of the image
    cmap_before = image.get_cmap().name
    plotting.restyle_dark(fig)
    assert image.get_cmap().name == cmap_before
    np.testing.assert_array_equal(image.get_array(), pixels)
    assert lightness(ax.title.get_color()) > 0.7
    assert to_rgba(count.get_color()) == to_rgba("black")


def test_dark_grey_maps_greys_and_keeps_colours():
    assert lightness(plotting.dark_grey("black")) > 0.85
    assert lightness(plotting.dark_grey("white")) < 0.2
    assert plotting.dark_grey("tab:red") == to_rgba("tab:red")
    assert plotting.dark_grey((0, 0, 0, 0.4))[3] == 0.4


def _decode(img_tag: str) -> Image.Image:
    data = re.search(r'src="data:image/png;base64,([^"]+)"', img_tag).group(1)
    return Image.open(io.BytesIO(base64.b64decode(data)))


def test_show_figure_emits_light_render_unchanged_and_a_dark_render(monkeypatch):
    shown = []
    monkeypatch.setattr(plotting, "in_notebook", lambda: True)
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))

    fig, _ = sample_figure()
    expected_light = plotting.figure_png(fig)
    plotting.show_figure(fig, alt='Sigmoid "curve" & the 0.5 line')

    assert len(shown) == 1
    markup = shown[0].data
    tags = re.findall(r"<img [^>]*>", markup)
    assert [re.search(r'class="([^"]+)"', t).group(1) for t in tags] == [
        "tl-figure-light",
        "tl-figure-dark",
    ]
    for tag in tags:
        assert 'alt="Sigmoid &quot;curve&quot; &amp; the 0.5 line"' in tag
    light_png = base64.b64decode(re.search(r"base64,([^\"]+)", tags[0]).group(1))
    assert light_png == expected_light
    # The dark render has a transparent background and light pixels (text, frame).
    dark = np.asarray(_decode(tags[1]).convert("RGBA"))
    assert dark[0, 0, 3] == 0
    opaque = dark[dark[..., 3] > 200][:, :3]
    assert (opaque.min(axis=1) > 200).sum() > 100
    assert not plt.fignum_exists(fig.number)


def test_show_figure_requires_alt_text_and_still_closes_the_figure():
    for alt in ("", "   "):
        fig, _ = plt.subplots()
        with pytest.raises(ValueError, match="alt text"):
            plotting.show_figure(fig, alt=alt)
        assert not plt.fignum_exists(fig.number)


def test_show_figure_as_a_script_only_closes(capsys):
    fig, _ = sample_figure()
    plotting.show_figure(fig, alt="a figure")
    assert not plt.fignum_exists(fig.number)
    assert capsys.readouterr().out == ""


# --- The drawing helpers ----------------------------------------------------------------------


def test_plot_functions_draws_each_curve_with_its_data_and_composes_alt():
    z = torch.linspace(-8, 8, 101)
    s = torch.sigmoid(z)
    fig = plotting.plot_functions(
        z,
        {"sigmoid(z)": s, "its derivative": s * (1 - s)},
        xlabel="z",
        ylabel="value",
        title="The sigmoid",
        hlines=[0.5],
        points={"σ(2)": (2.0, 0.88)},
    )
    ax = fig.axes[0]
    curves = [
        line for line in ax.get_lines() if line.get_label() in ("sigmoid(z)", "its derivative")
    ]
    assert [c.get_label() for c in curves] == ["sigmoid(z)", "its derivative"]
    np.testing.assert_allclose(curves[0].get_xdata(), z.numpy())
    np.testing.assert_allclose(curves[0].get_ydata(), s.numpy())
    np.testing.assert_allclose(curves[1].get_ydata(), (s * (1 - s)).numpy())
    assert curves[0].get_linestyle() != curves[1].get_linestyle()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "sigmoid(z)",
        "its derivative",
        "σ(2)",
    ]
    assert ax.get_xlabel() == "z" and ax.get_ylabel() == "value"
    assert ax.get_title() == "The sigmoid"
    assert any(list(line.get_ydata()) == [0.5, 0.5] for line in ax.get_lines())
    alt = plotting.alt_text(fig)
    assert alt.startswith("The sigmoid: line plot of sigmoid(z) and its derivative against z")
    assert "from -8 to 8" in alt and "y = 0.5" in alt and "σ(2) at (2, 0.88)" in alt


def test_plot_functions_log_scale_limits_and_a_single_curve_without_legend():
    x = [1.0, 2.0, 3.0]
    fig = plotting.plot_functions(x, {"f": [1.0, 10.0, 100.0]}, log_y=True, ylim=(0.5, 200))
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert ax.get_ylim() == pytest.approx((0.5, 200))
    assert ax.get_legend() is None
    assert "logarithmic" in plotting.alt_text(fig)


@pytest.mark.parametrize(
    ("x", "curves", "message"),
    [
        ([1.0, 2.0], {}, "at least one curve"),
        ([1.0, 2.0], {"f": [1.0]}, "curve 'f' has 1 values but x has 2"),
        ([1.0, 2.0], {"f": [1.0, float("nan")]}, "curve 'f' holds NaN"),
        ([[1.0, 2.0], [3.0, 4.0]], {"f": [1.0, 2.0]}, "x must be 1-D"),
        ([1.0, 2.0], {"f": ["a", "b"]}, "curve 'f' must be numbers"),
    ],
)
def test_plot_functions_rejects_bad_input(x, curves, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        plotting.plot_functions(x, curves)


def test_helpers_draw_into_a_given_panel_and_alt_text_names_each_panel():
    fig, (top, bottom) = plotting.make_panels(2)
    assert fig.get_size_inches()[0] == pytest.approx(plotting.FIGURE_WIDTH)
    returned = plotting.plot_functions([0.0, 1.0], {"loss": [1.0, 0.0]}, ax=top)
    assert returned is fig
    assert plotting.plot_training({"acc": [0.5, 0.9]}, ylabel="accuracy", ax=bottom) is fig
    assert len(top.get_lines()) == 1 and len(bottom.get_lines()) == 1
    assert len(plt.get_fignums()) == 1  # no extra figure was made
    alt = plotting.alt_text(fig)
    assert alt.startswith("Panel 1: Line plot of loss")
    assert "Panel 2: Training curves of accuracy over 2 epochs: acc from 0.5 to 0.9" in alt


def test_make_panels_rejects_more_than_two_columns():
    with pytest.raises(ValueError, match="ncols must be 1 or 2"):
        plotting.make_panels(1, 3)
    with pytest.raises(ValueError, match="nrows must be at least 1"):
        plotting.make_panels(0)


def test_passed_alt_wins_over_the_composed_one():
    fig = plotting.plot_functions([0.0, 1.0], {"f": [0.0, 1.0]}, alt="A rising line.")
    assert plotting.alt_text(fig) == "A rising line."


def test_plot_probability_curve_draws_data_curve_threshold_and_boundary():
    x = torch.tensor([[1.0], [2.0], [3.0], [4.0]])
    y = torch.tensor([[0.0], [0.0], [1.0], [1.0]])
    grid = torch.linspace(0, 5, 50)
    probs = torch.sigmoid(2 * (grid - 2.5))
    fig = plotting.plot_probability_curve(
        x, y, grid, probs, boundary=2.5, points={"p(4 h)": (4.0, 0.95)}, xlabel="hours"
    )
    ax = fig.axes[0]
    curve = ax.get_lines()[0]
    np.testing.assert_allclose(curve.get_xdata(), grid.numpy())
    np.testing.assert_allclose(curve.get_ydata(), probs.numpy())
    ys = [tuple(line.get_ydata()) for line in ax.get_lines()]
    assert (0.5, 0.5) in ys  # the threshold
    xs = [tuple(line.get_xdata()) for line in ax.get_lines()]
    assert (2.5, 2.5) in xs  # the boundary
    data = ax.collections[0].get_offsets()
    np.testing.assert_allclose(data, [[1, 0], [2, 0], [3, 1], [4, 1]])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "boundary 2.50" in labels and "p(4 h)" in labels
    alt = plotting.alt_text(fig)
    assert "against hours from 0 to 5" in alt
    assert "4 data points at 0 and 1 (2 at 1)" in alt
    assert "decision boundary is at hours = 2.50" in alt
    assert "p(4 h) = 0.95 at 4" in alt


@pytest.mark.parametrize(
    ("y", "probs", "message"),
    [
        ([0.0, 2.0], [0.1, 0.9], "labels 0 or 1"),
        ([0.0, 1.0], [-1.0, 3.0], "probs must lie in [0, 1]"),
        ([0.0], [0.1, 0.9], "x has 2 values but y has 1"),
    ],
)
def test_plot_probability_curve_rejects_bad_input(y, probs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        plotting.plot_probability_curve([1.0, 2.0], y, [0.0, 3.0], probs)


def test_plot_training_plots_each_curve_against_its_epoch():
    fig = plotting.plot_training(
        {"train loss": [0.9, 0.6, 0.5], "test acc": torch.tensor([0.7, 0.8, 0.82])},
        ylabel="loss / accuracy",
        title="Fashion-MNIST",
        ylim=(0.3, 1.0),
    )
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["train loss", "test acc"]
    assert list(lines[0].get_xdata()) == [1, 2, 3]
    np.testing.assert_allclose(lines[1].get_ydata(), [0.7, 0.8, 0.82], rtol=1e-6)
    assert ax.get_title() == "Fashion-MNIST"
    assert ax.get_ylim() == pytest.approx((0.3, 1.0))
    alt = plotting.alt_text(fig)
    assert "over 3 epochs" in alt
    assert "train loss from 0.9 to 0.5" in alt and "test acc from 0.7 to 0.82" in alt


def test_plot_training_rejects_empty_curves():
    with pytest.raises(ValueError, match="at least one curve"):
        plotting.plot_training({})
    with pytest.raises(ValueError, match="curve 'loss' has no values"):
        plotting.plot_training({"loss": []})


def test_show_images_titles_marks_mistakes_and_labels_rows():
    images = torch.arange(6 * 4 * 5, dtype=torch.uint8).reshape(6, 1, 4, 5)
    titles = [f"true {i}\npred {i}" for i in range(6)]
    mistakes = torch.tensor([False, True, False, False, True, False])
    fig = plotting.show_images(
        images, titles, ncols=3, mistakes=mistakes, row_labels=["a", "b"], suptitle="t / p"
    )
    axes = fig.axes
    assert len(axes) == 6
    for i, ax in enumerate(axes):
        np.testing.assert_array_equal(ax.images[0].get_array(), images[i, 0].numpy())
        wrong = bool(mistakes[i])
        assert ax.get_title() == titles[i] + (" ✗" if wrong else "")
        assert (to_rgba(ax.title.get_color()) == to_rgba("tab:red")) == wrong
        assert all(spine.get_visible() == wrong for spine in ax.spines.values())
    assert axes[0].get_ylabel() == "a" and axes[3].get_ylabel() == "b"
    assert fig.get_suptitle() == "t / p"
    alt = plotting.alt_text(fig)
    assert "grid of 6 images in 2 rows of 3" in alt
    assert "one row each for a and b" in alt
    assert "2 marked in red as mistakes: true 1 / pred 1 and true 4 / pred 4" in alt


def test_show_images_hides_unused_cells():
    fig = plotting.show_images(torch.zeros(5, 3, 3), ncols=4)
    assert sum(bool(ax.images) for ax in fig.axes) == 5
    assert sum(not ax.axison for ax in fig.axes) == 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"titles": ["a"]}, "got 1 titles for 4 images"),
        ({"mistakes": [True]}, "got 1 mistake flags for 4 images"),
        ({"ncols": 2, "row_labels": ["a"]}, "got 1 row labels for 2 rows"),
    ],
)
def test_show_images_rejects_mismatched_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plotting.show_images(torch.zeros(4, 3, 3), **kwargs)


def test_show_images_rejects_bad_images():
    with pytest.raises(ValueError, match="at least one image"):
        plotting.show_images([])
    with pytest.raises(ValueError, match=r"image 0 must be H x W"):
        plotting.show_images([np.zeros(5)])


def test_plot_confusion_matrix_counts_and_labels():
    y = torch.tensor([0, 0, 1, 1, 1, 2])
    y_hat = torch.tensor([0, 1, 1, 1, 0, 2])
    names = ["cat", "dog", "bird"]
    fig = plotting.plot_confusion_matrix(y, y_hat, names)
    ax = fig.axes[0]
    expected = np.array([[1, 1, 0], [1, 2, 0], [0, 0, 1]])
    np.testing.assert_array_equal(ax.images[0].get_array(), expected)
    assert [t.get_text() for t in ax.texts] == [str(v) for v in expected.flat]
    ticks = ax.get_xticklabels()
    assert [t.get_text() for t in ticks] == names
    assert ticks[0].get_rotation() == 0  # three short names fit side by side
    assert [t.get_text() for t in ax.get_yticklabels()] == names
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert all(t.get_fontsize() >= 12 for t in ax.texts)
    alt = plotting.alt_text(fig)
    assert alt.startswith("Confusion matrix of 3 classes over 6 samples")
    assert "4 (66.7 %) on the diagonal" in alt


def test_plot_confusion_matrix_takes_scores_and_names_the_largest_confusion():
    y = torch.tensor([0, 1, 1, 1])
    scores = torch.tensor([[2.0, 1.0], [3.0, 0.0], [5.0, 1.0], [0.0, 1.0]])
    fig = plotting.plot_confusion_matrix(y, scores, ["no", "yes"])
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), [[1, 0], [2, 1]])
    assert "largest confusion: 2 samples of yes predicted as no" in plotting.alt_text(fig)


@pytest.mark.parametrize(
    ("y", "y_hat", "message"),
    [
        ([0, 1], [0], "y has 2 labels but y_hat has 1"),
        ([0, 3], [0, 1], "y holds labels outside 0 .. 2"),
        ([0, 1], [0, -1], "y_hat holds labels outside 0 .. 2"),
        ([0.5, 1.0], [0, 1], "integer class labels"),
    ],
)
def test_plot_confusion_matrix_rejects_bad_labels(y, y_hat, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        plotting.plot_confusion_matrix(torch.tensor(y), torch.tensor(y_hat), ["a", "b", "c"])


def test_plot_matrix_writes_values_and_labels():
    values = torch.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    fig = plotting.plot_matrix(
        values, row_labels=["y = 1", "y = 0"], xlabel="class j", title="one_hot", fmt="{:.0f}"
    )
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), values.numpy())
    assert [t.get_text() for t in ax.texts] == ["0", "1", "0", "1", "0", "0"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["y = 1", "y = 0"]
    assert ax.get_title() == "one_hot"
    alt = plotting.alt_text(fig)
    assert alt.startswith("one_hot: heat map of a 2 by 3 matrix")
    assert "values from 0 to 1" in alt
    with pytest.raises(ValueError, match="got 1 row labels for 2 rows"):
        plotting.plot_matrix(values, row_labels=["a"])
    with pytest.raises(ValueError, match="2-D"):
        plotting.plot_matrix(torch.zeros(3))


def test_plot_loss_surface_draws_contours_and_the_path():
    w, b = torch.meshgrid(torch.linspace(-1, 1, 21), torch.linspace(-2, 2, 41), indexing="ij")
    loss = w**2 + (b - 1) ** 2
    path = [(1.0, -2.0), (0.5, 0.0), (0.0, 1.0)]
    fig = plotting.plot_loss_surface(w, b, loss, path=path, levels=[0.5, 1, 2])
    ax = fig.axes[0]
    assert len(ax.collections) == 1  # the contour set
    np.testing.assert_allclose(ax.collections[0].levels, [0.5, 1, 2])
    route = ax.get_lines()[0]
    np.testing.assert_allclose(route.get_xdata(), [1.0, 0.5, 0.0])
    np.testing.assert_allclose(route.get_ydata(), [-2.0, 0.0, 1.0])
    alt = plotting.alt_text(fig)
    assert "over w from -1 to 1 and b from -2 to 2" in alt
    assert "lowest loss on the grid, 0, is at w = 0, b = 1" in alt
    assert "the path (3 points) runs from (1, -2) to (0, 1)" in alt
    with pytest.raises(ValueError, match="same shape"):
        plotting.plot_loss_surface(w, b[:, :3], loss)
    with pytest.raises(ValueError, match=r"\(w, b\) pairs"):
        plotting.plot_loss_surface(w, b, loss, path=[(1.0, 2.0, 3.0)])


def test_plot_bars_heights_labels_highlight_and_alt():
    probs = torch.tensor([0.1, 0.7, 0.2])
    fig = plotting.plot_bars(probs, ["cat", "dog", "bird"], ylabel="probability", highlight=2)
    ax = fig.axes[0]
    bars = ax.patches
    np.testing.assert_allclose([bar.get_height() for bar in bars], probs.numpy(), rtol=1e-6)
    assert to_rgba(bars[2].get_facecolor()) == to_rgba("tab:orange")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "bird"]
    assert [t.get_text() for t in ax.texts] == ["0.10", "0.70", "0.20"]
    alt = plotting.alt_text(fig)
    assert "Bar chart of probability for 3 bars: cat 0.10, dog 0.70, bird 0.20" in alt
    assert "the highest is dog" in alt and "bird is highlighted" in alt
    with pytest.raises(ValueError, match="got 3 values but 2 labels"):
        plotting.plot_bars(probs, ["a", "b"])
    with pytest.raises(ValueError, match="highlight 3 is not a bar index"):
        plotting.plot_bars(probs, ["a", "b", "c"], highlight=3)


def test_helpers_set_legible_font_sizes():
    fig = plotting.plot_training({"a": [1.0, 2.0], "b": [2.0, 1.0]}, title="t")
    ax = fig.axes[0]
    assert ax.xaxis.label.get_fontsize() >= 13 and ax.yaxis.label.get_fontsize() >= 13
    assert ax.title.get_fontsize() >= 13
    fig.canvas.draw()
    assert min(t.get_fontsize() for t in ax.get_xticklabels() + ax.get_yticklabels()) >= 12
    assert min(t.get_fontsize() for t in ax.get_legend().get_texts()) >= 12
    # Text of 12 pt at 110 dpi is still about 9 px when the figure is scaled to 360 px.
    width_px = Image.open(io.BytesIO(plotting.figure_png(fig))).width
    assert 12 / 72 * 110 * 360 / width_px >= 9


def test_helpers_leave_global_rc_params_alone():
    before = dict(plt.rcParams)
    plotting.plot_functions([0.0, 1.0], {"f": [0.0, 1.0]})
    assert dict(plt.rcParams) == before


def test_show_figure_uses_the_composed_alt_text_and_closes(monkeypatch):
    shown = []
    monkeypatch.setattr(plotting, "in_notebook", lambda: True)
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    fig = plotting.plot_functions([0.0, 1.0], {"f(x)": [0.0, 1.0]})
    plotting.show_figure(fig)
    assert 'alt="Line plot of f(x) against x from 0 to 1."' in shown[0].data
    assert not plt.fignum_exists(fig.number)
    assert plotting.alt_text(fig) is None  # forgotten once shown


def test_show_figure_without_any_alt_text_raises_and_closes():
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="alt text"):
        plotting.show_figure(fig)
    assert not plt.fignum_exists(fig.number)


@pytest.mark.parametrize(
    "draw",
    [
        lambda ax: plotting.plot_functions([0.0, 1.0], {"f": [0.0, 1.0]}, ax=ax),
        lambda ax: plotting.plot_probability_curve(
            [1.0, 2.0], [0.0, 1.0], [0.0, 3.0], [0.1, 0.9], ax=ax
        ),
        lambda ax: plotting.plot_training({"loss": [2.0, 1.0]}, ax=ax),
        lambda ax: plotting.plot_matrix([[1.0, 2.0], [3.0, 4.0]], ax=ax),
        lambda ax: plotting.plot_confusion_matrix([0, 1], [1, 1], ["a", "b"], ax=ax),
        lambda ax: plotting.plot_loss_surface(
            [[0.0, 0.0], [1.0, 1.0]], [[0.0, 1.0], [0.0, 1.0]], [[1.0, 2.0], [3.0, 4.0]], ax=ax
        ),
        lambda ax: plotting.plot_bars([1.0, 2.0], ["a", "b"], ax=ax),
    ],
    ids=["functions", "probability", "training", "matrix", "confusion", "surface", "bars"],
)
def test_each_helper_draws_into_the_given_panel(draw):
    fig, (first, second) = plotting.make_panels(2)
    assert draw(second) is fig
    assert plt.get_fignums() == [fig.number]
    assert second.has_data() and not first.has_data()
    alt = plotting.alt_text(fig)
    assert alt is not None and alt.strip()


def test_long_class_names_are_rotated():
    names = [f"class number {k}" for k in range(10)]
    fig = plotting.plot_confusion_matrix(torch.arange(10), torch.arange(10), names)
    ticks = fig.axes[0].get_xticklabels()
    assert [t.get_text() for t in ticks] == names
    assert all(t.get_rotation() == 45 for t in ticks)
    fig = plotting.plot_bars(torch.ones(10), names)
    assert all(t.get_rotation() == 45 for t in fig.axes[0].get_xticklabels())
