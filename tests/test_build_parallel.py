"""Parallel page execution gives exactly the outputs of a serial run, and really overlaps."""

from __future__ import annotations

import pytest

#: Each page prints its kernel's thread settings and a float32 reduction whose last bits
#: depend on how many threads split it, then records when it ran.
PAGE = """
    import os
    import time

    import torch

    start = time.time()
    torch.manual_seed({seed})
    x = torch.rand(1_000_000)
    print("threads", torch.get_num_threads(), os.environ["OMP_NUM_THREADS"])
    print("sum", repr(x.sum().item()), "mean", repr((x @ x).item()))
    time.sleep(1.0)
    with open(os.environ["MINI_RUNS_LOG"] + ".spans", "a") as spans:
        spans.write(f"{{os.environ['MINI_BUILD']}} {{start}} {{time.time()}}\\n")
"""
PAGES = ("chapter/one.py", "chapter/two.py", "chapter/three.py")


def check(result) -> None:
    assert result.returncode == 0, f"build failed:\n{result.stdout}\n{result.stderr}"


def spans(site, build: str) -> list[tuple[float, float]]:
    lines = (site.runs_log.parent / (site.runs_log.name + ".spans")).read_text().splitlines()
    return sorted((float(a), float(b)) for name, a, b in map(str.split, lines) if name == build)


def executed_notebooks(cache_dir):
    """The executed notebooks in a cache folder (``<key>/<page>.ipynb``), not the downloads."""
    return sorted(
        p for p in cache_dir.glob("*/*.ipynb") if (cache_dir / f"{p.parent.name}.json").exists()
    )


@pytest.fixture
def site(mini_site):
    for seed, page in enumerate(PAGES):
        mini_site.write_page(page, f"Page {page}", PAGE.format(seed=seed))
    return mini_site


def test_parallel_build_matches_serial_build(site):
    site.configure(workers=1, cache_dir=".cache/serial")
    check(site.build(env={"MINI_BUILD": "serial"}))
    serial_html = {page: site.html(page) for page in PAGES}
    site.configure(workers=3, cache_dir=".cache/parallel")
    check(site.build(env={"MINI_BUILD": "parallel"}))

    assert sorted(site.runs()) == sorted(2 * ["one", "two", "three"])
    serial_nb = executed_notebooks(site.root / ".cache" / "serial")
    parallel_nb = executed_notebooks(site.root / ".cache" / "parallel")
    assert len(serial_nb) == len(PAGES)
    # Same keys (the worker count is not part of them) and byte-identical notebooks.
    assert [p.relative_to(p.parents[1]) for p in serial_nb] == [
        p.relative_to(p.parents[1]) for p in parallel_nb
    ]
    for a, b in zip(serial_nb, parallel_nb, strict=True):
        assert a.read_bytes() == b.read_bytes()
    for page in PAGES:
        assert site.html(page) == serial_html[page]
        assert "threads 1 1" in serial_html[page]

    serial, parallel = spans(site, "serial"), spans(site, "parallel")
    # Serial: each page starts after the previous one ended. Parallel: all three overlap.
    assert all(later[0] >= earlier[1] for earlier, later in zip(serial, serial[1:], strict=False))
    assert max(start for start, _ in parallel) < min(end for _, end in parallel)


def test_thread_setting_reaches_every_kernel_and_the_key(site):
    site.configure(workers=3, threads=2)
    check(site.build(env={"MINI_BUILD": "threads"}))
    for page in PAGES:
        assert "threads 2 2" in site.html(page)
    site.configure(workers=3, threads=1)
    check(site.build(env={"MINI_BUILD": "threads"}))
    assert len(site.runs()) == 2 * len(PAGES)  # a different thread count is a different key
    assert "threads 1 1" in site.html(PAGES[0])


def test_longest_pages_start_first(mini_site):
    # One worker, so the runs log shows the start order. Never run before: by budget.
    mini_site.write_page("chapter/a_quick.py", "Quick", "x = 1")
    mini_site.write_page("chapter/b_slow.py", "Slow", "import time\ntime.sleep(1.5)")
    mini_site.write_page("chapter/c_medium.py", "Medium", "import time\ntime.sleep(0.5)")
    mini_site.configure(workers=1, budgets={"chapter/c_medium.py": 90})
    check(mini_site.build())
    assert mini_site.runs() == ["c_medium", "a_quick", "b_slow"]  # budget 90, then 60, 60

    # Then by the wall time of each page's latest execution, under any key: a library edit
    # re-executes every page, longest first, whatever the budgets say.
    lib = mini_site.lib / "__init__.py"
    lib.write_text(lib.read_text() + "# edited\n")
    check(mini_site.build())
    assert mini_site.runs()[3:] == ["b_slow", "c_medium", "a_quick"]
