"""Content the plugin generates: the computation-times page and the results table."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jupytext
import nbformat

#: Kernel spec written into executed notebooks.
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
_TITLE = re.compile(r"^# # (.+?)\s*$", re.MULTILINE)


@dataclass
class PageRecord:
    """One tutorial page in the current build.

    Attributes:
        page: Path relative to the docs folder, e.g. ``logistic/logistic-function.py``.
        source: Absolute path of the page's ``.py`` source.
        title: The page's title (its first ``# # Title`` line), or its path.
        budget: Budget in seconds of kernel CPU time (of wall time where CPU time is unknown).
        seconds: Wall time of the run whose result is shown (None if not executed).
        cpu_seconds: Kernel CPU time of that run (None if not executed or not measurable).
        cached: Whether the result came from the cache.
        results: Headline results the page recorded.
    """

    page: str
    source: Path
    title: str
    budget: float
    seconds: float | None = None
    cpu_seconds: float | None = None
    cached: bool = False
    results: list[dict[str, Any]] = field(default_factory=list)

    @property
    def charged_seconds(self) -> float | None:
        """The time counted against the budget: kernel CPU time, else wall time."""
        return self.cpu_seconds if self.cpu_seconds is not None else self.seconds


def page_title(text: str, fallback: str) -> str:
    """Return the title of a jupytext percent-format page (its ``# # Title`` line)."""
    match = _TITLE.search(text)
    return match.group(1) if match else fallback


def read_page(path: Path, text: str | None = None) -> nbformat.NotebookNode:
    """Read a jupytext page as a notebook (Python 3 kernel spec, fixed cell ids, no outputs).

    Args:
        path: The page's ``.py`` file.
        text: Its content if already read (so a notebook matches the bytes it is keyed on).

    Returns:
        The notebook.
    """
    if text is None:
        text = path.read_text(encoding="utf-8")
    notebook = jupytext.reads(text, fmt=path.suffix.lstrip("."))
    for index, cell in enumerate(notebook.cells):
        # nbformat makes random cell ids; fixed ones keep executed notebooks reproducible.
        cell["id"] = f"cell-{index}"
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata.setdefault("language_info", {"name": "python"})
    return notebook


def _escape_cell(text: str) -> str:
    return text.replace("|", r"\|").replace("\n", " ")


def _link(record: PageRecord, from_page: str) -> str:
    base = posixpath.dirname(from_page) or "."
    target = posixpath.relpath(record.page, base)
    return f"[{_escape_cell(record.title)}]({target})"


def _seconds(value: float) -> str:
    return f"{value:.2f}"


def computation_times_markdown(
    records: Sequence[PageRecord],
    *,
    page: str,
    executed: bool,
    workers: int,
    threads: int,
) -> str:
    """Return the Markdown of the computation-times page.

    Args:
        records: The tutorial pages, in site order.
        page: Path of the generated page relative to the docs folder (for relative links).
        executed: Whether page execution was on in this build.
        workers: Number of parallel kernels.
        threads: Threads per kernel.

    Returns:
        The page's Markdown.
    """
    lines = [
        "# Computation times",
        "",
        "Every tutorial page is executed when the site is built. A page's result is reused "
        "from the build cache only when nothing it was computed from has changed: the page, "
        "the library sources, the pinned dependencies, the Python environment, and the data "
        "files the page read. The times of a cached page are those of the run that produced "
        "it. Wall time runs from the kernel's start to the end of the last cell; CPU time is "
        "that of the page's kernel (start-up included), which hardly depends on how busy the "
        "machine is, so the budget applies to it. A page over its budget fails the build.",
        "",
    ]
    if not executed:
        lines += [
            "Page execution was **off** for this build: the pages show their code without "
            "outputs, and no times were measured.",
            "",
        ]
    fresh = [r for r in records if r.seconds is not None and not r.cached]
    cached = [r for r in records if r.seconds is not None and r.cached]
    if executed:
        total = sum(r.seconds or 0.0 for r in records)
        total_cpu = sum(r.cpu_seconds or 0.0 for r in records)
        lines += [
            f"This build: {len(records)} pages, {len(fresh)} executed in this build and "
            f"{len(cached)} taken from the cache; up to {workers} pages ran in parallel, each "
            f"kernel with {threads} thread(s). Sum of the wall times: {_seconds(total)} s; "
            f"of the CPU times: {_seconds(total_cpu)} s.",
            "",
        ]
    lines += [
        "| Page | Wall time (s) | CPU time (s) | From cache | Budget (CPU s) |",
        "| :--- | ---: | ---: | :---: | ---: |",
    ]
    for record in records:
        seconds = "-" if record.seconds is None else _seconds(record.seconds)
        cpu = "-" if record.cpu_seconds is None else _seconds(record.cpu_seconds)
        source = "-" if record.seconds is None else ("yes" if record.cached else "no")
        lines.append(
            f"| {_link(record, page)} | {seconds} | {cpu} | {source} | {record.budget:g} |"
        )
    return "\n".join(lines) + "\n"


def results_table_markdown(records: Sequence[PageRecord], *, from_page: str, executed: bool) -> str:
    """Return the Markdown table of every recorded headline result, linking to its page.

    Args:
        records: The tutorial pages in site order, with their results.
        from_page: Path (relative to the docs folder) of the page holding the table.
        executed: Whether page execution was on in this build.

    Returns:
        The table's Markdown (or a sentence saying why there is none).
    """
    if not executed:
        return "*The results table is computed when the site is built with page execution on.*"
    rows = []
    for record in records:
        for result in record.results:
            value = format_value(float(result["value"]), result.get("fmt") or ".4f")
            rows.append(
                f"| {_escape_cell(result['label'])} | {value} | {_link(record, from_page)} |"
            )
    if not rows:
        return "*No page recorded a result in this build.*"
    header = ["| Result | Value | Page |", "| :--- | ---: | :--- |"]
    return "\n".join(header + rows)


def format_value(value: float, fmt: str) -> str:
    """Format a recorded value with its format spec (integer specs such as ``d`` included).

    Raises:
        ValueError: If ``fmt`` does not fit the value.
    """
    try:
        return format(value, fmt)
    except ValueError:
        if value.is_integer():
            return format(int(value), fmt)
        raise
