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
_TITLE = re.compile(r"^# # (.+?)\s*$", re.MULTILINE)


@dataclass
class PageRecord:
    """One tutorial page of the current build: its source, cache key and run.

    ``key`` is its cache key; ``reason`` why it is executed (None: from the cache);
    ``notebook`` the executed notebook to render (None: render the source); ``seconds``
    and ``cpu_seconds`` the times of that run, ``budget`` its CPU limit; ``results`` what
    it recorded (``report.record_result``); ``error`` why it failed, naming the cell;
    ``ready`` is set once its result or failure is known.
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

    @property
    def display(self) -> str:
        """The page as messages name it, e.g. ``docs/logistic/logistic-function.py``."""
        return f"docs/{self.page}"


def page_title(text: str, fallback: str) -> str:
    """Return the title of a jupytext percent-format page (its ``# # Title`` line)."""
    match = _TITLE.search(text)
    return match.group(1) if match else fallback


def read_text(path: Path, display: str) -> str:
    """The text of the page ``display`` (``docs/...``) at ``path``.

    Raises:
        PluginError: If it cannot be read as UTF-8, naming the page.
    """
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PluginError(f"executed-pages: cannot read {display}: {error}") from error


def read_page(path: Path, display: str) -> nbformat.NotebookNode:
    """Read the jupytext page at ``path`` as a notebook with fixed cell ids.

    Raises:
        PluginError: If it is not a notebook in jupytext's percent format, naming the page.
    """
    suffix = path.suffix.lstrip(".")
    try:
        notebook = jupytext.reads(read_text(path, display),
                                  fmt="py:percent" if suffix == "py" else suffix)
    except Exception as error:  # noqa: BLE001 (jupytext raises many kinds)
        raise PluginError(f"executed-pages: {display} is no percent-format notebook: "
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
    lines = [line for line in notebook.cells[index].source.splitlines() if line.strip()]
    first = (lines or [""])[0]
    return f"code cell {number} (`{first[:67] + '...' if len(first) > 70 else first}`)"


def collect_results(notebook: nbformat.NotebookNode) -> list[dict[str, Any]]:
    """Take the recorded results (invisible outputs) out of ``notebook``.

    Adjacent pieces of one stream are merged: how a kernel splits printed text into
    messages depends on timing, and the page must not.

    Raises:
        ValueError: If a result lacks a field, or its value is no finite number that its
            ``fmt`` can format.
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
    notebook: nbformat.NotebookNode, record: PageRecord, index: int | None
) -> nbformat.NotebookNode:
    """The page as served when it failed: the error first, then what ran until then."""
    source = notebook.cells[index].source if index is not None else ""

    def pre(text: str) -> str:  # one line: a blank line would end the HTML block
        return "<pre>" + html.escape(text).replace("\n", "&#10;") + "</pre>"

    box = (
        '<div class="admonition failure"><p class="admonition-title">This page failed to '
        f"execute</p>{pre(f'{record.display}: {record.error}')}<p>The cell's source:</p>"
        f"{pre(source)}</div>"
    )
    failed = nbformat.from_dict(notebook)
    title = next((c for c in failed.cells if c.cell_type == "markdown"), None)
    failed.cells.insert(failed.cells.index(title) + 1 if title else 0,
                        nbformat.v4.new_markdown_cell(box, id="executed-pages-error"))
    with contextlib.suppress(ValueError):  # (the outputs are stripped all the same)
        collect_results(failed)
    return failed
