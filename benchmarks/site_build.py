"""Site build benchmark: cold build, warm rebuild, one-page edit, and the no-execution floor.

Runs on a copy of the real project in a temporary folder (so the project's own cache is
neither used nor touched) and prints each figure as wall seconds:

    .venv/bin/python benchmarks/site_build.py [--page logistic/logistic-function.py]
        [--preload torch,matplotlib.pyplot,numpy | --preload ""]

``--preload`` overrides the plugin's ``preload`` option in the copy (``""``: fresh kernels).

1. cold: full build with an empty cache (every page executed);
2. warm: the same build again, nothing changed (every page from the cache);
3. one-page edit: one page changed (only that page executed), as under ``mkdocs serve``;
4. floor: a build with page execution off (``TUTORIAL_SITE_EXECUTE=false``).

Targets on the 2-core machine (issue 5): cold <= 30 s, warm <= 3 s, one-page edit <= 5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("docs", "src/tutorial_lib", "mkdocs.yml", "constraints.txt", "pyproject.toml")


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


def environment(execute: bool) -> dict[str, str]:
    env = dict(os.environ)
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
        env=environment(execute),
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"build failed:\n{result.stdout}\n{result.stderr}")
    summary = re.search(r"executed-pages: .*", result.stdout + result.stderr)
    return seconds, summary.group(0) if summary else ""


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
    args = parser.parse_args()
    print(f"site build benchmark, {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(machine())
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
        seconds, summary = build(project)
        figures.append(("warm rebuild (nothing changed)", seconds, summary))
        edited = project / "docs" / args.page
        edited.write_text(edited.read_text() + "\n# %%\n# benchmark edit\n")
        seconds, summary = build(project)
        figures.append((f"one-page edit ({args.page})", seconds, summary))
        seconds, summary = build(project, execute=False)
        figures.append(("floor (execution off)", seconds, summary))
    width = max(len(name) for name, _, _ in figures)
    for name, seconds, summary in figures:
        print(f"{name:<{width}}  {seconds:6.1f} s   {summary}")


if __name__ == "__main__":
    main()
