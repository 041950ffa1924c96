"""The executed-pages cache: reused exactly when nothing changed, says why not, heals itself.

Each build test uses a throwaway site (``mini_site``) whose pages log every execution, so
"executed" and "reused" are observed from the pages' side, not from the plugin's report.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tutorial_site import cache

ALPHA = """
    import minilib
    from tutorial_lib.report import record_result

    value = minilib.scale(21)
    print(f"alpha value = {value}")
    record_result("alpha_value", value, "Alpha scaled value", fmt=".1f")
"""
BETA = 'print("beta ran")'


def check(result) -> None:
    assert result.returncode == 0, f"build failed:\n{result.stdout}\n{result.stderr}"


def reasons(result) -> dict[str, str]:
    """The reason the build gave for each page it executed.

    Compared with ``in`` where an input changes: in a shared environment, an install into
    the same Python by someone else adds "installed packages" to the list.
    """
    text = result.stdout + result.stderr
    return dict(re.findall(r"executing docs/(\S+): (.+)", text))


@pytest.fixture
def site(mini_site):
    mini_site.write_page("chapter/alpha.py", "Alpha page", ALPHA)
    mini_site.write_page("chapter/beta.py", "Beta page", BETA)
    mini_site.configure()
    result = mini_site.build()
    check(result)
    assert reasons(result) == {"chapter/alpha.py": "no cache entry",
                               "chapter/beta.py": "no cache entry"}
    return mini_site


def test_rebuild_with_nothing_changed_executes_nothing(site):
    before = {page: site.html(page) for page in site.pages}
    result = site.build()
    check(result)
    assert sorted(site.runs()) == ["alpha", "beta"]  # no page ran again
    assert reasons(result) == {}
    for page in site.pages:
        assert site.html(page) == before[page]
    assert "alpha value = 42" in site.html("chapter/alpha.py")


def test_library_edit_reexecutes_the_pages_saying_which_file_changed(site):
    module = site.lib / "__init__.py"
    module.write_text(module.read_text().replace("FACTOR = 2", "FACTOR = 3"))
    result = site.build()
    check(result)
    # Any library change re-executes every page: imports are not tracked, bytes are.
    assert sorted(site.runs()) == ["alpha", "alpha", "beta", "beta"]
    assert set(reasons(result)) == {"chapter/alpha.py", "chapter/beta.py"}
    assert all("lib/minilib/__init__.py" in why for why in reasons(result).values())
    assert "alpha value = 63" in site.html("chapter/alpha.py")
    assert "63.0" in site.html("index.md")  # the results table follows too
    times = (site.site / "computation-times" / "index.html").read_text()
    assert "lib/minilib/__init__.py changed" in times


def test_new_library_module_invalidates_the_cache(site):
    (site.lib / "extra.py").write_text('"""A new module."""\n')
    result = site.build()
    check(result)
    assert "lib/minilib/extra.py" in reasons(result)["chapter/beta.py"]


def test_page_edit_reexecutes_only_that_page(site):
    page = site.docs / "chapter" / "beta.py"
    page.write_text(page.read_text() + '\n# %%\nprint("beta edited")\n')
    result = site.build()
    check(result)
    assert sorted(site.runs()) == ["alpha", "beta", "beta"]
    assert list(reasons(result)) == ["chapter/beta.py"]
    assert "docs/chapter/beta.py" in reasons(result)["chapter/beta.py"]
    assert "beta edited" in site.html("chapter/beta.py")


def test_pinned_set_and_environment_variables_are_in_the_key(site):
    (site.root / "requirements.txt").write_text("minilib==1.1\n")
    result = site.build()
    check(result)
    assert all("requirements.txt" in why for why in reasons(result).values())
    result = site.build(env={"TUTORIAL_LIB_DATA": str(site.root / "data")})
    check(result)
    assert all("variable TUTORIAL_LIB_DATA" in why for why in reasons(result).values())
    check(site.build(env={"TUTORIAL_LIB_DATA": str(site.root / "data")}))
    assert len(site.runs()) == 6


def test_missing_watched_path_fails_the_build(site):
    site.configure(watch_sources=["lib/nowhere"])
    result = site.build()
    assert result.returncode != 0
    assert "lib/nowhere" in result.stdout + result.stderr


def test_entries_the_build_did_not_use_are_removed(site):
    page = site.docs / "chapter" / "alpha.py"
    page.write_text(page.read_text() + '\n# %%\nprint("alpha edited")\n')
    check(site.build())
    # Within the grace period the old entry stays: a concurrent build may rely on it.
    assert len(list(site.cache.glob("*.json"))) == 3
    site.configure(evict_after=0)
    check(site.build())
    keys = {p.stem for p in site.cache.glob("*.json")}
    assert len(keys) == 2
    assert {p.name for p in site.cache.iterdir()} == keys | {f"{k}.json" for k in keys}


def test_an_entry_another_build_used_recently_keeps_its_notebook(tmp_path):
    """Eviction judges an entry by its .json (touched on every use), folder included."""
    store = cache.Store(tmp_path)
    recent = store.save("a" * 64, "chapter/a.py", '{"cells": []}', seconds=1.0)
    old = store.save("b" * 64, "chapter/b.py", '{"cells": []}', seconds=1.0)
    orphan = tmp_path / ("c" * 64)
    orphan.mkdir()
    for path in tmp_path.rglob("*"):  # everything written long ago ...
        os.utime(path, (1e9, 1e9))
    os.utime(tmp_path / f"{'a' * 64}.json")  # ... but entry a was just used by another build
    assert cache.evict(tmp_path, keep=(), grace=300) == 1
    assert recent.exists() and store.load("a" * 64, "chapter/a.py") is not None
    assert not old.exists() and not (tmp_path / f"{'b' * 64}.json").exists()
    assert not orphan.exists()


def test_an_empty_environment_variable_counts_as_unset(tmp_path, monkeypatch):
    """Python treats PYTHONPATH= as unset: so does the key."""
    monkeypatch.delenv("PYTHONPATH", raising=False)
    unset = cache.build_inputs(tmp_path, [], [], {})
    monkeypatch.setenv("PYTHONPATH", "")
    assert cache.build_inputs(tmp_path, [], [], {}) == unset
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    assert cache.build_inputs(tmp_path, [], [], {}) != unset


# -- damaged entries ----------------------------------------------------------------------------


def alpha_files(site) -> tuple[Path, Path]:
    for entry in site.cache.glob("*.json"):
        if json.loads(entry.read_text())["page"] == "chapter/alpha.py":
            return entry, site.cache / entry.stem / "alpha.ipynb"
    raise AssertionError("no entry for alpha")


DAMAGE = {
    "truncated notebook": lambda e, n: n.write_bytes(n.read_bytes()[:200]),
    "other JSON as notebook": lambda e, n: n.write_text('{"cells": [], "nbformat": 4}'),
    "missing notebook": lambda e, n: n.unlink(),
    "truncated entry": lambda e, n: e.write_bytes(e.read_bytes()[:50]),
    "edited entry": lambda e, n: e.write_text(e.read_text().replace("42", "41")),
    "other JSON as entry": lambda e, n: e.write_text("[1, 2]"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_entry_is_logged_and_the_page_executes_again(site, damage):
    DAMAGE[damage](*alpha_files(site))
    result = site.build()
    check(result)
    assert "cache entry for docs/chapter/alpha.py damaged" in result.stdout + result.stderr
    assert reasons(result) == {"chapter/alpha.py": "damaged cache entry"}
    assert sorted(site.runs()) == ["alpha", "alpha", "beta"]
    assert "alpha value = 42" in site.html("chapter/alpha.py")
    check(site.build())  # healed: the next build takes it from the cache
    assert len(site.runs()) == 3


RENDERER_DAMAGE = {
    "truncated": lambda path, other: path.write_bytes(path.read_bytes()[:100]),
    "other JSON": lambda path, other: path.write_text('{"toc": []}'),
    "another page's entry": lambda path, other: path.write_bytes(other.read_bytes()),
}


@pytest.mark.parametrize("damage", list(RENDERER_DAMAGE))
def test_a_damaged_renderer_cache_entry_is_removed_and_rendered_again(site, damage):
    # mkdocs-jupyter keeps each rendered page in .cache/mkdocs-jupyter and trusts what it finds.
    before = {page: site.html(page) for page in site.pages}
    entries = sorted((site.root / ".cache" / "mkdocs-jupyter").glob("*.json"))
    assert len(entries) == 2
    RENDERER_DAMAGE[damage](*entries)
    result = site.build()
    check(result)
    assert f"mkdocs-jupyter's cache entry {entries[0].name} damaged" in result.stderr
    assert {page: site.html(page) for page in site.pages} == before
    assert reasons(result) == {}  # the executed pages themselves were fine
    check(site.build())  # and the entry written again is trusted
    assert entries[0].exists()


# -- the key, in-process ------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path):
    (tmp_path / "lib" / "pkg").mkdir(parents=True)
    (tmp_path / "lib" / "pkg" / "a.py").write_text("A = 1\n")
    (tmp_path / "pins.txt").write_text("torch==1\n")
    return tmp_path


def inputs(project: Path, **settings: object) -> dict[str, str]:
    return cache.build_inputs(
        project, ["lib", "pins.txt"], ["TUTORIAL_LIB_DATA"], {"kernel_name": "python3", **settings}
    )


def test_inputs_follow_every_library_byte_and_path_but_not_bytecode(project):
    base = inputs(project)
    assert inputs(project) == base
    module = project / "lib" / "pkg" / "a.py"
    module.write_text("A = 2\n")
    assert cache.why_changed(base, inputs(project)) == "lib/pkg/a.py changed"
    module.write_text("A = 1\n")
    (project / "lib" / "pkg" / "__pycache__").mkdir()
    (project / "lib" / "pkg" / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0\1")
    assert inputs(project) == base
    module.rename(project / "lib" / "pkg" / "b.py")
    assert cache.why_changed(base, inputs(project)) == "lib/pkg/a.py, lib/pkg/b.py changed"


def test_inputs_follow_pins_settings_and_environment(project, monkeypatch):
    base = inputs(project)
    (project / "pins.txt").write_text("torch==2\n")
    assert cache.why_changed(base, inputs(project)) == "pins.txt changed"
    assert cache.why_changed(base, inputs(project, threads=2)).startswith("execution settings")
    monkeypatch.setenv("TUTORIAL_LIB_DATA", "/somewhere/else")
    assert "environment variable TUTORIAL_LIB_DATA" in cache.why_changed(base, inputs(project))
    assert cache.key_of(inputs(project)) != cache.key_of(base)


def test_only_the_code_that_shapes_outputs_is_in_the_key():
    # Not the hooks, the generated pages, the HTML fixes, the downloads, nor the tests.
    package = Path(cache.__file__).parent
    assert set(cache._OUTPUT_CODE) == {"execution.py", "kernel.py", "record.py", "warmup.py"}
    assert all((package / name).is_file() for name in cache._OUTPUT_CODE)


def test_store_verifies_what_it_returns(tmp_path):
    store = cache.Store(tmp_path)
    store.save("k1", "ch/p.py", '{"cells": []}', seconds=1.5, results=[])
    assert store.load("k1", "ch/p.py")["seconds"] == 1.5
    assert store.load("k2", "ch/p.py") is None
    with pytest.raises(cache.Damaged):
        store.load("k1", "ch/other.py")  # an entry of another page
    store.notebook_path("k1", "ch/p.py").write_text('{"cells": [1]}')
    with pytest.raises(cache.Damaged):
        store.load("k1", "ch/p.py")
