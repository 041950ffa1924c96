"""The executed-pages cache: results are reused exactly when nothing they depend on changed.

Each test builds a throwaway site (``mini_site`` fixture) whose pages log every execution,
so "executed" and "reused" are observed from the pages' side, not from the plugin's report.
"""

from __future__ import annotations

import os
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
BETA = """
    import os
    from tutorial_lib.report import record_dependency, record_result

    path = os.environ["MINI_DATA_FILE"]
    record_dependency(path)
    numbers = [int(x) for x in open(path).read().split()]
    print(f"beta sum = {sum(numbers)}")
    record_result("beta_sum", sum(numbers), "Beta sum", fmt=".0f")
"""


def check(result) -> None:
    assert result.returncode == 0, f"build failed:\n{result.stdout}\n{result.stderr}"


@pytest.fixture
def site(mini_site):
    mini_site.write_page("chapter/alpha.py", "Alpha page", ALPHA)
    mini_site.write_page("chapter/beta.py", "Beta page", BETA)
    mini_site.configure()
    check(mini_site.build())
    assert sorted(mini_site.runs()) == ["alpha", "beta"]
    return mini_site


def test_rebuild_with_nothing_changed_executes_nothing(site):
    before = {page: site.html(page) for page in site.pages}
    check(site.build())
    assert sorted(site.runs()) == ["alpha", "beta"]  # no page ran again
    for page in site.pages:
        assert site.html(page) == before[page]
    assert "alpha value = 42" in site.html("chapter/alpha.py")


def test_library_edit_reexecutes_the_pages_and_changes_what_they_show(site):
    assert "alpha value = 42" in site.html("chapter/alpha.py")
    module = site.lib / "__init__.py"
    module.write_text(module.read_text().replace("FACTOR = 2", "FACTOR = 3"))
    check(site.build())
    # Any library change re-executes every page: imports are not tracked, bytes are.
    assert sorted(site.runs()) == ["alpha", "alpha", "beta", "beta"]
    page = site.html("chapter/alpha.py")
    assert "alpha value = 63" in page
    assert "alpha value = 42" not in page
    assert "63.0" in site.html("index.md")  # the results table follows too


def test_new_library_module_invalidates_the_cache(site):
    (site.lib / "extra.py").write_text('"""A new module."""\n')
    check(site.build())
    assert sorted(site.runs()) == ["alpha", "alpha", "beta", "beta"]


def test_page_edit_reexecutes_only_that_page(site):
    page = site.docs / "chapter" / "beta.py"
    page.write_text(page.read_text() + '\n# %%\nprint("beta edited")\n')
    check(site.build())
    assert sorted(site.runs()) == ["alpha", "beta", "beta"]
    assert "beta edited" in site.html("chapter/beta.py")


def test_changed_data_file_reexecutes_the_page_that_read_it(site):
    assert "beta sum = 10" in site.html("chapter/beta.py")
    site.data_file.write_text("1 2 3 5\n")
    check(site.build())
    assert sorted(site.runs()) == ["alpha", "beta", "beta"]
    assert "beta sum = 11" in site.html("chapter/beta.py")


