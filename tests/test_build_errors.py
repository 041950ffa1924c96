"""A page that raises, warns, hangs, dies or floods its output fails the build, named.

Each test injects one fault into a throwaway site (``mini_site``) and checks the outcome:
the exit code, a first error line that names the page and the cell, and that the next
build (after the fix) is correct.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_build

GOOD = 'print("fine")'


def output(result) -> str:
    return result.stdout + result.stderr


def first_error(result) -> str:
    """The first ERROR line of a build that must have failed."""
    assert result.returncode != 0, output(result)
    lines = [line for line in output(result).splitlines() if line.startswith("ERROR")]
    assert lines, output(result)
    return lines[0]


def check(result) -> None:
    assert result.returncode == 0, f"build failed:\n{output(result)}"


@pytest.mark.parametrize("position", [0, 1, 2])
def test_raising_cell_fails_the_build_naming_page_and_cell_first(mini_site, position):
    cells = [GOOD, GOOD, GOOD]
    cells[position] = 'raise RuntimeError("boom")'
    mini_site.write_page("chapter/alpha.py", "Alpha", *cells)
    mini_site.write_page("chapter/beta.py", "Beta", GOOD)
    mini_site.configure()
    result = mini_site.build()
    line = first_error(result)
    # the log cell is code cell 1, so the raising one is code cell position + 2
    assert f"docs/chapter/alpha.py, code cell {position + 2}" in line
    assert "RuntimeError: boom" in line
    text = output(result)
    assert "Error reading page" not in text
    for noise in ("Converting notebook", "Cache hit", "Cache miss"):
        assert noise not in text
    assert "docs/chapter/beta.py," not in text
    # The page that succeeded was cached; fixing the broken one re-runs only it.
    mini_site.write_page("chapter/alpha.py", "Alpha", GOOD)
    fixed = mini_site.build()
    check(fixed)
    assert sorted(mini_site.runs()) == ["alpha", "alpha", "beta"]
    assert "fine" in mini_site.html("chapter/alpha.py")
    assert "Cache hit" not in output(fixed)  # beta's render came from the renderer's cache


def test_search_segmenting_chinese_adds_no_lines_to_the_log(mini_site):
    # Material's search loads jieba's dictionary for a user dictionary (as the site's has);
    # jieba logs four lines at DEBUG level to stderr by itself.
    mini_site.write_page("chapter/alpha.py", "Alpha", GOOD)
    mini_site.configure()
    (mini_site.root / "words.txt").write_text("损失函数\n", encoding="utf-8")
    config = json.loads((mini_site.root / "mkdocs.yml").read_text())
    config["theme"] = {"name": "material"}
    config["plugins"].insert(0, {"search": {"jieba_dict_user": "words.txt"}})
    (mini_site.root / "mkdocs.yml").write_text(json.dumps(config))
    result = mini_site.build()
    check(result)
    assert "prefix dict" not in output(result)
    assert "prefix dict" in output(mini_site.build("--verbose"))  # (shown when asked)


def test_failing_assert_and_syntax_error_are_named(mini_site):
    mini_site.write_page("chapter/alpha.py", "Alpha", "assert 1 + 1 == 3, 'arithmetic'")
    mini_site.write_page("chapter/beta.py", "Beta", "def broken(:\n    pass")
    mini_site.configure()
    result = mini_site.build()
    assert result.returncode != 0
    text = output(result)
    assert re.search(r"docs/chapter/alpha.py, code cell 2 .*AssertionError: arithmetic", text)
    assert re.search(r"docs/chapter/beta.py, code cell 2 .*SyntaxError", text)


def test_hung_cell_fails_the_build_at_the_cell_timeout(mini_site):
    mini_site.write_page("chapter/slow.py", "Slow", "import time\ntime.sleep(120)")
    mini_site.configure(timeout=3)
    line = first_error(mini_site.build())
    assert "docs/chapter/slow.py, code cell 2" in line
    assert "cell timeout of 3 s" in line


def test_kernel_that_dies_fails_the_build(mini_site):
    mini_site.write_page("chapter/dies.py", "Dies", GOOD, "import os\nos._exit(3)")
    mini_site.configure()
    line = first_error(mini_site.build())
    assert "docs/chapter/dies.py, code cell 3" in line
    assert "kernel died" in line


# -- warnings ---------------------------------------------------------------------------------

IMPORTS = "import matplotlib.pyplot as plt\nimport numpy as np\nimport torch\nprint(torch.ones(2))"
CAUGHT = """
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn("shown on purpose", DeprecationWarning)
    assert "on purpose" in str(caught[0].message)
"""
TAGGED = '# %% tags=["expected-warning"]\nimport warnings\nwarnings.warn("tagged one", UserWarning)'


def test_uncaught_warning_fails_the_build_naming_page_cell_and_warning(mini_site):
    mini_site.write_page(
        "chapter/alpha.py", "Alpha", IMPORTS, CAUGHT, TAGGED,
        'import warnings\nwarnings.warn("do not use this", DeprecationWarning)',
    )
    mini_site.configure()
    line = first_error(mini_site.build())
    assert "docs/chapter/alpha.py, code cell 5" in line
    assert "DeprecationWarning: do not use this" in line
    # Without the stray warning: imports, a caught warning and a tagged one pass.
    mini_site.write_page("chapter/alpha.py", "Alpha", IMPORTS, CAUGHT, TAGGED)
    check(mini_site.build())
    html = mini_site.html("chapter/alpha.py")
    assert "tagged one" in html  # an expected warning is shown


def test_a_long_warning_is_cut_short_in_the_message(mini_site):
    mini_site.write_page("chapter/alpha.py", "Alpha", 'import warnings\nwarnings.warn("w" * 9000)')
    mini_site.configure()
    line = first_error(mini_site.build())
    assert "docs/chapter/alpha.py, code cell 2" in line and "UserWarning: www" in line
    assert len(line) < 600


def test_library_warning_fails_the_build(mini_site):
    # A deprecated torch call warns from inside torch.
    mini_site.write_page(
        "chapter/alpha.py", "Alpha",
        "import torch\nx = torch.ones(2, requires_grad=True)\ny = (x * 2).sum()\ny.grad",
    )
    mini_site.configure()
    line = first_error(mini_site.build())
    assert "docs/chapter/alpha.py, code cell 2" in line
    assert "UserWarning" in line and ".grad" in line


def test_expected_warning_that_no_longer_occurs_fails_the_build(mini_site):
    mini_site.write_page("chapter/alpha.py", "Alpha", '# %% tags=["expected-warning"]\nx = 1')
    mini_site.configure()
    line = first_error(mini_site.build())
    assert "docs/chapter/alpha.py, code cell 2" in line
    assert "no warning occurred" in line


# -- output size --------------------------------------------------------------------------------


def test_huge_output_fails_the_build_and_nothing_oversized_is_kept(mini_site):
    mini_site.write_page("chapter/alpha.py", "Alpha", GOOD, 'print("x" * 3_000_000)')
    mini_site.configure()
    line = first_error(mini_site.build())
    assert "docs/chapter/alpha.py, code cell 3" in line and "limit of 2 MB" in line
    sizes = [p.stat().st_size for p in mini_site.cache.rglob("*") if p.is_file()]
    assert max(sizes) < 100_000
    # The limit is an option.
    mini_site.configure(output_limit=5_000_000)
    check(mini_site.build())


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
    line = first_error(result)
    assert f"docs/{page}, code cell" in line
    assert "RuntimeError: boom" in line
