"""Site build benchmark: cold build, warm rebuild, edits under ``mkdocs serve``, the floor.

Runs on a copy of the real project in a temporary folder (so the project's own cache is
neither used nor touched) and prints each figure as wall seconds:

    .venv/bin/python benchmarks/site_build.py [--page logistic/logistic-function.py]
        [--edits 3] [--settle 15] [--preload torch,numpy | --preload ""] [--cold-only]
        [--warm-runs 5]

``--preload`` overrides the plugin's ``preload`` option in the copy (``""``: fresh kernels);
``--cold-only`` measures the cold build alone (alternate many runs on a noisy machine).

1. cold: ``mkdocs build`` with an empty cache (every page executed);
2. warm: the same build again, nothing changed (every page from the cache);
3. serve edits: ``mkdocs serve`` runs on the warm cache; once it has served the site and
   had ``--settle`` seconds to start its preload zygote (an author does not edit within
   seconds of starting the server), ``--page`` is edited ``--edits`` times, each edit
   appending a cell that prints a new marker. Each figure is the time from writing the
   file to the served page showing the marker: change detection, execution of that page
   (only), the rebuild of the site, polled every 0.05 s;
4. floor: ``mkdocs build`` with page execution off (``TUTORIAL_SITE_EXECUTE=false``).

Targets on the 2-core machine (issue 5): cold <= 30 s, warm <= 3 s, one-page edit under
``mkdocs serve`` <= 5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from live_server import free_address, stop, wait_for_text  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
#: The copy has its own library and plugin (PYTHONPATH): one checkout's code, whatever the
#: virtual environment has installed (e.g. this code's benchmark run from an older commit).
COPIED = ("docs", "src/tutorial_lib", "src/tutorial_site", "mkdocs.yml", "constraints.txt",
          "pyproject.toml")


def calibration() -> float:
    """Seconds for a fixed pure-Python loop: how fast this machine is right now.

    Shared virtual machines vary from hour to hour; this figure, printed with the others,
    tells whether a change in them comes from the project or from the machine.
    """
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for number in range(5_000_000):
            total += number
        best = min(best, time.perf_counter() - started)
    return best


def machine() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        model = found.group(1) if found else ""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (
        f"{platform.node()}: {os.cpu_count()} CPUs {model}, Python {platform.python_version()}, "
        f"load average at start {load}"
    )


def environment(execute: bool, project: Path) -> dict[str, str]:
    env = dict(os.environ)
    # The copy's own library and plugin, whatever the virtual environment has installed.
    env["PYTHONPATH"] = str(project / "src")
    env["NO_MKDOCS_2_WARNING"] = "1"
    env["MPLBACKEND"] = "Agg"
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["TUTORIAL_SITE_EXECUTE"] = "true" if execute else "false"
    shared = ROOT.parent / "shared" / "data"
    if "TUTORIAL_LIB_DATA" not in env and shared.is_dir():
        env["TUTORIAL_LIB_DATA"] = str(shared)
    return env


def build(project: Path, *, execute: bool = True) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(project / "site")],
        cwd=project,
        env=environment(execute, project),
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"build failed:\n{result.stdout}\n{result.stderr}")
    summary = re.search(r"executed-pages: \d+ pages.*", result.stdout + result.stderr)
    return seconds, summary.group(0) if summary else ""


def serve_edits(project: Path, page: str, edits: int, settle: float) -> list[tuple[float, str]]:
    """Time ``edits`` successive edits of ``page`` under ``mkdocs serve`` (see the docstring)."""
    address = free_address()
    log = project / "serve.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--strict", "-a", address],
            cwd=project,
            env=environment(True, project),
            stdout=output,
            stderr=subprocess.STDOUT,
        )

    def wait_for(text: str, seconds: float = 300) -> None:
        problem = wait_for_text(url, text, server, seconds=seconds, interval=0.05)
        if problem is not None:
            sys.exit(f"{problem}:\n{log.read_text()}")

    def served_url(seconds: float = 300) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = re.search(r"Serving on (\S+)", log.read_text())
            if found:
                base = found.group(1).rstrip("/")
                return f"{base}/{Path(page).with_suffix('').as_posix()}/"
            if server.poll() is not None:
                break
            time.sleep(0.05)
        sys.exit(f"mkdocs serve did not start:\n{log.read_text()}")

    figures = []
    try:
        url = served_url()
        wait_for("</html>")
        time.sleep(settle)
        edited = project / "docs" / page
        for number in range(1, edits + 1):
            marker = f"benchmark edit {number} of {edits}"
            text = edited.read_text() + f'\n# %%\nprint("{marker}")\n'
            before = log.read_text()
            started = time.perf_counter()
            edited.write_text(text)
            wait_for(marker)
            seconds = time.perf_counter() - started
            time.sleep(1.0)  # let the server settle (it may still be writing the site)
            # What the server reported for this rebuild: the page's execution, the build.
            reported = log.read_text()[len(before) :]
            executed = re.search(r"executed-pages: .*? executed in ([0-9.]+) s", reported)
            built = re.search(r"Documentation built in ([0-9.]+) seconds", reported)
            figures.append(
                (
                    seconds,
                    f"rebuild {built.group(1) if built else '?'} s, of which executing the "
                    f"page {executed.group(1) if executed else '?'} s",
                )
            )
    finally:
        stop(server)
    return figures


def copy_project(target: Path) -> None:
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def set_preload(config: Path, modules: str) -> None:
    """Set the ``preload`` option of the ``executed-pages`` plugin in the copied mkdocs.yml."""
    text = re.sub(r"\n      preload: .*", "", config.read_text())
    listed = ", ".join(m for m in modules.split(",") if m)
    text, count = re.subn(
        r"(\n  - executed-pages:\n)", rf"\g<1>      preload: [{listed}]\n", text, count=1
    )
    if count != 1:
        sys.exit("no executed-pages plugin in mkdocs.yml")
    config.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--page",
        default="logistic/logistic-function.py",
        help="page (relative to docs/) edited for the one-page figure",
    )
    parser.add_argument(
        "--preload",
        default=None,
        help="comma-separated modules for the zygote ('' for fresh kernels; default: as in "
        "mkdocs.yml)",
    )
    parser.add_argument("--edits", type=int, default=3, help="edits under mkdocs serve")
    parser.add_argument(
        "--settle",
        type=float,
        default=15.0,
        help="seconds between mkdocs serve serving the site and the first edit",
    )
    parser.add_argument(
        "--warm-runs", type=int, default=1, help="warm rebuilds measured (and their median)"
    )
    parser.add_argument(
        "--cold-only",
        action="store_true",
        help="only the cold build (for many alternating runs on a noisy machine)",
    )
    args = parser.parse_args()
    print(f"site build benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(machine())
    print(f"calibration: a 5,000,000-step Python loop takes {calibration():.3f} s (best of 3)")
    with tempfile.TemporaryDirectory(prefix="site-bench-") as folder:
        project = Path(folder)
        copy_project(project)
        if args.preload is not None:
            set_preload(project / "mkdocs.yml", args.preload)
            print(f"preload: [{args.preload}]")
        pages = sorted(project.glob("docs/**/*.py"))
        print(f"{len(pages)} tutorial pages")
        figures = []
        seconds, summary = build(project)
        figures.append(("cold build (empty cache)", seconds, summary))
        args.edits = 0 if args.cold_only else args.edits
        for _ in () if args.cold_only else (1,):
            warm = [build(project) for _ in range(args.warm_runs)]
            for number, (seconds, summary) in enumerate(warm, start=1):
                of = f", {number} of {len(warm)}" if len(warm) > 1 else ""
                figures.append((f"warm rebuild (nothing changed{of})", seconds, summary))
            if len(warm) > 1:
                median = statistics.median(seconds for seconds, _ in warm)
                figures.append((f"warm rebuild (median of {len(warm)})", median, ""))
            seconds, summary = build(project, execute=False)
            figures.append(("floor (execution off)", seconds, summary))
        edits = serve_edits(project, args.page, args.edits, args.settle) if args.edits else []
        for number, (seconds, summary) in enumerate(edits, start=1):
            figures.append((f"mkdocs serve, edit {number} of {args.page}", seconds, summary))
        if edits:
            median = statistics.median(seconds for seconds, _ in edits)
            figures.append((f"mkdocs serve, one-page edit (median of {len(edits)})", median, ""))
    width = max(len(name) for name, _, _ in figures)
    for name, seconds, summary in figures:
        print(f"{name:<{width}}  {seconds:6.1f} s   {summary}")


if __name__ == "__main__":
    main()
