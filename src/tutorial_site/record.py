"""The page record: one tutorial page of a build, its notebook and what its run gave."""

from __future__ import annotations

import contextlib
import html
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jupytext
import nbformat
from mkdocs.exceptions import PluginError

from tutorial_lib.report import RESULT_MIME, format_result

#: Kernel spec written into every notebook (executed ones and the downloads).
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


@dataclass
class PageRecord:
    """One tutorial page of the current build, from its source to its run.

    ``reason`` says why it is executed (None: taken from the cache); ``notebook`` is the
    executed notebook to render (None: the source); ``cpu_seconds`` is checked against
    ``budget``; ``error`` says why it failed, naming the cell; ``ready`` is set once its
    result or its failure is known.
    """

    page: str
    source: Path
    title: str
    budget: float
    key: str = ""
    reason: str | None = None
    notebook: Path | None = None
    seconds: float | None = None
    cpu_seconds: float | None = None
    results: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    ready: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def read(cls, page: str, source: Path, budget: float) -> PageRecord:
        """The record of ``page``, titled by its ``# # Title`` line."""
        title = re.search(r"^# # (.+?)\s*$", read_text(source, f"docs/{page}"), re.MULTILINE)
        return cls(page, source, title.group(1) if title else page, budget)

    @property
    def display(self) -> str:
        """The page as messages name it, e.g. ``docs/logistic/logistic-function.py``."""
        return f"docs/{self.page}"


def read_text(path: Path, display: str) -> str:
    """The text of the page ``display``; a PluginError names it if it is no UTF-8 file."""
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PluginError(f"executed-pages: cannot read {display}: {error}") from error


def read_page(r: PageRecord) -> nbformat.NotebookNode:
    """The page as a notebook with fixed cell ids; a PluginError names it if it is none."""
    try:
        notebook = jupytext.reads(read_text(r.source, r.display), fmt="py:percent")
    except Exception as error:  # noqa: BLE001 (jupytext raises many kinds)
        raise PluginError(f"executed-pages: {r.display} is no percent-format notebook: "
                          f"{type(error).__name__}: {error}") from error
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index}"  # nbformat's are random: outputs must be reproducible
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata.setdefault("language_info", {"name": "python"})
    return notebook


def cell_label(notebook: nbformat.NotebookNode, index: int | None) -> str:
    """Name a cell for a message: ``code cell 3 (`first line`)``."""
    if index is None or not 0 <= index < len(notebook.cells):
        return "before the first cell"
    number = sum(cell.cell_type == "code" for cell in notebook.cells[: index + 1])
    first = next((line for line in notebook.cells[index].source.splitlines() if line.strip()), "")
    return f"code cell {number} (`{first[:67] + '...' if len(first) > 70 else first}`)"


def collect_results(notebook: nbformat.NotebookNode) -> list[dict[str, Any]]:
    """Take the recorded results (invisible outputs) out of ``notebook``.

    Adjacent pieces of one stream are merged too: how a kernel splits printed text into
    messages depends on timing, and the page must not.

    Raises:
        ValueError: If a result lacks a field, or its ``fmt`` cannot format its value.
    """
    results = []
    for cell in notebook.cells:
        kept: list[Any] = []
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if RESULT_MIME in data:
                value = data.pop(RESULT_MIME)
                results.append(json.loads(value) if isinstance(value, str) else dict(value))
            if "data" in output and not data:
                continue
            last = kept[-1] if kept else {}
            if output.get("name") and last.get("name") == output["name"]:
                last["text"] = "".join(last["text"]) + "".join(output["text"])
            else:
                kept.append(output)
        if cell.cell_type == "code":
            cell.outputs = kept
    fields = ("key", "value", "label", "fmt")
    for result in results:  # checked after stripping all (for the error page)
        missing = set(fields) - set(result)
        if missing:
            raise ValueError(f"result without {', '.join(sorted(missing))}: {result}")
        format_result(result["value"], result["fmt"])  # fail this page, not the table's
    return [{name: result[name] for name in fields} for result in results]


def error_notebook(
    notebook: nbformat.NotebookNode, r: PageRecord, index: int | None
) -> nbformat.NotebookNode:
    """The page as served when it failed: the error first, then what ran until then."""

    def pre(text: str) -> str:  # one line: a blank line would end the HTML block
        return "<pre>" + html.escape(text).replace("\n", "&#10;") + "</pre>"

    source = notebook.cells[index].source if index is not None else ""
    box = ('<div class="admonition failure"><p class="admonition-title">This page failed to '
           f"execute</p>{pre(f'{r.display}: {r.error}')}<p>The cell's source:</p>"
           f"{pre(source)}</div>")
    failed = nbformat.from_dict(notebook)
    title = next((c for c in failed.cells if c.cell_type == "markdown"), None)
    failed.cells.insert(failed.cells.index(title) + 1 if title else 0,
                        nbformat.v4.new_markdown_cell(box, id="executed-pages-error"))
    with contextlib.suppress(ValueError):  # (the outputs are stripped all the same)
        collect_results(failed)
    return failed
