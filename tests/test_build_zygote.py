"""The ``preload`` zygote: same outputs as fresh kernels, no process left behind, errors."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from test_build_parallel import executed_notebooks

#: The project's own list (mkdocs.yml), warm-up module included.
PRELOAD = ["torch", "matplotlib.pyplot", "numpy", "tutorial_site.warmup"]

#: Prints what a kernel's start could change: working directory, import path, argv,
#: environment, threads, random states; numbers; a figure. Writes (not prints) its process
#: ids and whether torch was already imported, for the test to check.
PAGE = """
    import os
    import random
    import sys

    preloaded = "torch" in sys.modules
    with open(os.environ["MINI_RUNS_LOG"] + ".pids", "a") as pids:
        pids.write(f"{{os.getpid()}} {{os.getppid()}} {{preloaded}}\\n")
    import matplotlib.pyplot as plt
    import numpy as np
    import torch

    print("cwd", os.path.relpath(os.getcwd(), os.environ["MINI_ROOT"]))
    print("path", [os.path.relpath(p, os.environ["MINI_ROOT"]) for p in sys.path[:2] if p])
    print("argv", os.path.basename(sys.argv[0]), sys.argv[1] if len(sys.argv) > 1 else None)
    print("env", {{k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "MPLBACKEND", "MINI_X")}})
    print("threads", torch.get_num_threads(), "hash", hash("abc"))
    print("main", __name__, "backend", plt.get_backend())
    print("fresh random states", random.random() != {seed}, torch.initial_seed() != 67280421310721)
    torch.manual_seed({seed})
    x = torch.rand(100_000)
    print("sum", repr(x.sum().item()), repr(np.random.default_rng({seed}).random()))
    torch.testing.assert_close(x.sum(), x.flip(0).sum())
    print("figures before", plt.get_fignums())
    plt.plot(x[:50].numpy(), label=r"$\\sigma(x) = \\frac{{1}}{{1 + e^{{-x}}}}$")
    plt.legend()
    plt.title("figure %d" % plt.gcf().number)
    plt.show()
