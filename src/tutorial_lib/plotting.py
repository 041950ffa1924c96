"""Figures for the pages: a light and a dark rendering with alt text, closed after showing."""

from __future__ import annotations

import base64
import colorsys
import html
import io
from collections.abc import Iterable

from matplotlib.artist import Artist
from matplotlib.collections import Collection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

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


def show_figure(fig: Figure, alt: str) -> None:
    """Show ``fig`` with alt text on the page, readable on light and dark pages, then close it.

    In a notebook (as during the site build) the figure is rendered twice: as drawn, for the
    light scheme, and restyled by [`restyle_dark`][tutorial_lib.plotting.restyle_dark], for
    the dark scheme. Run as a plain script, the figure is only closed.

    Args:
        fig: The matplotlib figure to show.
        alt: What the figure shows, for readers who cannot see it.

    Raises:
        ValueError: If ``alt`` is empty.
    """
    import matplotlib.pyplot as plt

    try:
        if not isinstance(alt, str) or not alt.strip():
            raise ValueError("every figure needs alt text describing what it shows")
        if in_notebook():
            from IPython.display import HTML, display

            light = figure_png(fig)
            dark = figure_png(restyle_dark(fig), transparent=True)
            display(HTML(figure_html(light, dark, alt)))
    finally:
        plt.close(fig)