def test_touched_data_file_with_the_same_bytes_is_reused(site):
    stat = site.data_file.stat()
    os.utime(site.data_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    check(site.build())
    assert sorted(site.runs()) == ["alpha", "beta"]
    check(site.build())
    assert sorted(site.runs()) == ["alpha", "beta"]


def test_pinned_set_and_data_location_are_in_the_key(site):
    requirements = site.root / "requirements.txt"
    requirements.write_text("minilib==1.1\n")
    check(site.build())
    assert sorted(site.runs()) == ["alpha", "alpha", "beta", "beta"]
    check(site.build(env={"TUTORIAL_LIB_DATA": str(site.root / "data")}))
    assert len(site.runs()) == 6
    check(site.build(env={"TUTORIAL_LIB_DATA": str(site.root / "data")}))
    assert len(site.runs()) == 6


def test_missing_watched_path_fails_the_build(site):
    site.configure(watch_sources=["lib/nowhere"])
    result = site.build()
    assert result.returncode != 0
    assert "lib/nowhere" in result.stdout + result.stderr


def test_plugin_evicts_entries_no_page_uses(site):
    entries = sorted(p.name for p in site.cache.glob("*.json"))
    assert len(entries) == 2
    page = site.docs / "chapter" / "alpha.py"
    page.write_text(page.read_text() + '\n# %%\nprint("alpha edited")\n')
    check(site.build())
    # Within the grace period (default an hour) the old entry stays: a concurrent build may
    # still rely on it.
    assert len(list(site.cache.glob("*.json"))) == 3
    site.configure(evict_after=0)
    check(site.build())
    after = sorted(p.name for p in site.cache.glob("*.json"))
    assert len(after) == 2 and after != entries
    folders = {p.name for p in site.cache.iterdir() if p.is_dir()} - {"downloads"}
    assert folders == {name.removesuffix(".json") for name in after}


# -- the key and the dependency records, in-process -------------------------------------------


def fingerprint(project: Path, **settings: object) -> str:
    return cache.environment_fingerprint(
        project,
        watch_sources=["lib"],
        watch_files=["pins.txt"],
        env_keys=["TUTORIAL_LIB_DATA"],
        settings={"kernel_name": "python3", **settings},
    )


@pytest.fixture
def project(tmp_path):
    (tmp_path / "lib" / "pkg").mkdir(parents=True)
    (tmp_path / "lib" / "pkg" / "a.py").write_text("A = 1\n")
    (tmp_path / "pins.txt").write_text("torch==1\n")
    return tmp_path


def test_fingerprint_follows_every_library_byte_and_path(project):
    base = fingerprint(project)
    assert fingerprint(project) == base
    module = project / "lib" / "pkg" / "a.py"
    module.write_text("A = 2\n")
    assert fingerprint(project) != base
    module.write_text("A = 1\n")
    assert fingerprint(project) == base
    module.rename(project / "lib" / "pkg" / "b.py")
    assert fingerprint(project) != base


def test_fingerprint_ignores_bytecode_caches(project):
    base = fingerprint(project)
    (project / "lib" / "pkg" / "__pycache__").mkdir()
    (project / "lib" / "pkg" / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0\1")
    assert fingerprint(project) == base


def test_fingerprint_follows_pins_settings_and_environment(project, monkeypatch):
    base = fingerprint(project)
    (project / "pins.txt").write_text("torch==2\n")
    pinned = fingerprint(project)
    assert pinned != base
    assert fingerprint(project, threads=2) != pinned
    monkeypatch.setenv("TUTORIAL_LIB_DATA", "/somewhere/else")
    assert fingerprint(project) != pinned


def test_page_key_follows_the_page_bytes_and_path():
    key = cache.page_key("env", "a/b.py", b"print(1)\n")
    assert cache.page_key("env", "a/b.py", b"print(1)\n") == key
    assert cache.page_key("env", "a/b.py", b"print(2)\n") != key
    assert cache.page_key("env", "a/c.py", b"print(1)\n") != key
    assert cache.page_key("env2", "a/b.py", b"print(1)\n") != key


class CountingHasher(cache.FileHasher):
    def __init__(self) -> None:
        super().__init__()
        self.hashed = 0

    def sha256(self, path, stat=None):
        before = len(self._memo)
        digest = super().sha256(path, stat)
        self.hashed += len(self._memo) - before
        return digest


def test_dependency_is_validated_by_stat_then_by_content(tmp_path):
    data = tmp_path / "data.bin"
    data.write_bytes(b"x" * 1000)
    record = cache.Dependency.from_path(data, cache.FileHasher())
    hasher = CountingHasher()
    assert record.is_current(hasher)
    assert hasher.hashed == 0  # unchanged stat signature: no need to read the file
    stat = data.stat()
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert record.is_current(hasher)  # touched, same bytes
    assert hasher.hashed == 1
    data.write_bytes(b"y" + b"x" * 999)  # same size, new content
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even with the old mtime
    assert not record.is_current(CountingHasher())
    data.unlink()
    assert not record.is_current(CountingHasher())


def test_cache_lookup_misses_when_a_dependency_changed(tmp_path):
    data = tmp_path / "data.txt"
    data.write_text("1\n")
    store = cache.PageCache(tmp_path / "cache")
    hasher = cache.FileHasher()
    entry = cache.CacheEntry(
        key="k1",
        page="ch/p.py",
        seconds=1.5,
        cpu_seconds=1.2,
        executed_at="2026-01-01T00:00:00+00:00",
        results=[{"key": "r", "value": 1.0, "label": "R", "fmt": ".1f"}],
        dependencies=[cache.Dependency.from_path(data, hasher)],
    )
    store.store(entry, "{}")
    found = store.lookup("k1", "ch/p.py", cache.FileHasher())
    assert found is not None and found.results == entry.results
    assert store.lookup("k2", "ch/p.py", cache.FileHasher()) is None
    data.write_text("2\n")
    assert store.lookup("k1", "ch/p.py", cache.FileHasher()) is None
    store.notebook_path("k1", "ch/p.py").unlink()
    data.write_text("1\n")
    assert store.lookup("k1", "ch/p.py", cache.FileHasher()) is None
