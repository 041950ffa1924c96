"""Figures for the pages: shown with alt text in a notebook, closed quietly in a script."""

from __future__ import annotations

import base64
import html
import io

from matplotlib.figure import Figure

from tutorial_lib.report import in_notebook


def figure_png(fig: Figure, dpi: int = 110) -> bytes:
    """Render ``fig`` to PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def show_figure(fig: Figure, alt: str) -> None:
    """Show ``fig`` with alt text on the page, then close it.

    Args:
        fig: The matplotlib figure to show.
        alt: What the figure shows, for readers who cannot see it.

    Raises:
        ValueError: If ``alt`` is empty.
    """
    import matplotlib.pyplot as plt

    if not alt.strip():
        raise ValueError("every figure needs alt text describing what it shows")
    try:
        if in_notebook():
            from IPython.display import HTML, display

            data = base64.b64encode(figure_png(fig)).decode("ascii")
            display(
                HTML(
                    f'<figure class="tl-figure"><img src="data:image/png;base64,{data}" '
                    f'alt="{html.escape(alt, quote=True)}"></figure>'
                )
            )
    finally:
        plt.close(fig)
