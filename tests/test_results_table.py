"""The home page's results table: every recorded headline number, formatted, with its page."""

from __future__ import annotations

import json
import re

import nbformat
import pytest
from bs4 import BeautifulSoup

from tutorial_lib.report import RESULT_MIME
from tutorial_site.record import collect_results

ALPHA = """
    from tutorial_lib.report import record_result

    ratio = 2 / 3
    print(f"ratio = {ratio}")
    record_result("alpha_ratio", ratio, "Alpha ratio", fmt=".3f")
    record_result("alpha_percent", ratio, "Alpha | as a percentage", fmt=".1%")
"""
BETA = """
    from tutorial_lib.report import record_result

    record_result("beta_count", 12, "Beta count", fmt="d")
"""


def check(result) -> None:
    assert result.returncode == 0, f"build failed:\n{result.stdout}\n{result.stderr}"


def table_rows(html: str) -> list[tuple[str, str, str, str]]:
    soup = BeautifulSoup(html, "html.parser")
    rows = []
    for tr in soup.find("table").find("tbody").find_all("tr"):
        label, value, page = tr.find_all("td")
        link = page.find("a")
        rows.append((label.get_text(), value.get_text(), link.get_text(), link["href"]))
    return rows


@pytest.fixture
def site(mini_site):
    mini_site.write_page("chapter/beta.py", "Beta page", BETA)
    mini_site.write_page("chapter/alpha.py", "Alpha page", ALPHA)  # nav: beta, then alpha
    mini_site.configure()
    check(mini_site.build())
    return mini_site


def test_results_table_replaces_the_marker_in_nav_order(site):
    html = site.html("index.md")
    assert "results-table" not in html
    assert table_rows(html) == [
        ("Beta count", "12", "Beta page", "chapter/beta/"),
        ("Alpha ratio", "0.667", "Alpha page", "chapter/alpha/"),
        ("Alpha | as a percentage", "66.7%", "Alpha page", "chapter/alpha/"),
    ]
    for href in ("chapter/beta/", "chapter/alpha/"):
        assert (site.site / href / "index.html").is_file()


def test_results_come_from_the_cache_on_a_warm_build(site):
    check(site.build())
    assert sorted(site.runs()) == ["alpha", "beta"]
    assert [row[1] for row in table_rows(site.html("index.md"))] == ["12", "0.667", "66.7%"]


def test_invisible_outputs_are_stripped_from_pages_and_cached_notebooks(site):
    for page in ("chapter/alpha.py", "chapter/beta.py"):
        assert "vnd.tutorial-lib" not in site.html(page)
        # and mkdocs-jupyter's duplicate, unscoped Pygments CSS for .ipynb input is gone
        assert not re.search(r"<style>\s*\[", site.html(page))
    assert "ratio = 0.6666" in site.html("chapter/alpha.py")
    for path in site.cache.glob("*/*.ipynb"):
        assert "vnd.tutorial-lib" not in path.read_text()
    entries = [json.loads(p.read_text()) for p in site.cache.glob("*.json")]
    assert sorted(r["key"] for e in entries for r in e["results"]) == [
        "alpha_percent",
        "alpha_ratio",
        "beta_count",
    ]


def test_duplicate_result_keys_fail_the_build(site):
    site.write_page("chapter/beta.py", "Beta page", BETA.replace("beta_count", "alpha_ratio"))
    result = site.build()
    assert result.returncode != 0
    text = result.stdout + result.stderr
    assert "alpha_ratio" in text and "chapter/alpha.py" in text and "chapter/beta.py" in text


def test_collect_results_keeps_visible_representations():
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    result = {"key": "k", "value": 1.5, "label": "K", "fmt": ".2f"}
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="hello\n"),
        nbformat.v4.new_output(
            "display_data",
            data={RESULT_MIME: json.dumps(result), "text/plain": "shown"},
        ),
    ]
    notebook.cells = [nbformat.v4.new_markdown_cell("# T"), cell]
    assert collect_results(notebook) == [result]
    assert [o.output_type for o in cell.outputs] == ["stream", "display_data"]
    assert cell.outputs[1].data == {"text/plain": "shown"}


def test_collect_results_merges_adjacent_pieces_of_one_stream():
    # How a kernel splits printed text into messages depends on timing; the page must not.
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    result = {"key": "k", "value": 1.5, "label": "K", "fmt": ".2f"}
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="a\n"),
        nbformat.v4.new_output("display_data", data={RESULT_MIME: json.dumps(result)}),
        nbformat.v4.new_output("stream", name="stdout", text=["b\n", "c\n"]),
        nbformat.v4.new_output("stream", name="stderr", text="warning\n"),
        nbformat.v4.new_output("stream", name="stdout", text="d\n"),
        nbformat.v4.new_output("display_data", data={"text/plain": "figure"}),
        nbformat.v4.new_output("stream", name="stdout", text="e\n"),
    ]
    notebook.cells = [cell]
    collect_results(notebook)
    shown = [(o.output_type, o.get("name"), o.get("text")) for o in cell.outputs]
    assert shown == [
        ("stream", "stdout", "a\nb\nc\n"),
        ("stream", "stderr", "warning\n"),
        ("stream", "stdout", "d\n"),
        ("display_data", None, None),
        ("stream", "stdout", "e\n"),
    ]


def test_result_without_a_field_is_an_error():
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data={RESULT_MIME: '{"key": "k"}'})]
    notebook.cells = [cell]
    with pytest.raises(ValueError, match="label"):
        collect_results(notebook)
