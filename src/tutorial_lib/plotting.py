"""Figures for the pages: d2l-style drawing helpers, shown light and dark with alt text."""

from __future__ import annotations

import base64
import colorsys
import html
import io
import weakref
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import Collection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from tutorial_lib.report import in_notebook

#: Saturation (HLS) below which a colour counts as grey, so the dark restyle may change it.
GREY_SATURATION = 0.15

_RGBA = tuple[float, float, float, float]


def figure_png(fig: Figure, dpi: int = 110, *, transparent: bool = False) -> bytes:
    """Render ``fig`` to PNG bytes.

    Args:
        fig: The figure to render.
        dpi: Resolution in dots per inch.
        transparent: Save with a transparent figure background.

    Returns:
        The PNG file's bytes.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", transparent=transparent)
    return buffer.getvalue()


def is_grey(color: object) -> bool:
    """Return True if ``color`` (any matplotlib colour) is black, white or a shade of grey."""
    r, g, b, _ = to_rgba(color)
    _, _, saturation = colorsys.rgb_to_hls(r, g, b)
    return saturation < GREY_SATURATION or max(r, g, b) - min(r, g, b) < 0.06


def dark_grey(color: object) -> _RGBA:
    """Map a grey for a dark page: black becomes a light grey, white a dark one.

    Coloured (saturated) colours are returned unchanged, so data keeps its colours.

    Args:
        color: Any matplotlib colour.

    Returns:
        The RGBA colour to use on a dark background (alpha kept).
    """
    rgba = to_rgba(color)
    if not is_grey(rgba):
        return rgba
    r, g, b, alpha = rgba
    lightness = 0.299 * r + 0.587 * g + 0.114 * b
    level = 0.9 - 0.75 * lightness
    return (level, level, level, alpha)


def _has_colour(color: object) -> bool:
    """True for a single visible colour (not 'none', not an empty array)."""
    try:
        return to_rgba(color)[3] > 0
    except (ValueError, TypeError):
        return False


def _restyle_line(line: Line2D) -> None:
    line.set_color(dark_grey(line.get_color()))
    for getter, setter in (
        (line.get_markerfacecolor, line.set_markerfacecolor),
        (line.get_markeredgecolor, line.set_markeredgecolor),
    ):
        color = getter()
        if _has_colour(color):
            setter(dark_grey(color))


def _restyle_patch(patch: Patch, *, background: bool) -> None:
    face = patch.get_facecolor()
    if background:
        patch.set_facecolor((0.0, 0.0, 0.0, 0.0))
    elif _has_colour(face):
        patch.set_facecolor(dark_grey(face))
    edge = patch.get_edgecolor()
    if _has_colour(edge):
        patch.set_edgecolor(dark_grey(edge))


def _restyle_collection(collection: Collection) -> None:
    for getter, setter in (
        (collection.get_facecolor, collection.set_facecolor),
        (collection.get_edgecolor, collection.set_edgecolor),
    ):
        colors = getter()
        # Colour-mapped collections (scatter with c=..., contour fills) keep their colours.
        if collection.get_array() is not None and getter == collection.get_facecolor:
            continue
        if len(colors) and all(is_grey(c) for c in colors):
            setter([dark_grey(c) for c in colors])


def _artists(fig: Figure) -> Iterable[Artist]:
    seen: set[int] = set()
    for artist in fig.findobj():
        if id(artist) not in seen:
            seen.add(id(artist))
            yield artist


def restyle_dark(fig: Figure) -> Figure:
    """Restyle ``fig`` in place so it reads on a dark page, and return it.

    The figure and axes backgrounds become transparent; black and grey text, tick marks,
    spines, grid lines, legend frames and grey data lines become light; coloured data keeps
    its colours, and images (``imshow``, such as sample grids), with the text drawn on them,
    are left as they are.

    Args:
        fig: The figure to restyle.

    Returns:
        The same figure, restyled.
    """
    backgrounds = {id(fig.patch)} | {id(ax.patch) for ax in fig.axes}
    legend_frames = {id(leg.legendPatch) for leg in fig.findobj(Legend)}
    # Text drawn on an image (counts in a confusion matrix) was chosen for the image's colours.
    on_images = {id(text) for ax in fig.axes if ax.images for text in ax.texts}
    for artist in _artists(fig):
        if isinstance(artist, AxesImage) or id(artist) in on_images:
            continue
        if isinstance(artist, Text):
            artist.set_color(dark_grey(artist.get_color()))
            box = artist.get_bbox_patch()
            if box is not None:
                _restyle_patch(box, background=False)
        elif isinstance(artist, Line2D):
            _restyle_line(artist)
        elif isinstance(artist, Patch):
            if id(artist) in legend_frames:
                _restyle_patch(artist, background=False)
            else:
                _restyle_patch(artist, background=id(artist) in backgrounds)
        elif isinstance(artist, Collection):
            _restyle_collection(artist)
    return fig


def figure_html(light_png: bytes, dark_png: bytes, alt: str) -> str:
    """HTML showing ``light_png`` on Material's light scheme and ``dark_png`` on the dark one.

    Args:
        light_png: PNG bytes of the figure as drawn.
        dark_png: PNG bytes of the figure restyled for a dark page.
        alt: Alt text, used on both images.

    Returns:
        A ``<figure class="tl-figure">`` element holding both images; the site's stylesheet
        shows only the one matching the page's colour scheme.
    """
    alt_attr = html.escape(alt, quote=True)
    images = []
    for variant, png in (("light", light_png), ("dark", dark_png)):
        data = base64.b64encode(png).decode("ascii")
        images.append(
            f'<img class="tl-figure-{variant}" src="data:image/png;base64,{data}" alt="{alt_attr}">'
        )
    return f'<figure class="tl-figure">{"".join(images)}</figure>'


# --- Figure sizes and fonts -------------------------------------------------------------------
#
# Pages show figures at the width of the content column: about 730 px on a desktop, about
# 360 px on a 390 px phone. A figure FIGURE_WIDTH inches wide, rendered at 110 dpi, is about
# 700 px, so on a phone it is scaled by about 0.51: 12 pt text (18 px at 110 dpi) stays about
# 9 px tall there. The helpers set these sizes on each figure they draw (never through global
# rcParams, which would leak from one figure or page to the next).

#: Width of a helper's figure in inches (about 700 px at the pages' 110 dpi).
FIGURE_WIDTH = 6.4
#: Height of one panel in inches.
PANEL_HEIGHT = 3.8
#: Font sizes in points: tick labels, axis labels, titles, legends and numbers in cells.
FONT_SIZES: dict[str, float] = {"tick": 12, "label": 13, "title": 14, "legend": 12, "cell": 12}
#: Line styles cycled over the curves of one plot, so curves differ without colour too.
LINE_STYLES = ("-", "--", "-.", ":")

_ALT_PARTS: weakref.WeakKeyDictionary[Figure, list[str]] = weakref.WeakKeyDictionary()

#: Numbers the helpers accept: a tensor (detached for you), a NumPy array or a sequence.
Data = torch.Tensor | np.ndarray | Sequence[float]


def _vector(data: Any, name: str) -> np.ndarray:
    """``data`` as a 1-D float array; an ``(N, 1)`` column is flattened."""
    if isinstance(data, torch.Tensor):
        data = data.detach().cpu().numpy()
    try:
        array = np.asarray(data, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numbers (a tensor or a sequence): {error}") from None
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D (or an (N, 1) column), got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} has no values")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} holds NaN or infinite values")
    return array


def _matrix(data: Any, name: str) -> np.ndarray:
    """``data`` as a 2-D float array with finite values."""
    if isinstance(data, torch.Tensor):
        data = data.detach().cpu().numpy()
    array = np.asarray(data, dtype=float)
    if array.ndim != 2 or 0 in array.shape:
        raise ValueError(f"{name} must be a non-empty 2-D matrix, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} holds NaN or infinite values")
    return array


def _num(value: float, scale: float = 0.0) -> str:
    """A short, readable number for alt text (3 significant digits, no ``-0``).

    Values below a millionth of ``scale`` (the span of the data) are rounding noise: 0.
    """
    value = float(value)
    if abs(value) < 1e-6 * abs(scale):
        value = 0.0
    text = f"{value:.3g}"
    return "0" if text == "-0" else text


def _join(words: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    words = [str(w) for w in words]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _crowded(labels: Sequence[str]) -> bool:
    """Whether tick labels side by side would overlap across the figure: then rotate them."""
    return max(len(label) for label in labels) * len(labels) > 48


def _style(ax: Axes, *, legend: bool = False, legend_loc: str = "best") -> None:
    """Apply the legible font sizes to ``ax`` (and add a legend when asked)."""
    ax.tick_params(labelsize=FONT_SIZES["tick"])
    ax.xaxis.label.set_fontsize(FONT_SIZES["label"])
    ax.yaxis.label.set_fontsize(FONT_SIZES["label"])
    ax.title.set_fontsize(FONT_SIZES["title"])
    if legend:
        ax.legend(loc=legend_loc, fontsize=FONT_SIZES["legend"])


def _axes(ax: Axes | None, height: float = PANEL_HEIGHT) -> Axes:
    """``ax``, or the single axes of a new figure of the helpers' width."""
    if ax is not None:
        return ax
    _, new_ax = plt.subplots(figsize=(FIGURE_WIDTH, height), layout="constrained")
    return new_ax