"""
PAGES = ("chapter/one.py", "chapter/sub/two.py")


def check(result) -> None:
    assert result.returncode == 0, f"build failed:\n{result.stdout}\n{result.stderr}"


def pids(site) -> list[tuple[int, int, bool]]:
    path = site.runs_log.parent / (site.runs_log.name + ".pids")
    rows = [line.split() for line in path.read_text().splitlines()] if path.exists() else []
    return [(int(a), int(b), c == "True") for a, b, c in rows]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().rsplit(")", 1)[1].split()[0] == "Z")


def assert_all_gone(pid_list: list[int]) -> None:
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in pid_list) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in pid_list if alive(pid)] == []


@pytest.fixture
def site(mini_site):
    for seed, page in enumerate(PAGES):
        mini_site.write_page(page, f"Page {page}", PAGE.format(seed=seed))
    return mini_site


def build(site, **env: str):
    return site.build(env={"MINI_ROOT": str(site.root), "MINI_X": "x", **env})


def test_preload_gives_byte_identical_outputs_and_keys(site):
    site.configure(preload=[], cache_dir=".cache/fresh")
    check(build(site))
    fresh_html = {page: site.html(page) for page in PAGES}
    assert [preloaded for _, _, preloaded in pids(site)] == [False, False]
    site.configure(preload=PRELOAD, cache_dir=".cache/zygote")
    result = build(site)
    check(result)
    assert [preloaded for _, _, preloaded in pids(site)] == [False, False, True, True]
    # A forked kernel knows its launcher's parent, as a fresh one does: no "ipython kernel"
    # note about Ctrl-C in the build's output.
    assert "Ctrl-C" not in result.stdout + result.stderr

    fresh = executed_notebooks(site.root / ".cache" / "fresh")
    forked = executed_notebooks(site.root / ".cache" / "zygote")
    assert len(fresh) == len(PAGES)
    # Same keys (preload is not part of them) and byte-identical executed notebooks.
    assert [p.relative_to(p.parents[1]) for p in fresh] == [
        p.relative_to(p.parents[1]) for p in forked
    ]
    for a, b in zip(fresh, forked, strict=True):
        assert a.read_bytes() == b.read_bytes()
    for page in PAGES:
        assert site.html(page) == fresh_html[page]
    html = site.html("chapter/sub/two.py")
    assert "cwd docs/chapter/sub" in html
    assert "'MINI_X': 'x'" in html
    assert "threads 1" in html
    assert "fresh random states True True" in html
    assert "figures before []" in html


def test_preload_list_is_the_projects():
    text = (Path(__file__).parents[1] / "mkdocs.yml").read_text()
    assert f"preload: [{', '.join(PRELOAD)}]" in text


def test_forked_kernels_and_zygote_do_not_outlive_the_build(site):
    site.configure(preload=PRELOAD)
    check(build(site))
    rows = pids(site)
    assert len(rows) == len(PAGES) and all(preloaded for _, _, preloaded in rows)
    zygotes = {parent for _, parent, _ in rows}
    assert len(zygotes) == 1  # one zygote forked both kernels
    assert_all_gone([pid for pid, _, _ in rows] + list(zygotes))


def test_hung_forked_kernel_is_killed_at_the_timeout(mini_site):
    mini_site.write_page(
        "chapter/slow.py",
        "Slow",
        "import os\nopen(os.environ['MINI_RUNS_LOG'] + '.pid', 'w').write(str(os.getpid()))",
        "import time\ntime.sleep(120)",
    )
    mini_site.configure(preload=PRELOAD, timeout=3)
    started = time.monotonic()
    result = mini_site.build()
    assert result.returncode != 0
    assert time.monotonic() - started < 60
    text = result.stdout + result.stderr
    assert "docs/chapter/slow.py" in text and "timeout of 3 s" in text
    kernel = int((mini_site.runs_log.parent / (mini_site.runs_log.name + ".pid")).read_text())
    assert_all_gone([kernel])


def test_dead_forked_kernel_fails_the_build(mini_site):
    mini_site.write_page("chapter/dies.py", "Dies", "import os\nos._exit(3)")
    mini_site.configure(preload=PRELOAD)
    result = mini_site.build()
    assert result.returncode != 0
    assert "docs/chapter/dies.py" in result.stdout + result.stderr


def test_preload_module_that_fails_to_import_fails_the_build(mini_site):
    mini_site.write_page("chapter/a.py", "A", 'print("fine")')
    mini_site.configure(preload=["no_such_module_xyz"])
    result = mini_site.build()
    assert result.returncode != 0
    assert "no_such_module_xyz" in result.stdout + result.stderr


def test_cpu_time_of_a_forked_kernel_excludes_the_preloaded_imports(site):
    site.configure(preload=[], cache_dir=".cache/fresh")
    check(build(site))
    site.configure(preload=PRELOAD, cache_dir=".cache/zygote")
    check(build(site))
    import json

    def cpu(folder: str) -> list[float]:
        entries = sorted((site.root / ".cache" / folder).glob("*.json"))
        return [json.loads(p.read_text())["cpu_seconds"] for p in entries]

    fresh, forked = cpu("fresh"), cpu("zygote")
    assert len(fresh) == len(forked) == len(PAGES)
    # Measured on the kernel itself (not the launcher, which costs next to nothing) ...
    assert all(seconds > 0.05 for seconds in forked)
    # ... without the torch and matplotlib imports each fresh kernel pays.
    assert sum(forked) < sum(fresh) - 1.0


def test_threads_started_by_the_imports_mean_fresh_kernels(mini_site):
    # With two threads, OpenBLAS (numpy) starts its pool at import: forking is unsafe.
    mini_site.write_page(
        "chapter/a.py", "A", 'import sys\nprint("preloaded", "numpy" in sys.modules)'
    )
    mini_site.configure(preload=["numpy"], threads=2)
    result = mini_site.build()
    check(result)
    assert "using fresh kernels" in result.stdout + result.stderr
    assert "preloaded False" in mini_site.html("chapter/a.py")


def test_without_forking_pages_run_in_fresh_kernels_with_the_same_outputs(site):
    # The fallback where forking is unavailable (not Linux), forced with TUTORIAL_SITE_FORK=0.
    site.configure(preload=PRELOAD, cache_dir=".cache/zygote")
    check(build(site))
    site.configure(preload=PRELOAD, cache_dir=".cache/fallback")
    check(build(site, TUTORIAL_SITE_FORK="0"))
    assert [preloaded for _, _, preloaded in pids(site)] == [True, True, False, False]
    zygote = {parent for _, parent, _ in pids(site)[:2]}
    builds = {parent for _, parent, _ in pids(site)[2:]}
    assert len(zygote) == len(builds) == 1 and zygote != builds  # started by the build
    forked = executed_notebooks(site.root / ".cache" / "zygote")
    fresh = executed_notebooks(site.root / ".cache" / "fallback")
    assert len(fresh) == len(PAGES)
    for a, b in zip(forked, fresh, strict=True):
        assert a.read_bytes() == b.read_bytes()


def test_forking_is_linux_only(monkeypatch):
    from tutorial_site.kernel import Zygote

    monkeypatch.delenv("TUTORIAL_SITE_FORK", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert Zygote.can_fork()
    monkeypatch.setattr(sys, "platform", "darwin")
    assert not Zygote.can_fork()
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("TUTORIAL_SITE_FORK", "0")
    assert not Zygote.can_fork()
