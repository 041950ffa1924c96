"""Figures: the dark restyle makes text and frames light, keeps data colours and images."""

from __future__ import annotations

import base64
import io
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
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