def _finish(ax: Axes, composed: str, alt: str | None) -> Figure:
    """Record the alt text of what was drawn on ``ax`` and return its figure."""
    fig = ax.figure
    _ALT_PARTS.setdefault(fig, []).append(alt if alt is not None else composed)
    return fig


def alt_text(fig: Figure) -> str | None:
    """The alt text the helpers composed for ``fig``, or None if none drew on it.

    A figure with several panels drawn by helpers gets one sentence per panel, numbered in
    the order they were drawn.

    Args:
        fig: A figure returned by one of the helpers.

    Returns:
        The composed alt text, or None.
    """
    parts = [part for part in _ALT_PARTS.get(fig, []) if part]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return " ".join(f"Panel {i}: {part}" for i, part in enumerate(parts, start=1))


def make_panels(
    nrows: int = 1, ncols: int = 1, *, height: float | None = None, sharex: bool = False
) -> tuple[Figure, list[Axes]]:
    """A figure of the helpers' width with ``nrows`` by ``ncols`` panels.

    Panels are best stacked (``ncols=1``): side by side they become too small to read on a
    phone, so at most two columns are allowed.

    Args:
        nrows: Number of rows of panels.
        ncols: Number of columns (1 or 2).
        height: Height of the figure in inches; by default ``PANEL_HEIGHT`` per row (a bit
            less per row when stacking more than one).
        sharex: Share the x axis between panels.

    Returns:
        The figure and its axes as a flat list, row by row.

    Raises:
        ValueError: If ``nrows`` is below 1 or ``ncols`` is not 1 or 2.

    Example:
        ```python
        fig, (ax_loss, ax_grad) = make_panels(2)
        plot_functions(r, {"L2": l2}, xlabel="r", ylabel="loss", ax=ax_loss)
        plot_functions(r, {"L2": g2}, xlabel="r", ylabel="gradient", ax=ax_grad)
        show_figure(fig)
        ```
    """
    if nrows < 1:
        raise ValueError(f"nrows must be at least 1, got {nrows}")
    if ncols not in (1, 2):
        raise ValueError(f"ncols must be 1 or 2 (panels stay readable on phones), got {ncols}")
    if height is None:
        height = PANEL_HEIGHT if nrows == 1 else 3.2 * nrows
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(FIGURE_WIDTH, height),
        layout="constrained",
        sharex=sharex,
        squeeze=False,
    )
    flat = list(axes.flat)
    for ax in flat:
        _style(ax)
    _ALT_PARTS[fig] = []
    return fig, flat


