"""Invisible outputs of executed pages: headline results and data dependencies."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import nbformat

from tutorial_lib.report import DEPENDENCY_MIME, RESULT_MIME

_INVISIBLE = (RESULT_MIME, DEPENDENCY_MIME)
_RESULT_FIELDS = ("key", "value", "label", "fmt")


@dataclass
class Collected:
    """What a page recorded through ``tutorial_lib.report``.

    Attributes:
        results: ``record_result`` payloads in the order the page emitted them.
        dependencies: Paths given to ``record_dependency``, first occurrence order.
    """

    results: list[dict[str, Any]] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)


def _payload(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else dict(value)


def _merge_adjacent_streams(outputs: list[Any]) -> list[Any]:
    merged: list[Any] = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and output.get("output_type") == previous.get("output_type") == "stream"
            and output.get("name") == previous.get("name")
        ):
            previous["text"] = _text(previous["text"]) + _text(output["text"])
        else:
            merged.append(output)
    return merged


def _text(text: str | list[str]) -> str:
    return text if isinstance(text, str) else "".join(text)


def collect_and_strip(notebook: nbformat.NotebookNode) -> Collected:
    """Collect the result and dependency outputs of ``notebook`` and remove them in place.

    An output that carries only invisible MIME types is dropped; an output that also has
    visible representations keeps those. Adjacent stream outputs of the same stream are
    then merged into one: how the kernel split printed text into messages depends on
    timing (it flushes every few tenths of a second), and the page must not.

    Args:
        notebook: An executed notebook.

    Returns:
        The collected results and dependencies.

    Raises:
        ValueError: If a result payload lacks a field.
    """
    collected = Collected()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            rich = output.get("output_type") in ("display_data", "execute_result")
            data = output.get("data") if rich else None
            if not data or not any(mime in data for mime in _INVISIBLE):
                kept.append(output)
                continue
            if RESULT_MIME in data:
                result = _payload(data[RESULT_MIME])
                missing = [name for name in _RESULT_FIELDS if name not in result]
                if missing:
                    raise ValueError(f"result output without {', '.join(missing)}: {result}")
                collected.results.append({name: result[name] for name in _RESULT_FIELDS})
            if DEPENDENCY_MIME in data:
                path = _payload(data[DEPENDENCY_MIME])["path"]
                if path not in collected.dependencies:
                    collected.dependencies.append(path)
            for mime in _INVISIBLE:
                data.pop(mime, None)
                output.get("metadata", {}).pop(mime, None)
            if data:
                kept.append(output)
        cell.outputs = _merge_adjacent_streams(kept)
    return collected
