"""Every tutorial page offers itself as a clean .ipynb and as .py, linked under its title."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin

import jupytext
import nbformat
import pytest
from bs4 import BeautifulSoup

PAGE = """
    from tutorial_lib.report import record_result

    total = sum(range(10))
    print(f"total = {total}")
    record_result("total", total, "Total", fmt=".0f")
"""


@pytest.fixture
def site(mini_site):
    mini_site.write_page("chapter/alpha.py", "Alpha page", PAGE)
    mini_site.configure()
    result = mini_site.build()
    assert result.returncode == 0, result.stdout + result.stderr
    return mini_site


def download_links(html: str) -> dict[str, str]:
    soup = BeautifulSoup(html, "html.parser")
    return {a["href"].rsplit(".", 1)[1]: a["href"] for a in soup.select("a[download]")}


def test_downloads_are_written_next_to_the_page_and_linked_under_the_title(site):
    html = site.html("chapter/alpha.py")
    links = download_links(html)
    assert links == {"ipynb": "alpha.ipynb", "py": "alpha.py"}
    # Under the title, before the first code cell.
    assert html.index("</h1>") < html.index('href="alpha.ipynb"') < html.index("total = 45")
    page_url = "http://site/chapter/alpha/"
    for href in links.values():
        target = urljoin(page_url, href).removeprefix("http://site/")
        assert (site.site / target).is_file()
    source = site.docs / "chapter" / "alpha.py"
    assert (site.site / "chapter" / "alpha" / "alpha.py").read_bytes() == source.read_bytes()


def test_downloaded_notebook_is_clean_and_matches_the_source(site):
    path = site.site / "chapter" / "alpha" / "alpha.ipynb"
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(cell.outputs == [] and cell.execution_count is None for cell in code)
    expected = jupytext.read(site.docs / "chapter" / "alpha.py")
    assert [c.source for c in notebook.cells] == [c.source for c in expected.cells]


def test_downloaded_notebook_runs(site, tmp_path):
    env = dict(os.environ)
    env.update({"MINI_RUNS_LOG": str(site.runs_log), "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--output-dir",
            str(tmp_path),
            str(site.site / "chapter" / "alpha" / "alpha.ipynb"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    executed = nbformat.read(tmp_path / "alpha.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert "total = 45" in text
    assert site.runs() == ["alpha", "alpha"]  # the build's run, then ours


def test_downloads_exist_with_execution_off(mini_site):
    mini_site.write_page("chapter/alpha.py", "Alpha page", PAGE)
    mini_site.configure(execute=False)
    result = mini_site.build()
    assert result.returncode == 0, result.stdout + result.stderr
    assert mini_site.runs() == []
    folder = Path(mini_site.site, "chapter", "alpha")
    assert (folder / "alpha.py").is_file() and (folder / "alpha.ipynb").is_file()
    assert download_links(mini_site.html("chapter/alpha.py"))["ipynb"] == "alpha.ipynb"