def plot_functions(
    x: Data,
    curves: Mapping[str, Data],
    *,
    xlabel: str = "x",
    ylabel: str = "y",
    title: str | None = None,
    hlines: Sequence[float] = (),
    vlines: Sequence[float] = (),
    points: Mapping[str, tuple[float, float]] | None = None,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    log_y: bool = False,
    legend_loc: str = "best",
    ax: Axes | None = None,
    alt: str | None = None,
) -> Figure:
    """Plot functions of ``x``, one labelled line each (like d2l's ``plot``).

    Args:
        x: The x values, shared by all curves.
        curves: Label -> y values, each as long as ``x``.
        xlabel: Label of the x axis.
        ylabel: Label of the y axis.
        title: Title above the plot.
        hlines: y values of grey dashed reference lines (e.g. ``[0.5]``).
        vlines: x values of grey dotted reference lines.
        points: Label -> ``(x, y)`` of points to mark, e.g. ``{"p(4 h)": (4.0, 0.62)}``.
        xlim: Limits of the x axis.
        ylim: Limits of the y axis.
        log_y: Use a logarithmic y axis.
        legend_loc: Where matplotlib puts the legend (e.g. ``"upper left"``).
        ax: Draw into this panel instead of a new figure.
        alt: Alt text; by default it is composed from the arguments.

    Returns:
        The figure (``ax.figure`` when ``ax`` is given).

    Raises:
        ValueError: If ``curves`` is empty, a curve's length differs from ``x``'s, or the
            data is not finite numbers.

    Example:
        ```python
        z = torch.linspace(-8, 8, 200)
        s = torch.sigmoid(z)
        fig = plot_functions(
            z, {"sigmoid(z)": s, "its derivative": s * (1 - s)}, xlabel="z"
        )
        show_figure(fig)  # alt: "Line plot of sigmoid(z) and its derivative
        # against z from -8 to 8."
        ```
    """
    if not curves:
        raise ValueError("plot_functions needs at least one curve")
    xs = _vector(x, "x")
    ys = {label: _vector(values, f"curve {label!r}") for label, values in curves.items()}
    for label, values in ys.items():
        if len(values) != len(xs):
            raise ValueError(f"curve {label!r} has {len(values)} values but x has {len(xs)}")
    points = dict(points or {})
    ax = _axes(ax)
    for i, (label, values) in enumerate(ys.items()):
        ax.plot(xs, values, linestyle=LINE_STYLES[i % len(LINE_STYLES)], label=label)
    for y in hlines:
        ax.axhline(y, color="gray", linestyle="--", linewidth=1)
    for v in vlines:
        ax.axvline(v, color="gray", linestyle=":", linewidth=1.2)
    for label, (px, py) in points.items():
        ax.plot([px], [py], "o", color="tab:red", zorder=3, label=label)
    if log_y:
        ax.set_yscale("log")
    if xlim is not None:
        ax.set_xlim(*xlim)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3)
    _style(ax, legend=len(ys) > 1 or bool(points), legend_loc=legend_loc)

    composed = (
        f"Line plot of {_join(list(ys))} against {xlabel} from {_num(xs.min())} to {_num(xs.max())}"
    )
    if title:
        composed = f"{title}: {composed[0].lower()}{composed[1:]}"
    if log_y:
        composed += ", on a logarithmic y axis"
    if hlines:
        composed += f", with dashed lines at y = {_join([_num(h) for h in hlines])}"
    if vlines:
        composed += f", with dotted lines at {xlabel} = {_join([_num(v) for v in vlines])}"
    if points:
        marks = [f"{label} at ({_num(px)}, {_num(py)})" for label, (px, py) in points.items()]
        composed += f"; marked: {_join(marks)}"
    return _finish(ax, composed + ".", alt)


