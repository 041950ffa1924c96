"""Faults from the second robustness audit: each injected into a throwaway site (``mini_site``).

A cell that prints for ever, a cache that cannot be written, processes a page leaves
running, Python variables that would hide a failure, a library imported from elsewhere,
CPU spent in child processes, a bad result format, a page that is not UTF-8, text on
stderr and a page writing into docs/: each fails the build naming the page (and the cell
where there is one), or is cleaned up, and never hangs.
"""

from __future__ import annotations

import json
import time

import psutil
import pytest
from test_build_errors import GOOD, first_error, output

from tutorial_lib.report import RESULT_MIME

#: Writes the pid of a ``sleep`` the page starts and does not wait for.
ORPHAN = """
    import os, subprocess
    sleeper = subprocess.Popen(["sleep", "600"])
    with open(os.environ["MINI_RUNS_LOG"] + ".orphan", "w") as out:
        out.write(str(sleeper.pid))
"""


def test_a_cell_printing_for_ever_is_stopped_at_the_output_limit(mini_site):
    mini_site.write_page("chapter/alpha.py", "Alpha", GOOD, 'while True:\n    print("x" * 1000)')
    mini_site.configure(output_limit=200_000)
    started = time.monotonic()
    line = first_error(mini_site.build())
    assert time.monotonic() - started < 120
    assert "docs/chapter/alpha.py, code cell 3" in line and "limit of 0.2 MB" in line
    sizes = [p.stat().st_size for p in mini_site.cache.rglob("*") if p.is_file()]
    assert max(sizes) < 100_000  # nothing oversized kept, not even on the error page


def test_a_cache_that_cannot_be_written_fails_the_build_naming_the_page(mini_site):
    mini_site.write_page("chapter/alpha.py", "Alpha", GOOD)
    (mini_site.root / "blocker").write_text("a file where the cache folder would go")
    mini_site.configure(cache_dir="blocker/pages")
    result = mini_site.build()  # (would time out if the page never became ready)
    line = first_error(result)
    assert "docs/chapter/alpha.py" in line and "cache could not be written" in line
    assert "Traceback" not in output(result)


@pytest.mark.parametrize("preload", [[], ["json"]], ids=["fresh kernels", "forked kernels"])
def test_processes_a_page_leaves_running_end_with_its_kernel(mini_site, preload):
    mini_site.write_page("chapter/alpha.py", "Alpha", ORPHAN)
    mini_site.configure(preload=preload)
    result = mini_site.build()
    assert result.returncode == 0, output(result)
    pid = int((mini_site.runs_log.parent / (mini_site.runs_log.name + ".orphan")).read_text())
    deadline = time.monotonic() + 10
    while psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the page's sleep outlived the build"
        time.sleep(0.1)


@pytest.mark.parametrize(
    ("variable", "cell", "message"),
    [
        ("PYTHONWARNINGS", 'import warnings\nwarnings.warn("seen", UserWarning)', "seen"),
        ("PYTHONOPTIMIZE", 'assert 1 == 2, "asserts run"', "asserts run"),
    ],
)
def test_python_variables_of_the_build_do_not_reach_the_kernels(
    mini_site, variable, cell, message
):
    mini_site.write_page("chapter/alpha.py", "Alpha", cell)
    mini_site.configure()
    value = "ignore" if variable == "PYTHONWARNINGS" else "1"
    line = first_error(mini_site.build(env={variable: value}))
    assert "docs/chapter/alpha.py, code cell 2" in line and message in line


def test_a_watched_library_imported_from_elsewhere_fails_the_build(mini_site, tmp_path):
    other = tmp_path / "other"
    (other / "minilib").mkdir(parents=True)
    (other / "minilib" / "__init__.py").write_text("FACTOR = 3\n")
    mini_site.write_page("chapter/alpha.py", "Alpha", GOOD)
    mini_site.configure()
    result = mini_site.build(env={"PYTHONPATH": str(other)})
    assert result.returncode != 0
    assert f"would import minilib from {other / 'minilib' / '__init__.py'}" in output(result)
    assert mini_site.runs() == []


def test_cpu_time_of_child_processes_counts_against_the_budget(mini_site):
    burn = (
        "import subprocess, sys\n"
        'spin = "import time\\nt = time.process_time()\\n'
        'while time.process_time() - t < 4: pass"\n'
        "subprocess.run([sys.executable, '-c', spin], check=True)"
    )
    mini_site.write_page("chapter/alpha.py", "Alpha", burn)
    mini_site.configure(budget=3)
    line = first_error(mini_site.build())
    assert "docs/chapter/alpha.py, code cell 2" in line and "budget of 3 s" in line


def test_a_result_its_format_cannot_show_fails_its_page_not_the_home_page(mini_site):
    payload = json.dumps({"key": "k", "value": 0.5, "label": "Half", "fmt": "%.2f"})
    emit = "from IPython.display import display\n" + (
        f"display({{{RESULT_MIME!r}: {payload!r}}}, raw=True)"
    )
    mini_site.write_page("chapter/alpha.py", "Alpha", emit)
    mini_site.configure()
    line = first_error(mini_site.build())
    assert "docs/chapter/alpha.py, after the last cell" in line and "'%.2f'" in line
    mini_site.write_page("chapter/alpha.py", "Alpha", emit.replace("%.2f", ".2f"))
    result = mini_site.build()
    assert result.returncode == 0, output(result)
    assert "0.50" in mini_site.html("index.md")


def test_a_page_that_is_not_utf8_is_named(mini_site):
    path = mini_site.write_page("chapter/alpha.py", "Alpha", GOOD)
    path.write_bytes(path.read_bytes() + b'\n# %%\nprint("caf\xe9")\n')
    mini_site.configure()
    result = mini_site.build()
    assert result.returncode != 0
    assert "cannot read docs/chapter/alpha.py" in output(result)
    assert "Traceback" not in output(result)


def test_text_on_stderr_fails_the_build_unless_the_cell_expects_a_warning(mini_site):
    # e.g. what a child process or a worker prints: the page would publish it.
    progress = 'import sys\nprint("progress: 3 of 4", file=sys.stderr)'
    warning = 'import sys\nprint("UserWarning: from a worker", file=sys.stderr)'
    tagged = '# %% tags=["expected-warning"]\n'
    mini_site.write_page("chapter/alpha.py", "Alpha", progress)
    mini_site.configure()
    line = first_error(mini_site.build())
    assert "docs/chapter/alpha.py, code cell 2" in line
    assert "wrote to stderr: progress: 3 of 4" in line
    mini_site.write_page("chapter/alpha.py", "Alpha", warning)
    assert "warned UserWarning: from a worker" in first_error(mini_site.build())
    mini_site.write_page("chapter/alpha.py", "Alpha", tagged + progress)
    assert "no warning occurred" in first_error(mini_site.build())  # tagged, but no warning
    mini_site.write_page("chapter/alpha.py", "Alpha", tagged + warning)
    assert mini_site.build().returncode == 0  # the warning it expects


def test_a_page_that_writes_into_docs_fails_the_build(mini_site):
    mini_site.write_page("chapter/alpha.py", "Alpha", 'open("scratch.md", "w").write("# S")')
    mini_site.configure()
    result = mini_site.build()
    assert result.returncode != 0
    assert "files in docs/ changed while the pages ran: chapter/scratch.md" in output(result)
