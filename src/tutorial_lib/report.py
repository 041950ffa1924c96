"""Markdown prose and headline results that a page computes in its own run."""

from __future__ import annotations

import contextlib
import json
import math
from typing import Any

#: MIME type of the invisible outputs that carry a page's headline results to the site build.
RESULT_MIME = "application/vnd.tutorial-lib.result+json"


def in_notebook() -> bool:
    """Return True when running inside a Jupyter kernel (as during the site build)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def show_markdown(text: str) -> None:
    """Show ``text`` as Markdown: rendered in a notebook, printed when run as a script.

    Pages use this to quote numbers from their own run in prose, so no number is typed in.

    Args:
        text: Markdown source, typically an f-string filled with computed values.
    """
    if in_notebook():
        from IPython.display import Markdown, display

        display(Markdown(text))
    else:
        print(text)


def record_result(key: str, value: float, label: str, fmt: str = ".4f") -> None:
    """Record a headline number of this page's run for the site's results table.

    In a notebook this emits an invisible output of type `RESULT_MIME` that the site
    build collects; as a plain script it does nothing.

    Args:
        key: Stable identifier, unique across the site, e.g. ``"fashion_scratch_test_acc"``.
        value: The computed number.
        label: Human-readable description, e.g. ``"Test accuracy, softmax from scratch"``.
        fmt: Format spec used to display the value.

    Raises:
        ValueError: If ``key`` or ``label`` is empty, ``value`` is not a finite number, or
            ``fmt`` cannot format it (e.g. ``"%.2f"`` instead of ``".2f"``).
    """
    if not key or not label:
        raise ValueError("record_result needs a non-empty key and label")
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"record_result({key!r}) got a non-finite value {value!r}")
    try:
        format_result(number, fmt)
    except ValueError as error:
        raise ValueError(f"record_result({key!r}): {error}") from None
    if not in_notebook():
        return
    from IPython.display import display

    payload: dict[str, Any] = {"key": key, "value": number, "label": label, "fmt": fmt}
    display({RESULT_MIME: json.dumps(payload)}, raw=True)


def format_result(value: float, fmt: str) -> str:
    """A recorded value as the site's results table shows it.

    Integer specs such as ``d`` format whole numbers (``3.0`` with ``",d"`` gives ``3``).

    Args:
        value: The recorded number.
        fmt: The format spec it was recorded with.

    Returns:
        The formatted value.

    Raises:
        ValueError: If ``value`` is not a finite number, or ``fmt`` cannot format it.
    """
    number = float(value) if isinstance(value, int | float) else math.nan
    if not math.isfinite(number):
        raise ValueError(f"result value {value!r} is no finite number")
    if not isinstance(fmt, str):
        raise ValueError(f"result format {fmt!r} cannot format the value {value!r}")
    try:
        return format(number, fmt)
    except ValueError:
        if number.is_integer():
            with contextlib.suppress(ValueError):
                return format(int(number), fmt)
        raise ValueError(f"result format {fmt!r} cannot format the value {value!r}") from None