def plot_probability_curve(
    x: Data,
    y: Data,
    grid: Data,
    probs: Data,
    *,
    boundary: float | None = None,
    points: Mapping[str, tuple[float, float]] | None = None,
    xlabel: str = "x",
    ylabel: str = "probability",
    curve_label: str = "p(y = 1 | x)",
    data_label: str = "data",
    legend_loc: str = "best",
    ax: Axes | None = None,
    alt: str | None = None,
) -> Figure:
    """Plot a 1-D logistic model: data at 0/1, its probability curve, 0.5 and the boundary.

    Args:
        x: Inputs of the data points.
        y: Their labels, each 0 or 1.
        grid: x values at which the model's probability was computed.
        probs: The model's probabilities at ``grid``, each in [0, 1].
        boundary: x of the decision boundary (where the curve crosses 0.5), drawn as a
            dotted red line; None to leave it out.
        points: Label -> ``(x, p)`` of predictions to mark, e.g. ``{"p(4 h)": (4.0, p)}``.
        xlabel: Label of the x axis.
        ylabel: Label of the y axis.
        curve_label: Legend label of the curve.
        data_label: Legend label of the data points.
        legend_loc: Where matplotlib puts the legend.
        ax: Draw into this panel instead of a new figure.
        alt: Alt text; by default it is composed from the arguments.

    Returns:
        The figure (``ax.figure`` when ``ax`` is given).

    Raises:
        ValueError: If lengths differ, a label is not 0 or 1, or a probability is outside
            [0, 1].

    Example:
        ```python
        hours = torch.linspace(0, 10, 200).unsqueeze(1)
        with torch.no_grad():
            p = model(hours)
        fig = plot_probability_curve(
            x, y, hours, p, boundary=-b / w, xlabel="hours studied"
        )
        show_figure(fig)
        ```
    """
    xs, ys = _vector(x, "x"), _vector(y, "y")
    gs, ps = _vector(grid, "grid"), _vector(probs, "probs")
    if len(xs) != len(ys):
        raise ValueError(f"x has {len(xs)} values but y has {len(ys)}")
    if len(gs) != len(ps):
        raise ValueError(f"grid has {len(gs)} values but probs has {len(ps)}")
    if not np.isin(ys, (0.0, 1.0)).all():
        raise ValueError("y must hold labels 0 or 1")
    if ps.min() < 0 or ps.max() > 1:
        raise ValueError("probs must lie in [0, 1] (pass probabilities, not logits)")
    points = dict(points or {})
    ax = _axes(ax)
    ax.plot(gs, ps, label=curve_label)
    ax.axhline(0.5, color="gray", linestyle="--", linewidth=1, label="0.5")
    if boundary is not None:
        ax.axvline(
            boundary,
            color="tab:red",
            linestyle=":",
            linewidth=1.5,
            label=f"boundary {boundary:.2f}",
        )
    ax.scatter(xs, ys, color="black", zorder=3, label=data_label)
    for label, (px, pp) in points.items():
        ax.scatter([px], [pp], color="tab:orange", marker="D", zorder=4, label=label)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    _style(ax, legend=True, legend_loc=legend_loc)

    composed = (
        f"Probability curve {curve_label} against {xlabel} from {_num(gs[0])} to "
        f"{_num(gs[-1])}, going from {ps[0]:.2f} to {ps[-1]:.2f}, with {len(xs)} data "
        f"points at 0 and 1 ({int(ys.sum())} at 1) and a dashed line at 0.5"
    )
    if boundary is not None:
        composed += f"; the decision boundary is at {xlabel} = {boundary:.2f}"
    if points:
        marks = [f"{label} = {pp:.2f} at {_num(px)}" for label, (px, pp) in points.items()]
        composed += f"; marked: {_join(marks)}"
    return _finish(ax, composed + ".", alt)


def plot_training(
    curves: Mapping[str, Data],
    *,
    xlabel: str = "epoch",
    ylabel: str = "loss",
    title: str | None = None,
    log_y: bool = False,
    ylim: tuple[float, float] | None = None,
    legend_loc: str = "best",
    ax: Axes | None = None,
    alt: str | None = None,
) -> Figure:
    """Plot curves along training (loss, accuracy), each against its 1-based epoch.

    Args:
        curves: Label -> one value per epoch, e.g. ``{"train loss": history.train_loss}``.
        xlabel: Label of the x axis (a singular noun: the alt text counts "10 epochs").
        ylabel: Label of the y axis.
        title: Title above the plot.
        log_y: Use a logarithmic y axis (for losses that fall over orders of magnitude).
        ylim: Limits of the y axis.
        legend_loc: Where matplotlib puts the legend.
        ax: Draw into this panel instead of a new figure.
        alt: Alt text; by default it is composed from the arguments, with each curve's
            first and last value.

    Returns:
        The figure (``ax.figure`` when ``ax`` is given).

    Raises:
        ValueError: If ``curves`` is empty or a curve has no values or non-finite ones.

    Example:
        ```python
        fig = plot_training(
            {"train loss": history.train_loss, "test acc": history.test_metric},
            ylabel="loss / accuracy",
        )
        show_figure(fig)
        ```
    """
    if not curves:
        raise ValueError("plot_training needs at least one curve")
    ys = {label: _vector(values, f"curve {label!r}") for label, values in curves.items()}
    ax = _axes(ax)
    for i, (label, values) in enumerate(ys.items()):
        ax.plot(
            np.arange(1, len(values) + 1),
            values,
            linestyle=LINE_STYLES[i % len(LINE_STYLES)],
            marker="o" if len(values) <= 30 else None,
            markersize=4,
            label=label,
        )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if log_y:
        ax.set_yscale("log")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3)
    _style(ax, legend=len(ys) > 1, legend_loc=legend_loc)

    longest = max(len(values) for values in ys.values())
    unit = xlabel if longest == 1 or xlabel.endswith("s") else f"{xlabel}s"
    changes = [
        f"{label} from {_num(values[0])} to {_num(values[-1])}" for label, values in ys.items()
    ]
    composed = f"Training curves of {ylabel} over {longest} {unit}: {_join(changes)}"
    if title:
        composed = f"{title}: {composed[0].lower()}{composed[1:]}"
    if log_y:
        composed += ", on a logarithmic y axis"
    return _finish(ax, composed + ".", alt)


