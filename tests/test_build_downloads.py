"""Every tutorial page offers a clean notebook, a notebook with outputs and a script; the site
publishes the library's wheel, requirements.txt and notebooks.zip under downloads/."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from urllib.parse import urljoin

import jupytext
import nbformat
import pytest
from bs4 import BeautifulSoup

SITE_URL = "https://tutorials.example.test/course/"
WHEEL = "tutorial_lib-9.9.9-py3-none-any.whl"
PAGE = """
    from tutorial_lib.report import record_result

    total = sum(range(10))
    print(f"total = {total}")
    record_result("total", total, "Total", fmt=".0f")
"""
FIGURE = """
    from IPython.display import HTML, display
    from tutorial_lib.plotting import figure_html

    display(HTML(figure_html(b"light", b"dark", "A figure")))
"""
LINKS = """
    # %% [markdown]
    # See [About](../../about/), [Alpha](#alpha-page) and [Home](https://home.test/).
"""
SOLUTION = """
    # %% [markdown] tags=["solution"]
    # **Solution 1.** The total is 45.

    # %% tags=["solution"]
    assert total == 45
    print("checked")
"""


def add_library(site, *, site_url: str | None = SITE_URL) -> None:
    """Give the mini project a library in src/tutorial_lib (so it gets a wheel), a site_url."""
    package = site.root / "src" / "tutorial_lib"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""Stand-in library."""\n')
    (site.root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "tutorial-lib"\nversion = "9.9.9"\ndependencies = ["numpy>=1.26"]\n'
        '[tool.setuptools.packages.find]\nwhere = ["src"]\n'
    )
    (site.root / "constraints.txt").write_text("numpy==2.4.6\ntorch==2.14.1\nrich==1.0\n")
    config = json.loads((site.root / "mkdocs.yml").read_text())
    if site_url:
        config["site_url"] = site_url
    (site.root / "mkdocs.yml").write_text(json.dumps(config))


@pytest.fixture
def site(mini_site):
    mini_site.write_page("chapter/alpha.py", "Alpha page", PAGE, FIGURE, LINKS, SOLUTION)
    mini_site.configure()
    add_library(mini_site)
    result = mini_site.build()
    assert result.returncode == 0, result.stdout + result.stderr
    return mini_site


def download_links(html: str) -> dict[str, str]:
    soup = BeautifulSoup(html, "html.parser")
    return {a.get_text(): a["href"] for a in soup.select("a[download]")}


def test_links_under_the_title_point_at_files_next_to_the_page(site):
    html = site.html("chapter/alpha.py")
    links = download_links(html)
    assert links == {
        "notebook": "alpha.ipynb",
        "notebook with outputs": "alpha-outputs.ipynb",
        "Python script": "alpha.py",
    }
    assert html.index("</h1>") < html.index('href="alpha.ipynb"') < html.index("total = 45")
    for href in links.values():
        target = urljoin("http://site/chapter/alpha/", href).removeprefix("http://site/")
        assert (site.site / target).is_file()


def setup_cell(url: str) -> str:
    return f'    site = "{url}"\n    wheel = site + "downloads/{WHEEL}"\n'


def test_clean_notebook_starts_with_the_set_up_cell_and_hides_solutions(site):
    notebook = nbformat.read(site.site / "chapter" / "alpha" / "alpha.ipynb", as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    assert "jupytext" not in notebook.metadata
    setup, *cells = notebook.cells
    assert setup.cell_type == "code" and setup_cell(SITE_URL) in setup.source
    expected = jupytext.read(site.docs / "chapter" / "alpha.py")
    # Relative links point at the site: the notebook may be opened anywhere.
    absolute = f"[About]({SITE_URL}about/), [Alpha](#alpha-page) and [Home](https://home.test/)"
    for cell in expected.cells:
        cell.source = cell.source.replace("[About](../../about/)", f"[About]({SITE_URL}about/)")
    assert [c.source for c in cells] == [c.source for c in expected.cells]
    assert sum(absolute in c.source for c in cells) == 1
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    solutions = [c for c in cells if "solution" in c.metadata.get("tags", [])]
    assert [c.cell_type for c in solutions] == ["markdown", "code"]
    assert all(c.metadata["jupyter"]["source_hidden"] for c in solutions)
    others = [c for c in notebook.cells if c not in solutions]
    assert all("jupyter" not in c.metadata for c in others)


def test_notebook_with_outputs_keeps_the_light_figure_only(site):
    path = site.site / "chapter" / "alpha" / "alpha-outputs.ipynb"
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert setup_cell(SITE_URL) in notebook.cells[0].source
    assert "executed_pages" not in notebook.metadata
    outputs = [o for c in notebook.cells[1:] for o in c.get("outputs", [])]
    text = "".join(o.get("text", "") for o in outputs)
    assert "total = 45" in text and "checked" in text
    html = "".join(o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {}))
    assert html.count('class="tl-figure-light"') == 1 and "tl-figure-dark" not in html
    # The site itself keeps both variants.
    assert "tl-figure-dark" in site.html("chapter/alpha.py")
    solution = [c for c in notebook.cells if c.metadata.get("tags") == ["solution"]][-1]
    assert solution.outputs and solution.metadata["jupyter"] == {
        "source_hidden": True,
        "outputs_hidden": True,
    }


