"""tutorial_lib.report: prose and results outside and inside a Jupyter kernel."""

from __future__ import annotations

import json
import math

import nbformat
import pytest
from nbclient import NotebookClient

from tutorial_lib.report import (
    RESULT_MIME,
    in_notebook,
    record_result,
    show_markdown,
)


def test_outside_a_notebook_markdown_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    assert not in_notebook()
    show_markdown("w = **1.2345**")
    assert capsys.readouterr().out == "w = **1.2345**\n"


def test_outside_a_notebook_results_print_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    record_result("k", 0.5, "A label")
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_results_are_rejected(value: float) -> None:
    with pytest.raises(ValueError, match="non-finite"):
        record_result("k", value, "A label")


def test_empty_key_is_rejected() -> None:
    with pytest.raises(ValueError, match="key"):
        record_result("", 1.0, "A label")


def test_in_a_kernel_outputs_are_markdown_and_invisible_payloads() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from tutorial_lib.report import show_markdown, record_result\n"
            "show_markdown('p = **0.75**')\n"
            "record_result('p_pass', 0.75, 'Probability of passing')\n"
        )
    ]
    NotebookClient(nb, kernel_name="python3", timeout=120, allow_errors=False).execute()
    outputs = nb.cells[0].outputs
    assert outputs[0]["data"]["text/markdown"] == "p = **0.75**"
    result = json.loads(outputs[1]["data"][RESULT_MIME])
    assert result == {
        "key": "p_pass",
        "value": 0.75,
        "label": "Probability of passing",
        "fmt": ".4f",
    }
    assert set(outputs[1]["data"]) == {RESULT_MIME}
    assert len(outputs) == 2


@pytest.mark.parametrize("fmt", ["%.2f", "{:.2f}", ".2x"])
def test_a_format_that_cannot_show_the_value_is_rejected(fmt: str) -> None:
    with pytest.raises(ValueError, match="cannot format"):
        record_result("k", 0.5, "label", fmt=fmt)


def test_integer_formats_show_whole_numbers() -> None:
    record_result("k", 3.0, "label", fmt=",d")  # as the results table formats it
    with pytest.raises(ValueError, match="cannot format"):
        record_result("k", 3.5, "label", fmt="d")