def _images(images: Any) -> list[np.ndarray]:
    """A list of 2-D (grey) or ``(H, W, 3|4)`` (colour) arrays."""
    if isinstance(images, torch.Tensor):
        images = list(images)
    out = []
    for i, image in enumerate(images):
        if isinstance(image, torch.Tensor):
            image = image.detach().cpu().numpy()
        array = np.asarray(image)
        if array.ndim == 3 and array.shape[0] in (1, 3) and array.shape[-1] not in (3, 4):
            array = np.moveaxis(array, 0, -1)  # CHW -> HWC
        if array.ndim == 3 and array.shape[-1] == 1:
            array = array[..., 0]
        if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[-1] not in (3, 4)):
            raise ValueError(
                f"image {i} must be H x W (grey) or H x W x 3 (colour), got shape {array.shape}"
            )
        out.append(array)
    if not out:
        raise ValueError("show_images needs at least one image")
    return out


def show_images(
    images: torch.Tensor | Sequence[Any],
    titles: Sequence[str] | None = None,
    *,
    ncols: int | None = None,
    row_labels: Sequence[str] | None = None,
    mistakes: Sequence[bool] | torch.Tensor | None = None,
    suptitle: str | None = None,
    cmap: str = "gray_r",
    alt: str | None = None,
) -> Figure:
    r"""Draw a grid of images with optional titles, mistakes marked in red (like d2l's).

    Unlike the other helpers this one has no ``ax=``: the grid is a figure of its own.

    Args:
        images: ``(N, H, W)``, ``(N, 1, H, W)`` or ``(N, H, W, 3)`` tensor, or a sequence of
            images. Grey ``uint8`` images are drawn on the 0-255 scale, others on their own.
        titles: One title per image (a ``\n`` splits it over two lines).
        ncols: Images per row; by default 5 with titles, else 8.
        row_labels: One label per row, written left of the row (e.g. the class names).
        mistakes: One flag per image; flagged images get a red title with a ✗ and a red
            frame.
        suptitle: Title above the grid.
        cmap: Colour map of grey images (``"gray_r"``: dark strokes on white).
        alt: Alt text; by default it is composed from the arguments.

    Returns:
        The figure.

    Raises:
        ValueError: If there are no images, an image has the wrong shape, or the numbers of
            titles, mistakes or row labels do not fit the images.

    Example:
        ```python
        fig = show_images(
            X_test[:18].reshape(-1, 28, 28),
            [f"{class_names[a]}\n{class_names[b]}" for a, b in zip(y, y_hat)],
            mistakes=y != y_hat,
            suptitle="true class / predicted class",
        )
        show_figure(fig)
        ```
    """
    arrays = _images(images)
    n = len(arrays)
    if titles is not None and len(titles) != n:
        raise ValueError(f"got {len(titles)} titles for {n} images")
    if mistakes is not None:
        if isinstance(mistakes, torch.Tensor):
            mistakes = mistakes.tolist()
        flags = [bool(m) for m in mistakes]
        if len(flags) != n:
            raise ValueError(f"got {len(flags)} mistake flags for {n} images")
    else:
        flags = [False] * n
    if ncols is None:
        ncols = 5 if titles is not None else 8
    if ncols < 1:
        raise ValueError(f"ncols must be at least 1, got {ncols}")
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    if row_labels is not None and len(row_labels) != nrows:
        raise ValueError(f"got {len(row_labels)} row labels for {nrows} rows of images")

    label_width = 1.4 if row_labels is not None else 0.0
    cell = (FIGURE_WIDTH - label_width) / ncols
    height, width = arrays[0].shape[:2]
    title_lines = max((str(t).count("\n") + 1 for t in titles), default=0) if titles else 0
    row_height = cell * height / width + 0.25 * title_lines
    fig_height = nrows * row_height + (0.4 if suptitle else 0.0) + 0.1
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(FIGURE_WIDTH, fig_height),
        squeeze=False,
        layout="constrained",
    )
    fig.get_layout_engine().set(w_pad=0.02, h_pad=0.02, wspace=0.02, hspace=0.02)
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= n:
            ax.set_axis_off()
            continue
        image = arrays[i]
        scale = {"vmin": 0, "vmax": 255} if image.dtype == np.uint8 and image.ndim == 2 else {}
        ax.imshow(
            image,
            cmap=cmap if image.ndim == 2 else None,
            interpolation="nearest",  # crisp pixels, and a PNG half the size
            **scale,
        )
        wrong = flags[i]
        if titles is not None:
            ax.set_title(
                str(titles[i]) + (" ✗" if wrong else ""),
                fontsize=FONT_SIZES["legend"],
                color="tab:red" if wrong else "black",
            )
        for spine in ax.spines.values():
            spine.set_visible(wrong)
            spine.set_color("tab:red")
            spine.set_linewidth(2.5)
    if row_labels is not None:
        for row, label in enumerate(row_labels):
            axes[row, 0].set_ylabel(
                label, rotation=0, ha="right", va="center", fontsize=FONT_SIZES["legend"]
            )
    if suptitle:
        fig.suptitle(suptitle, fontsize=FONT_SIZES["title"])

    composed = f"Grid of {n} images in {nrows} rows of {ncols}"
    if suptitle:
        composed = f"{suptitle}: {composed[0].lower()}{composed[1:]}"
    if row_labels is not None:
        composed += f", one row each for {_join(row_labels)}"
    if titles is not None:
        shown = [str(t).replace("\n", " / ") for t in titles]
        composed += f", titled {_join(shown[:4])}" + (" and so on" if n > 4 else "")
    if mistakes is not None:
        wrong_titles = [
            str(titles[i]).replace("\n", " / ") if titles is not None else f"image {i + 1}"
            for i in range(n)
            if flags[i]
        ]
        composed += f"; {len(wrong_titles)} marked in red as mistakes"
        if wrong_titles:
            composed += f": {_join(wrong_titles)}"
    _ALT_PARTS[fig] = [alt if alt is not None else composed + "."]
    return fig