def test_script_is_the_source_with_the_set_up_cell_first(site):
    script = (site.site / "chapter" / "alpha" / "alpha.py").read_text()
    source = (site.docs / "chapter" / "alpha.py").read_text()
    assert setup_cell(SITE_URL) in script and script.endswith("\n\n" + source)
    cells = jupytext.reads(script, fmt="py:percent").cells
    assert [c.source for c in cells[1:]] == [c.source for c in jupytext.reads(source).cells]
    assert cells[0].source.startswith("# Set-up: install tutorial_lib")


def test_downloaded_notebook_runs(site, tmp_path):
    # tutorial_lib is importable here, so the set-up cell does nothing.
    env = dict(os.environ)
    env.update({"MINI_RUNS_LOG": str(site.runs_log), "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
    notebook = site.site / "chapter" / "alpha" / "alpha.ipynb"
    result = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute"]
        + ["--output-dir", str(tmp_path), str(notebook)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    executed = nbformat.read(tmp_path / "alpha.ipynb", as_version=4)
    assert executed.cells[0].outputs == []  # nothing installed
    text = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert "total = 45" in text and "checked" in text
    assert site.runs() == ["alpha", "alpha"]  # the build's run, then ours


def test_site_publishes_wheel_requirements_and_archive(site):
    folder = site.site / "downloads"
    assert sorted(p.name for p in folder.iterdir()) == [
        "notebooks.zip",
        "requirements.txt",
        WHEEL,
    ]
    with zipfile.ZipFile(folder / WHEEL) as wheel:
        packages = {name.split("/")[0] for name in wheel.namelist()}
    assert packages == {"tutorial_lib", "tutorial_lib-9.9.9.dist-info"}
    requirements = (folder / "requirements.txt").read_text().splitlines()
    assert [line for line in requirements if not line.startswith("#")] == [
        "torch>=2.14.1",
        "torchvision",
        "matplotlib",
        "numpy>=2.4.6",
    ]
    with zipfile.ZipFile(folder / "notebooks.zip") as archive:
        names = archive.namelist()
        readme = archive.read("notebooks/README.md").decode()
        assert archive.read(f"notebooks/{WHEEL}") == (folder / WHEEL).read_bytes()
        clean = (site.site / "chapter" / "alpha" / "alpha.ipynb").read_bytes()
        assert archive.read("notebooks/chapter/alpha.ipynb") == clean
    assert sorted(names) == sorted(
        f"notebooks/{n}" for n in ["README.md", "requirements.txt", WHEEL, "chapter/alpha.ipynb"]
    )
    for name in names:
        assert f"`{name.removeprefix('notebooks/')}`" in readme
    assert f"pip install -r requirements.txt {WHEEL} jupyterlab" in readme


def test_wheel_is_built_once_per_version_of_the_library(site):
    wheel = site.site / "downloads" / WHEEL
    first = wheel.read_bytes()
    cached = sorted(site.root.glob(f".cache/downloads/wheel-*/{WHEEL}"))
    assert len(cached) == 1
    built_at = cached[0].stat().st_mtime_ns
    assert site.build().returncode == 0
    assert cached[0].stat().st_mtime_ns == built_at and wheel.read_bytes() == first
    (site.root / "src" / "tutorial_lib" / "extra.py").write_text('"""More."""\n')
    assert site.build().returncode == 0
    with zipfile.ZipFile(wheel) as archive:
        assert "tutorial_lib/extra.py" in archive.namelist()


def test_cache_drops_what_no_build_used_for_an_hour(site):
    cache = site.root / ".cache" / "downloads"
    in_use = sorted(p.name for p in cache.iterdir())
    assert len([n for n in in_use if n.startswith("wheel-")]) == 1
    assert len([n for n in in_use if n.endswith(".json")]) == 2  # clean, with outputs
    stale, recent = cache / "stale.json", cache / "recent.json"
    stale.write_text("{}")
    recent.write_text("{}")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))
    for path in cache.iterdir():  # what this build uses stays, however old
        os.utime(path, (two_hours_ago, two_hours_ago))
    os.utime(recent)
    assert site.build().returncode == 0
    assert sorted(p.name for p in cache.iterdir()) == sorted([*in_use, "recent.json"])


def test_a_damaged_cached_download_is_made_again(site):
    notebook = site.site / "chapter" / "alpha" / "alpha.ipynb"
    good = notebook.read_bytes()
    for kept in (site.root / ".cache" / "downloads").glob("*.json"):
        kept.write_text(kept.read_text().replace("cell-", "cell_"))
    assert site.build().returncode == 0
    assert notebook.read_bytes() == good


@pytest.mark.parametrize("damage", ["truncated", "altered", "missing"])
def test_a_damaged_cached_wheel_is_built_again(site, damage):
    published = site.site / "downloads" / WHEEL
    good = published.read_bytes()
    (cached,) = site.root.glob(f".cache/downloads/wheel-*/{WHEEL}")
    if damage == "missing":
        cached.unlink()
    else:  # cut short, or one byte of the compressed data changed (CRC-32 then differs)
        data = bytearray(good[: len(good) // 2] if damage == "truncated" else good)
        data[len(data) // 4] ^= 0xFF
        cached.write_bytes(bytes(data))
    result = site.build()
    assert result.returncode == 0, result.stdout + result.stderr
    if damage != "missing":
        assert "cached wheel damaged, building it again" in result.stderr
    assert published.read_bytes() == good and cached.read_bytes() == good


def test_markdown_links_to_the_downloads_validate_under_strict(site):
    index = site.docs / "index.md"
    index.write_text(
        index.read_text() + "\n[All notebooks](downloads/notebooks.zip), "
        "[requirements](downloads/requirements.txt).\n"
    )
    result = site.build()
    assert result.returncode == 0, result.stdout + result.stderr
    index.write_text(index.read_text() + "\n[Missing](downloads/missing.zip)\n")
    result = site.build()
    assert result.returncode != 0 and "downloads/missing.zip" in result.stdout + result.stderr


def test_site_url_can_be_overridden_by_the_environment(site):
    result = site.build(env={"TUTORIAL_SITE_URL": "http://127.0.0.1:8123"})
    assert result.returncode == 0, result.stdout + result.stderr
    notebook = nbformat.read(site.site / "chapter" / "alpha" / "alpha.ipynb", as_version=4)
    assert setup_cell("http://127.0.0.1:8123/") in notebook.cells[0].source


def test_a_library_without_site_url_is_an_error(mini_site):
    mini_site.write_page("chapter/alpha.py", "Alpha page", PAGE)
    mini_site.configure()
    add_library(mini_site, site_url=None)
    result = mini_site.build()
    assert result.returncode != 0 and "site_url" in result.stdout + result.stderr


def test_downloads_exist_with_execution_off(mini_site):
    mini_site.write_page("chapter/alpha.py", "Alpha page", PAGE)
    mini_site.configure(execute=False)
    result = mini_site.build()
    assert result.returncode == 0, result.stdout + result.stderr
    assert mini_site.runs() == []
    folder = Path(mini_site.site, "chapter", "alpha")
    assert sorted(p.name for p in folder.iterdir()) == ["alpha.ipynb", "alpha.py", "index.html"]
    links = download_links(mini_site.html("chapter/alpha.py"))
    assert links == {"notebook": "alpha.ipynb", "Python script": "alpha.py"}
    # No library in this project: no wheel, no set-up cell.
    assert (folder / "alpha.py").read_bytes() == (
        mini_site.docs / "chapter" / "alpha.py"
    ).read_bytes()
    assert not (mini_site.site / "downloads" / WHEEL).exists()
