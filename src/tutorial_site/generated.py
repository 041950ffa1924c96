"""Generated content: the computation-times page and the home page's results table."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence

from tutorial_lib.report import format_result
from tutorial_site.record import PageRecord

_INTRO = (
    "Every tutorial page is executed when the site is built. A page's result is reused from "
    "the build cache only when nothing it was computed from has changed: the page, the "
    "library sources, the pinned dependencies, the installed packages, the kernel and the "
    "settings; otherwise the last column says what changed. The times of a cached page are "
    "those of the run that produced it. Wall time runs from the kernel's start to the end "
    "of the last cell; CPU time is that of the page's kernel and the processes it started, "
    "which hardly depends on how busy the machine is, so the budget applies to it: a page "
    "over its budget is stopped and fails the build."
)


def _cell(text: str) -> str:
    return text.replace("|", r"\|").replace("\n", " ")


def _link(r: PageRecord, from_page: str) -> str:
    target = posixpath.relpath(r.page, posixpath.dirname(from_page) or ".")
    return f"[{_cell(r.title)}]({target})"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def times_markdown(
    records: Sequence[PageRecord], *, page: str, executed: bool, workers: int, threads: int
) -> str:
    """The Markdown of the computation-times page (``records`` in site order)."""
    if executed:
        ran = sum(r.reason is not None for r in records)
        summary = (
            f"This build: {len(records)} pages, {ran} executed and {len(records) - ran} taken "
            f"from the cache; up to {workers} pages ran in parallel, each kernel with "
            f"{threads} thread(s). Sum of the wall times: "
            f"{_seconds(sum(r.seconds or 0 for r in records))} s; of the CPU times: "
            f"{_seconds(sum(r.cpu_seconds or 0 for r in records))} s."
        )
    else:
        summary = "Page execution was **off** for this build: no times were measured."
    lines = [
        "# Computation times", "", _INTRO, "", summary, "",
        "| Page | Wall time (s) | CPU time (s) | Budget (CPU s) | From cache | Executed because |",
        "| :--- | ---: | ---: | ---: | :---: | :--- |",
    ]
    for r in records:
        cached = "-" if not executed else ("no" if r.reason is not None else "yes")
        why = re.sub(r"([\\`*_|])", r"\\\1", r.reason or "") + (" (failed)" if r.error else "")
        lines.append(f"| {_link(r, page)} | {_seconds(r.seconds)} | {_seconds(r.cpu_seconds)} "
                     f"| {r.budget:g} | {cached} | {why} |")
    return "\n".join(lines) + "\n"


def results_markdown(records: Sequence[PageRecord], *, from_page: str, executed: bool) -> str:
    """The table of every recorded headline result, linking to its page."""
    if not executed:
        return "*The results table is computed when the site is built with page execution on.*"
    rows = [f"| {_cell(result['label'])} | {format_result(result['value'], result['fmt'])} "
            f"| {_link(r, from_page)} |" for r in records for result in r.results]
    if not rows:
        return "*No page recorded a result in this build.*"
    return "\n".join(["| Result | Value | Page |", "| :--- | ---: | :--- |", *rows])


def duplicate_results(records: Sequence[PageRecord]) -> str | None:
    """Say which result key two pages record, if any (keys are unique across the site)."""
    seen: dict[str, str] = {}
    for r in records:
        for key in {result["key"] for result in r.results}:
            if key in seen:
                return (f"result key {key!r} is recorded by {seen[key]} and {r.page}; keys "
                        "must be unique across the site")
            seen[key] = r.page
    return None
