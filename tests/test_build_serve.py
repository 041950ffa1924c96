"""``mkdocs serve``: an edit re-executes only what it touches, with one zygote kept throughout."""

from __future__ import annotations

import subprocess

import pytest
from bs4 import BeautifulSoup
from live_server import fetch, free_address, stop, wait_for_text
from test_build_zygote import assert_all_gone

#: Prints a value from the page itself, one from the fake library and one from a module the
#: zygote preloads, and writes its process ids (not printed) for the test to check.
PAGE = """
    import os

    import minilib
    import minipre

    with open(os.environ["MINI_RUNS_LOG"] + ".pids", "a") as pids:
        pids.write(f"{{os.getpid()}} {{os.getppid()}}\\n")
    MESSAGE = "{message}"
    print("page says", MESSAGE, "library says", minilib.scale(21), minipre.VALUE)
"""


def wait_for(url: str, text: str, server: subprocess.Popen, log, seconds: float = 120) -> None:
    problem = wait_for_text(url, text, server, seconds=seconds, interval=0.2)
    if problem is not None:
        pytest.fail(f"{problem}:\n{log.read_text()}")


def error_page_text(url: str, server: subprocess.Popen, log) -> str:
    """Wait until ``url`` is served as an error page; return the page's text."""
    wait_for(url, "failed to execute", server, log)
    return BeautifulSoup(fetch(url), "html.parser").get_text()


def parents(site) -> list[int]:
    path = site.runs_log.parent / (site.runs_log.name + ".pids")
    return [int(line.split()[1]) for line in path.read_text().splitlines()]


@pytest.fixture
def site(mini_site):
    (mini_site.root / "lib" / "minipre.py").write_text('"""Preloaded."""\n\nVALUE = "v1"\n')
    mini_site.write_page("chapter/one.py", "One", PAGE.format(message="first"))
    mini_site.write_page("chapter/two.py", "Two", PAGE.format(message="other"))
    mini_site.configure(
        preload=["numpy", "minipre"], watch_sources=["lib/minilib", "lib/minipre.py"]
    )
    return mini_site


def test_serve_reexecutes_only_what_an_edit_touches_with_one_zygote(site, tmp_path):
    address, log = free_address(), tmp_path / "serve.log"
    one, two = f"http://{address}/chapter/one/", f"http://{address}/chapter/two/"
    server = site.serve(address, log)
    try:
        wait_for(one, "page says first library says 42 v1", server, log)
        assert sorted(site.runs()) == ["one", "two"]
        zygote = parents(site)[0]
        assert parents(site) == [zygote, zygote]

        # Editing one page re-executes that page only, forked by the same zygote.
        page = site.docs / "chapter" / "one.py"
        page.write_text(page.read_text().replace('"first"', '"second"'))
        wait_for(one, "page says second library says 42 v1", server, log)
        assert sorted(site.runs()) == ["one", "one", "two"]
        assert parents(site) == [zygote] * 3

        # A library edit re-executes every page; the zygote (which did not import the
        # edited module) is kept.
        init = site.lib / "__init__.py"
        init.write_text(init.read_text().replace("FACTOR = 2", "FACTOR = 3"))
        wait_for(two, "page says other library says 63 v1", server, log)
        wait_for(one, "page says second library says 63 v1", server, log)
        assert sorted(site.runs()[3:]) == ["one", "two"]
        assert parents(site) == [zygote] * 5

        # An edit to a module the zygote imported replaces the zygote: no page may run
        # with the module as it was.
        (site.root / "lib" / "minipre.py").write_text('"""Preloaded."""\n\nVALUE = "v2"\n')
        wait_for(two, "page says other library says 63 v2", server, log)
        wait_for(one, "page says second library says 63 v2", server, log)
        new_zygote = parents(site)[-1]
        assert new_zygote != zygote and parents(site)[5:] == [new_zygote] * 2
        assert_all_gone([zygote])
    finally:
        stop(server, timeout=30)
    text = log.read_text()
    assert "Error" not in text and "Traceback" not in text, text
    # Stopping the server stops the zygote, and with it any kernel.
    assert_all_gone(sorted(set(parents(site))) + kernels(site))


def kernels(site) -> list[int]:
    path = site.runs_log.parent / (site.runs_log.name + ".pids")
    return [int(line.split()[0]) for line in path.read_text().splitlines()]


def test_serve_shows_a_failing_page_as_an_error_page_until_it_is_fixed(mini_site, tmp_path):
    mini_site.write_page("chapter/one.py", "One", 'print("first cell ran")',
                         'value = 41\nraise ValueError(f"bad value {value}")')
    mini_site.write_page("chapter/two.py", "Two", 'print("two is fine")')
    mini_site.configure(preload=["numpy"])
    address, log = free_address(), tmp_path / "serve.log"
    one = f"http://{address}/chapter/one/"
    server = mini_site.serve(address, log)
    try:
        shown = error_page_text(one, server, log)
        assert "docs/chapter/one.py: code cell 3" in shown  # page and cell
        assert "ValueError: bad value 41" in shown  # the exception
        assert 'value = 41\nraise ValueError(f"bad value {value}")' in shown  # the source
        assert "first cell ran" in shown  # what ran before it
        assert "two is fine" in fetch(f"http://{address}/chapter/two/")
        page = mini_site.docs / "chapter" / "one.py"
        page.write_text(page.read_text().replace('raise ValueError(f"bad', 'print(f"fixed'))
        wait_for(one, "fixed value 41", server, log)
        assert "failed to execute" not in fetch(one)
    finally:
        stop(server, timeout=30)
    text = log.read_text()
    assert "docs/chapter/one.py, code cell 3" in text
    assert "Traceback (most recent call last):" not in text  # no crash of the server
    assert sorted(mini_site.runs()) == ["one", "one", "two"]


def test_serve_shows_an_error_page_when_the_page_cannot_start(mini_site, tmp_path):
    """A preloaded module that fails to import: no cell runs, the page says why."""
    broken = mini_site.root / "lib" / "minibroken.py"
    broken.write_text('raise RuntimeError("minibroken is broken")\n')
    mini_site.write_page("chapter/one.py", "One", 'print("one", "ran")')
    mini_site.configure(preload=["minibroken"], watch_sources=["lib/minibroken.py"])
    address, log = free_address(), tmp_path / "serve.log"
    one = f"http://{address}/chapter/one/"
    server = mini_site.serve(address, log)
    try:
        shown = error_page_text(one, server, log)
        assert "docs/chapter/one.py: before the first cell" in shown
        assert "RuntimeError: minibroken is broken" in shown
        assert "one ran" not in shown
        broken.write_text('"""Fixed."""\n')
        wait_for(one, "one ran", server, log)
        assert "failed to execute" not in fetch(one)
    finally:
        stop(server, timeout=30)
    assert "Traceback (most recent call last):" not in log.read_text()