def plot_matrix(
    values: Data | Sequence[Sequence[float]],
    *,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    title: str | None = None,
    fmt: str = "{:g}",
    cmap: str = "Blues",
    ax: Axes | None = None,
    alt: str | None = None,
) -> Figure:
    """Draw a matrix as a heat map with its value written in each cell.

    Args:
        values: A 2-D tensor or nested sequence.
        row_labels: One label per row (default: row numbers).
        col_labels: One label per column (default: column numbers); rotated when they would
            not fit side by side.
        xlabel: Label of the x axis (the columns).
        ylabel: Label of the y axis (the rows).
        title: Title above the matrix.
        fmt: Format of the numbers in the cells, e.g. ``"{:.2f}"``.
        cmap: Matplotlib colour map.
        ax: Draw into this panel instead of a new figure.
        alt: Alt text; by default it is composed from the arguments.

    Returns:
        The figure (``ax.figure`` when ``ax`` is given).

    Raises:
        ValueError: If ``values`` is not a non-empty finite 2-D matrix or the label counts
            do not match its shape.

    Example:
        ```python
        fig = plot_matrix(
            one_hot(y, 10), xlabel="class j", title="one_hot(y, 10)",
            row_labels=[f"y = {k}" for k in y.tolist()],
        )
        show_figure(fig)
        ```
    """
    matrix = _matrix(values, "values")
    nrows, ncols = matrix.shape
    if row_labels is not None and len(row_labels) != nrows:
        raise ValueError(f"got {len(row_labels)} row labels for {nrows} rows")
    if col_labels is not None and len(col_labels) != ncols:
        raise ValueError(f"got {len(col_labels)} column labels for {ncols} columns")
    rows = (
        [str(r) for r in row_labels] if row_labels is not None else [str(i) for i in range(nrows)]
    )
    cols = (
        [str(c) for c in col_labels] if col_labels is not None else [str(j) for j in range(ncols)]
    )
    ax = _axes(ax, height=min(9.0, 1.6 + 0.42 * nrows))
    image = ax.imshow(matrix, cmap=cmap, aspect="auto")
    low, high = float(matrix.min()), float(matrix.max())
    middle = (low + high) / 2
    for i in range(nrows):
        for j in range(ncols):
            value = matrix[i, j]
            number = value if "d" not in fmt else int(round(value))
            ax.text(
                j,
                i,
                fmt.format(number),
                ha="center",
                va="center",
                fontsize=FONT_SIZES["cell"],
                # Coloured, not grey, so the dark restyle keeps it readable on the image.
                color="lightyellow" if value > middle and high > low else "#08306b",
            )
    image.set_clim(low, high if high > low else low + 1)
    rotate = _crowded(cols)
    ax.set_xticks(
        range(ncols), cols, rotation=45 if rotate else 0, ha="right" if rotate else "center"
    )
    ax.set_yticks(range(nrows), rows)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    _style(ax)

    composed = f"Heat map of a {nrows} by {ncols} matrix"
    if title:
        composed = f"{title}: {composed[0].lower()}{composed[1:]}"
    if ylabel or row_labels is not None:
        composed += f", rows {ylabel or ''} {_join(rows[:3])}{' ...' if nrows > 3 else ''}"
    if xlabel or col_labels is not None:
        composed += f", columns {xlabel or ''} {_join(cols[:3])}{' ...' if ncols > 3 else ''}"
    composed = " ".join(composed.split())
    composed += f"; values from {_num(low)} to {_num(high)}, each written in its cell"
    return _finish(ax, composed + ".", alt)


def _labels(data: Any, name: str) -> torch.Tensor:
    """Integer class labels from labels, or from scores (one row per sample) by argmax."""
    tensor = torch.as_tensor(data)
    if tensor.ndim == 2:
        tensor = tensor.argmax(dim=1)
    if tensor.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D labels or 2-D scores, got shape {tuple(tensor.shape)}"
        )
    if tensor.is_floating_point():
        if not torch.equal(tensor, tensor.round()):
            raise ValueError(f"{name} must hold integer class labels")
    return tensor.long()


