"""A page that raises (or hangs) fails the build, and the message names the page and cell."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_build

GOOD = 'print("fine")'


def output(result) -> str:
    return result.stdout + result.stderr


def test_raising_cell_fails_the_build_naming_page_cell_and_exception(mini_site):
    mini_site.write_page("chapter/alpha.py", "Alpha", GOOD, 'raise RuntimeError("boom")')
    mini_site.write_page("chapter/beta.py", "Beta", GOOD)
    mini_site.configure()
    result = mini_site.build()
    assert result.returncode != 0
    text = output(result)
    assert "docs/chapter/alpha.py" in text
    assert "RuntimeError: boom" in text
    assert "code cell 3" in text  # the log cell, GOOD, then the raising one
    assert "docs/chapter/beta.py" not in text

    # The page that succeeded was cached; fixing the broken one re-runs only it.
    mini_site.write_page("chapter/alpha.py", "Alpha", GOOD)
    assert mini_site.build().returncode == 0
    assert sorted(mini_site.runs()) == ["alpha", "alpha", "beta"]


def test_hung_cell_fails_the_build_at_the_cell_timeout(mini_site):
    mini_site.write_page("chapter/slow.py", "Slow", "import time\ntime.sleep(120)")
    mini_site.configure(timeout=3)
    result = mini_site.build()
    assert result.returncode != 0
    text = output(result)
    assert "docs/chapter/slow.py" in text
    assert "timeout of 3 s" in text


def test_kernel_that_dies_fails_the_build(mini_site):
    mini_site.write_page("chapter/dies.py", "Dies", "import os\nos._exit(3)")
    mini_site.configure()
    result = mini_site.build()
    assert result.returncode != 0
    assert "docs/chapter/dies.py" in output(result)


# -- issue 2: "raise RuntimeError('boom')" in any page of the real site fails the build ----

REAL_PAGES = sorted(p.relative_to(ROOT / "docs").as_posix() for p in ROOT.glob("docs/**/*.py"))


def insert_raise(text: str) -> str:
    """Put the raise at the top of the page's first code cell (fails at once, cheaply)."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if re.match(r"# %%(?!.*\[markdown\])", line):
            lines.insert(index + 1, 'raise RuntimeError("boom")\n')
            return "".join(lines)
    raise AssertionError("page without a code cell")


@pytest.fixture(scope="module")
def real_copy(tmp_path_factory):
    """A copy of the real project whose cache is warm, so only the broken page executes.

    Keys hold no absolute project path, so the project's own cache (when there is one) is
    valid for the copy; otherwise the first build fills it.
    """
    copy = tmp_path_factory.mktemp("real") / "project"
    copy.mkdir()
    for name in ("docs", "src/tutorial_lib"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("mkdocs.yml", "constraints.txt", "pyproject.toml"):
        shutil.copy2(ROOT / name, copy / name)
    if (ROOT / ".cache").is_dir():
        try:  # only a head start: files that other builds replace meanwhile do not matter
            shutil.copytree(ROOT / ".cache", copy / ".cache", ignore=shutil.ignore_patterns(".*"))
        except shutil.Error:
            pass
    result = run_build(copy, copy / "site")
    if result.returncode != 0:
        pytest.fail(f"the unmodified copy does not build:\n{output(result)}", pytrace=False)
    return copy


@pytest.mark.site
@pytest.mark.parametrize("page", REAL_PAGES)
def test_boom_in_any_real_page_fails_the_build_naming_it(real_copy: Path, page: str):
    path = real_copy / "docs" / page
    original = path.read_text(encoding="utf-8")
    path.write_text(insert_raise(original), encoding="utf-8")
    try:
        result = run_build(real_copy, real_copy / "site-broken")
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode != 0
    text = output(result)
    assert f"docs/{page}" in text
    assert "RuntimeError: boom" in text
