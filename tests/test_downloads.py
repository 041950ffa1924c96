"""tutorial_site.downloads: the set-up cell, solutions and figures in the downloads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tutorial_site.downloads import SETUP, notebook_text, script_text

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "logistic" / "logistic-regression.py"
SETUP_CELL = SETUP.format(site="https://host.test/site/", wheel="tutorial_lib-1-py3-none-any.whl")


def test_set_up_cell_is_short_and_fits_the_code_column():
    lines = SETUP_CELL.splitlines()
    assert len(lines) <= 14 and max(map(len, lines)) <= 72
    assert '"https://host.test/site/"' in SETUP_CELL
    assert 'site + "downloads/tutorial_lib-1-py3-none-any.whl"' in SETUP_CELL


def test_set_up_cell_calls_pip_only_where_tutorial_lib_does_not_import(tmp_path):
    # Here (the project's .venv) tutorial_lib is installed: no pip, no network.
    # A stand-in for the subprocess module, found first (the script's folder leads sys.path).
    (tmp_path / "subprocess.py").write_text(
        "import sys\n\ndef run(command, **options):\n    sys.exit(f'pip: {command}')\n"
    )
    script = tmp_path / "setup.py"
    script.write_text(SETUP_CELL)
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    script.write_text(SETUP_CELL.replace('spec("tutorial_lib")', 'spec("no_such_lib")'))
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    wheel = "https://host.test/site/downloads/tutorial_lib-1-py3-none-any.whl"
    assert result.returncode == 1
    assert result.stderr.strip() == f"pip: {[sys.executable, '-m', 'pip', 'install', wheel]}"


def test_script_keeps_the_jupytext_header_then_the_set_up_cell():
    text = PAGE.read_text()
    assert text.startswith("# ---\n")
    script = script_text(text, SETUP_CELL)
    header = text[: text.index("\n# ---\n") + len("\n# ---\n")]
    assert script.startswith(header + "\n# %%\n# Set-up: install tutorial_lib")
    page, download = (
        jupytext.reads(text, fmt="py:percent"),
        jupytext.reads(script, fmt="py:percent"),
    )
    assert download.cells[0].source == SETUP_CELL.rstrip("\n")
    assert [c.source for c in download.cells[1:]] == [c.source for c in page.cells]
    assert download.metadata["kernelspec"] == page.metadata["kernelspec"]
    assert script_text(text, None) == text


def test_notebook_hides_solutions_and_the_dark_figure_only():
    light = '<img class="tl-figure-light" src="data:image/png;base64,AAAA" alt="a &gt; b">'
    dark = '<img class="tl-figure-dark" src="data:image/png;base64,BBBB" alt="a &gt; b">'
    figure = f'<figure class="tl-figure">{light}{dark}</figure>'
    shown = new_output("display_data", data={"text/html": figure, "text/plain": "<HTML>"})
    printed = new_output("stream", name="stdout", text="4\n")
    notebook = new_notebook(
        cells=[
            new_markdown_cell("# Title"),
            new_code_cell("show()", outputs=[shown]),
            new_markdown_cell("**Solution 1.** Four.", metadata={"tags": ["solution"]}),
            new_code_cell("print(2 + 2)", outputs=[printed], metadata={"tags": ["solution"]}),
            new_code_cell("x = 1", metadata={"tags": ["solution", "remove_input"]}),
        ],
        metadata={"jupytext": {"formats": "py"}, "executed_pages": {"key": "k"}},
    )
    result = nbformat.reads(notebook_text(notebook, SETUP_CELL), as_version=4)
    nbformat.validate(result)
    assert [c.id for c in result.cells] == [f"cell-{i}" for i in range(6)]
    assert result.cells[0].source == SETUP_CELL.rstrip("\n") and result.cells[0].outputs == []
    assert (
        result.cells[2].outputs[0].data["text/html"]
        == f'<figure class="tl-figure">{light}</figure>'
    )
    hidden = [c.metadata.get("jupyter") for c in result.cells]
    assert hidden == [
        None,
        None,
        None,
        {"source_hidden": True, "outputs_hidden": False},
        {"source_hidden": True, "outputs_hidden": True},
        {"source_hidden": True, "outputs_hidden": False},
    ]
    assert set(result.metadata) == {"kernelspec", "language_info"}
    assert result.metadata.kernelspec.name == "python3"


def test_notebook_without_set_up_cell_keeps_its_cells():
    notebook = new_notebook(cells=[new_markdown_cell("# Title"), new_code_cell("x = 1")])
    result = nbformat.reads(notebook_text(notebook, None), as_version=4)
    assert [c.source for c in result.cells] == ["# Title", "x = 1"]


def test_relative_markdown_links_become_absolute_from_the_page_url():
    text = (
        "[a](../../glossary/#loss), [b](../gradient-descent/), [c](#here), "
        "[d](https://other.test/x), [e](/root/), ![f](figure.png)"
    )
    notebook = new_notebook(cells=[new_markdown_cell(text), new_code_cell("# [a](../x/)")])
    page_url = "https://host.test/site/logistic/logistic-regression/"
    result = nbformat.reads(notebook_text(notebook, None, page_url), as_version=4)
    assert result.cells[0].source == (
        "[a](https://host.test/site/glossary/#loss), "
        "[b](https://host.test/site/logistic/gradient-descent/), [c](#here), "
        "[d](https://other.test/x), [e](/root/), "
        "![f](https://host.test/site/logistic/logistic-regression/figure.png)"
    )
    assert result.cells[1].source == "# [a](../x/)"