def plot_confusion_matrix(
    y: Data,
    y_hat: Data,
    class_names: Sequence[str],
    *,
    title: str | None = None,
    ax: Axes | None = None,
    alt: str | None = None,
) -> Figure:
    """Draw the confusion matrix: counts of each true class (row) by predicted class.

    Args:
        y: True labels, ``0 .. len(class_names) - 1``.
        y_hat: Predicted labels, or scores (logits or probabilities, one row per sample)
            whose argmax is the prediction.
        class_names: Name of each class, in label order.
        title: Title above the matrix.
        ax: Draw into this panel instead of a new figure.
        alt: Alt text; by default composed from the counts: the accuracy and the largest
            confusion.

    Returns:
        The figure (``ax.figure`` when ``ax`` is given).

    Raises:
        ValueError: If the lengths of ``y`` and ``y_hat`` differ, there are no samples, or
            a label is outside the classes.

    Example:
        ```python
        with torch.no_grad():
            y_hat = net(X_test).argmax(dim=1)
        show_figure(plot_confusion_matrix(y_test, y_hat, class_names))
        ```
    """
    true, pred = _labels(y, "y"), _labels(y_hat, "y_hat")
    k = len(class_names)
    if k < 2:
        raise ValueError(f"class_names must name at least 2 classes, got {k}")
    if len(true) != len(pred):
        raise ValueError(f"y has {len(true)} labels but y_hat has {len(pred)}")
    if len(true) == 0:
        raise ValueError("y is empty")
    for name, labels in (("y", true), ("y_hat", pred)):
        if labels.min() < 0 or labels.max() >= k:
            raise ValueError(f"{name} holds labels outside 0 .. {k - 1} (the {k} classes)")
    counts = torch.bincount(true * k + pred, minlength=k * k).reshape(k, k)
    fig = plot_matrix(
        counts,
        row_labels=class_names,
        col_labels=class_names,
        xlabel="predicted class",
        ylabel="true class",
        title=title,
        fmt="{:d}",
        ax=_axes(ax, height=min(7.5, 2.2 + 0.5 * k)),
        alt="",
    )
    _ALT_PARTS[fig].pop()
    n = len(true)
    correct = int(counts.trace())
    off = counts.clone()
    off.fill_diagonal_(0)
    worst = int(off.argmax())
    worst_true, worst_pred = divmod(worst, k)
    composed = (
        f"Confusion matrix of {k} classes over {n:,} samples, true class by row and "
        f"predicted class by column; {correct:,} ({100 * correct / n:.1f} %) on the diagonal"
    )
    if title:
        composed = f"{title}: {composed[0].lower()}{composed[1:]}"
    if int(off.max()) > 0:
        composed += (
            f"; the largest confusion: {int(off.max()):,} samples of "
            f"{class_names[worst_true]} predicted as {class_names[worst_pred]}"
        )
    return _finish(ax or fig.axes[0], composed + ".", alt)


def plot_loss_surface(
    w: Data | Sequence[Sequence[float]],
    b: Data | Sequence[Sequence[float]],
    loss: Data | Sequence[Sequence[float]],
    *,
    path: Data | Sequence[tuple[float, float]] | None = None,
    levels: Sequence[float] | int = 10,
    path_label: str = "path",
    xlabel: str = "w",
    ylabel: str = "b",
    title: str | None = None,
    ax: Axes | None = None,
    alt: str | None = None,
) -> Figure:
    """Draw contour lines of a loss over two parameters, with an optional descent path.

    Args:
        w: Grid of the first parameter (x axis), e.g. from ``torch.meshgrid``.
        b: Grid of the second parameter (y axis), same shape.
        loss: The loss at each grid point, same shape.
        path: ``(w, b)`` pairs visited by an optimizer, drawn in red from a circle (start)
            to a square (end).
        levels: Loss values of the contour lines, or their number.
        path_label: Legend label of the path, e.g. ``"gradient descent"``.
        xlabel: Label of the x axis.
        ylabel: Label of the y axis.
        title: Title above the plot.
        ax: Draw into this panel instead of a new figure.
        alt: Alt text; by default it is composed from the arguments.

    Returns:
        The figure (``ax.figure`` when ``ax`` is given).

    Raises:
        ValueError: If the grids differ in shape or the path is not a list of pairs.

    Example:
        ```python
        fig = plot_loss_surface(w_grid, b_grid, loss_grid, path=path)
        show_figure(fig)
        ```
    """
    ws, bs, ls = _matrix(w, "w"), _matrix(b, "b"), _matrix(loss, "loss")
    if not ws.shape == bs.shape == ls.shape:
        raise ValueError(
            f"w, b and loss must have the same shape, got {ws.shape}, {bs.shape}, {ls.shape}"
        )
    ax = _axes(ax)
    contours = ax.contour(ws, bs, ls, levels=levels, colors="gray", linewidths=0.8)
    ax.clabel(contours, fontsize=FONT_SIZES["tick"] - 1, fmt="%g")
    steps = None
    if path is not None:
        steps = _matrix(path, "path")
        if steps.shape[1] != 2:
            raise ValueError(f"path must be (w, b) pairs, got shape {steps.shape}")
        ax.plot(steps[:, 0], steps[:, 1], color="tab:red", label=path_label)
        ax.plot(steps[:1, 0], steps[:1, 1], "o", color="tab:red", label="start")
        ax.plot(steps[-1:, 0], steps[-1:, 1], "s", color="tab:red", label="end")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    _style(ax, legend=steps is not None)

    i, j = np.unravel_index(np.argmin(ls), ls.shape)
    w_span, b_span, l_span = np.ptp(ws), np.ptp(bs), np.ptp(ls)
    composed = (
        f"Contour lines of the loss over {xlabel} from {_num(ws.min())} to {_num(ws.max())} "
        f"and {ylabel} from {_num(bs.min())} to {_num(bs.max())}; the lowest loss on the "
        f"grid, {_num(ls[i, j], l_span)}, is at {xlabel} = {_num(ws[i, j], w_span)}, "
        f"{ylabel} = {_num(bs[i, j], b_span)}"
    )
    if title:
        composed = f"{title}: {composed[0].lower()}{composed[1:]}"
    if steps is not None:
        composed += (
            f"; the {path_label} ({len(steps)} points) runs from ({_num(steps[0, 0])}, "
            f"{_num(steps[0, 1])}) to ({_num(steps[-1, 0])}, {_num(steps[-1, 1])})"
        )
    return _finish(ax, composed + ".", alt)


