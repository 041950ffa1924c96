"""Stopping a build: Ctrl-C and SIGTERM within 2 s, budgets and page limits while it runs.

Every test checks what a stop leaves behind: no kernel, launcher or zygote process, an
empty temporary folder (the build runs with its own ``TMPDIR``), and a next build that
works.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest
from test_build_downloads import add_library
from test_build_zygote import PRELOAD, assert_all_gone

#: Writes the kernel's pid and its parent's (the zygote when forked), then hangs or spins.
PIDS = """
    import os
    with open(os.environ["MINI_RUNS_LOG"] + ".pids", "a") as pids:
        pids.write(f"{os.getpid()} {os.getppid()}\\n")
"""
HANG = "import time\ntime.sleep(300)"
SPIN = "while True:\n    pass"


def pids(site) -> list[int]:
    path = site.runs_log.parent / (site.runs_log.name + ".pids")
    text = path.read_text() if path.exists() else ""
    return sorted({int(pid) for line in text.splitlines() for pid in line.split()})


@pytest.fixture
def temp(tmp_path_factory):
    """A short private TMPDIR (UNIX socket paths are limited to about 100 characters)."""
    folder = Path(tempfile.mkdtemp(prefix="stop-", dir="/tmp"))
    yield folder
    assert list(folder.iterdir()) == [], "the build left temporary files behind"
    folder.rmdir()


def start(site, temp: Path) -> subprocess.Popen:
    env = site.environment({"TMPDIR": str(temp)})
    return subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site.site)],
        cwd=site.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def descendants(process: subprocess.Popen) -> list[int]:
    return [child.pid for child in psutil.Process(process.pid).children(recursive=True)]


def wait_for(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def stop_within_two_seconds(build: subprocess.Popen, number: int, site) -> None:
    """Send ``number`` to ``build``: it ends within 2 s, failed, naming the signal, and
    every process it had started (and the pages' kernels) is gone."""
    processes = descendants(build)
    sent = time.monotonic()
    build.send_signal(number)
    out, _ = build.communicate(timeout=30)
    assert time.monotonic() - sent < 2.0, out
    assert build.returncode != 0
    assert signal.Signals(number).name in out and "stopped every kernel" in out
    assert_all_gone(processes + pids(site))


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("moment", ["cold build", "hanging cell"])
def test_signal_stops_the_build_within_two_seconds(mini_site, temp, number, moment):
    mini_site.write_page("chapter/alpha.py", "Alpha", PIDS, "import torch\nprint(torch.ones(1))")
    mini_site.write_page("chapter/beta.py", "Beta", PIDS, HANG if moment == "hanging cell" else "")
    mini_site.configure(preload=PRELOAD)
    build = start(mini_site, temp)
    if moment == "cold build":  # as soon as the zygote and a first kernel are up
        wait_for(lambda: len(descendants(build)) >= 2)
    else:  # once the hanging cell runs
        wait_for(lambda: len(pids(mini_site)) >= 3)
    stop_within_two_seconds(build, number, mini_site)
    # The next build works (and caches what it ran).
    if moment == "hanging cell":
        mini_site.write_page("chapter/beta.py", "Beta", PIDS)
    result = mini_site.build(env={"TMPDIR": str(temp)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "tensor([1.])" in mini_site.html("chapter/alpha.py")


SPIN_PAGE = ("chapter/spin.py", "Spin", PIDS, "x = 1", SPIN)


@pytest.mark.parametrize("preload", [[], PRELOAD], ids=["fresh", "forked"])
def test_cpu_budget_stops_a_runaway_page_while_it_runs(mini_site, temp, preload):
    mini_site.write_page(*SPIN_PAGE)
    mini_site.configure(preload=preload, budgets={"chapter/spin.py": 3}, timeout=300)
    started = time.monotonic()
    result = mini_site.build(env={"TMPDIR": str(temp)})
    assert time.monotonic() - started < 200  # long before the cell timeout
    assert result.returncode != 0
    text = result.stdout + result.stderr
    assert "docs/chapter/spin.py, code cell 4 (`while True:`)" in text
    assert "budget of 3 s of CPU time" in text
    assert_all_gone(pids(mini_site))
    assert not list(mini_site.cache.glob("*.json"))  # nothing cached


def test_page_wall_clock_limit_stops_a_page_of_many_short_cells(mini_site, temp):
    cells = ["import time\ntime.sleep(1.5)"] * 6
    mini_site.write_page("chapter/slow.py", "Slow", PIDS, *cells)
    mini_site.configure(page_timeout=4, timeout=60)
    result = mini_site.build(env={"TMPDIR": str(temp)})
    assert result.returncode != 0
    text = result.stdout + result.stderr
    assert "docs/chapter/slow.py, code cell" in text
    assert "limit of 4 s" in text
    assert_all_gone(pids(mini_site))


def test_stopped_kernel_leaves_no_process_on_the_host(mini_site, temp):
    # psutil sees every process: none may still run the mini site's kernel folder.
    mini_site.write_page(*SPIN_PAGE)
    mini_site.configure(budgets={"chapter/spin.py": 2})
    assert mini_site.build(env={"TMPDIR": str(temp)}).returncode != 0
    leftovers = [
        p.pid for p in psutil.process_iter(["cmdline"])
        if any(str(temp) in part for part in (p.info["cmdline"] or []))
    ]
    assert_all_gone(leftovers)
    assert os.listdir(temp) == []


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_signal_while_pip_builds_the_wheel_stops_pip_too(mini_site, temp, number):
    # A cold build of a project with a library makes its wheel (pip, a few seconds) while
    # the pages execute: a stop then must not leave pip running or its folders behind.
    mini_site.write_page("chapter/alpha.py", "Alpha", PIDS, "import time\ntime.sleep(60)")
    mini_site.configure()
    add_library(mini_site)
    build = start(mini_site, temp)

    def pip_runs() -> bool:
        for child in psutil.Process(build.pid).children(recursive=True):
            with contextlib.suppress(psutil.Error):  # (one that has just ended)
                if "pip" in child.cmdline():
                    return True
        return False

    wait_for(pip_runs)
    stop_within_two_seconds(build, number, mini_site)
    downloads = mini_site.root / ".cache" / "downloads"
    assert [p.name for p in downloads.iterdir() if p.name.startswith(".wheel-")] == []
    mini_site.write_page("chapter/alpha.py", "Alpha", PIDS)  # the next build works
    result = mini_site.build(env={"TMPDIR": str(temp)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert list((mini_site.site / "downloads").glob("tutorial_lib-*.whl"))