def plot_bars(
    values: Data,
    labels: Sequence[str],
    *,
    xlabel: str | None = None,
    ylabel: str = "value",
    title: str | None = None,
    highlight: int | None = None,
    fmt: str = "{:.2f}",
    ax: Axes | None = None,
    alt: str | None = None,
) -> Figure:
    """Draw a bar chart with each bar's value written on it (class probabilities, counts).

    Args:
        values: One value per bar.
        labels: One label per bar; rotated when they would not fit side by side.
        xlabel: Label of the x axis.
        ylabel: Label of the y axis.
        title: Title above the chart.
        highlight: Index of a bar to draw in orange (e.g. the true class).
        fmt: Format of the numbers above the bars, e.g. ``"{:,.0f}"`` for counts.
        ax: Draw into this panel instead of a new figure.
        alt: Alt text; by default it lists the values (up to 12 bars).

    Returns:
        The figure (``ax.figure`` when ``ax`` is given).

    Raises:
        ValueError: If the numbers of values and labels differ, or ``highlight`` is out of
            range.

    Example:
        ```python
        probs = torch.softmax(logits[0], dim=0)
        fig = plot_bars(probs, class_names, ylabel="probability", highlight=int(y[0]))
        show_figure(fig)
        ```
    """
    heights = _vector(values, "values")
    names = [str(label) for label in labels]
    if len(names) != len(heights):
        raise ValueError(f"got {len(heights)} values but {len(names)} labels")
    if highlight is not None and not 0 <= highlight < len(heights):
        raise ValueError(f"highlight {highlight} is not a bar index (0 .. {len(heights) - 1})")
    ax = _axes(ax)
    colors = ["tab:blue"] * len(heights)
    if highlight is not None:
        colors[highlight] = "tab:orange"
    bars = ax.bar(range(len(heights)), heights, color=colors)
    ax.bar_label(bars, labels=[fmt.format(h) for h in heights], fontsize=FONT_SIZES["cell"])
    rotate = _crowded(names)
    ax.set_xticks(
        range(len(names)), names, rotation=45 if rotate else 0, ha="right" if rotate else "center"
    )
    ax.margins(y=0.15)
    if xlabel:
        ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(True, axis="y", alpha=0.3)
    _style(ax)

    composed = f"Bar chart of {ylabel} for {len(heights)} bars"
    if title:
        composed = f"{title}: {composed[0].lower()}{composed[1:]}"
    if len(heights) <= 12:
        composed += ": " + ", ".join(
            f"{n} {fmt.format(h)}" for n, h in zip(names, heights, strict=True)
        )
    top = int(np.argmax(heights))
    composed += f"; the highest is {names[top]}"
    if highlight is not None:
        composed += f"; {names[highlight]} is highlighted"
    return _finish(ax, composed + ".", alt)


def show_figure(fig: Figure, alt: str | None = None) -> None:
    """Show ``fig`` with alt text on the page, readable on light and dark pages, then close it.

    In a notebook (as during the site build) the figure is rendered twice: as drawn, for the
    light scheme, and restyled by [`restyle_dark`][tutorial_lib.plotting.restyle_dark], for
    the dark scheme. Run as a plain script, the figure is only closed.

    Args:
        fig: The matplotlib figure to show.
        alt: What the figure shows, for readers who cannot see it; by default the alt text
            the helpers composed for it (see [`alt_text`][tutorial_lib.plotting.alt_text]).

    Raises:
        ValueError: If ``alt`` is empty, or is not given for a figure no helper drew.
    """
    try:
        if alt is None:
            alt = alt_text(fig)
            if alt is None:
                raise ValueError(
                    "every figure needs alt text describing what it shows: pass alt=... "
                    "or draw it with a tutorial_lib.plotting helper"
                )
        if not isinstance(alt, str) or not alt.strip():
            raise ValueError("every figure needs alt text describing what it shows")
        if in_notebook():
            from IPython.display import HTML, display

            light = figure_png(fig)
            dark = figure_png(restyle_dark(fig), transparent=True)
            display(HTML(figure_html(light, dark, alt)))
    finally:
        _ALT_PARTS.pop(fig, None)
        plt.close(fig)
