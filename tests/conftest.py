"""Shared fixtures: the project root and one executed build of the site per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def build_env() -> dict[str, str]:
    """Environment for a site build, as scripts/_env sets it up."""
    env = dict(os.environ)
    env["NO_MKDOCS_2_WARNING"] = "1"
    env["MPLBACKEND"] = "Agg"
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_build(config_dir: Path, site_dir: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run ``mkdocs build --strict`` for the project in ``config_dir`` into ``site_dir``.

    A copy of the project imports its own library, not the one installed from ``ROOT``.
    """
    env = build_env()
    if config_dir.resolve() != ROOT:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(config_dir / "src"),
                                                          env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site_dir), *extra],
        cwd=config_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )


@pytest.fixture(scope="session")
def root() -> Path:
    """The project root."""
    return ROOT


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the real site once per session and return its folder.

    With ``TUTORIAL_TEST_SITE=<folder>`` the site tests use that already built site instead
    (quick runs of the browser tests while working on the CSS; the full suite builds).
    """
    prebuilt = os.environ.get("TUTORIAL_TEST_SITE")
    if prebuilt:
        if not (Path(prebuilt) / "index.html").is_file():
            pytest.fail(f"TUTORIAL_TEST_SITE={prebuilt} holds no built site", pytrace=False)
        return Path(prebuilt)
    site_dir = tmp_path_factory.mktemp("site")
    result = run_build(ROOT, site_dir)
    if result.returncode != 0:
        pytest.fail(f"site build failed:\n{result.stdout}\n{result.stderr}", pytrace=False)
    return site_dir


@pytest.fixture
def mini_site(tmp_path: Path):
    """A throwaway MkDocs project with tiny tutorial pages, for fast tests of the build plugin.

    Layout under ``tmp_path/project``: ``mkdocs.yml``, ``docs/index.md`` (with the results-table
    marker), ``docs/about.md``, pages written with ``write_page``, a fake library
    ``lib/minilib`` (watched by the plugin, importable by the pages through PYTHONPATH) and a
    ``requirements.txt`` standing for the pinned set. Pages can append to the runs log
    (env ``MINI_RUNS_LOG``) to prove that they really executed, and read ``MINI_DATA_FILE``.
    """
    import json
    import textwrap
    from types import SimpleNamespace

    project = tmp_path / "project"
    site = tmp_path / "site"
    (project / "docs").mkdir(parents=True)
    (project / "lib" / "minilib").mkdir(parents=True)
    (project / "data").mkdir()
    (project / "lib" / "minilib" / "__init__.py").write_text(
        '"""Fake library."""\nFACTOR = 2\n\n\ndef scale(x):\n    return FACTOR * x\n'
    )
    (project / "requirements.txt").write_text("minilib==1.0\n")
    (project / "data" / "numbers.txt").write_text("1 2 3 4\n")
    (project / "docs" / "index.md").write_text(
        "# Mini site\n\n## Results\n\n<!-- results-table -->\n"
    )
    (project / "docs" / "about.md").write_text("# About\n\nA throwaway site.\n")
    ns = SimpleNamespace(
        root=project,
        site=site,
        docs=project / "docs",
        lib=project / "lib" / "minilib",
        data_file=project / "data" / "numbers.txt",
        runs_log=tmp_path / "runs.log",
        cache=project / ".cache" / "executed-pages",
        pages=[],
    )

    def write_page(src_uri: str, title: str, *cells: str) -> Path:
        """Write a percent-format page: a title cell, a cell logging the run, then ``cells``."""
        name = Path(src_uri).stem
        log_cell = (
            "import os\n"
            "with open(os.environ['MINI_RUNS_LOG'], 'a') as runs_log:\n"
            f"    runs_log.write('{name}\\n')\n"
        )
        text = f"# %% [markdown]\n# # {title}\n"
        for cell in (log_cell, *cells):
            body = textwrap.dedent(cell).strip() + "\n"
            text += "\n" + (body if body.startswith("# %%") else "# %%\n" + body)
        path = project / "docs" / src_uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        if src_uri not in ns.pages:
            ns.pages.append(src_uri)
        return path

    def configure(nav: bool = True, **options: object) -> None:
        """Write mkdocs.yml; ``options`` override the executed-pages plugin defaults here."""
        plugin = {
            "watch_sources": ["lib/minilib"],
            "watch_files": ["requirements.txt"],
            "env_keys": ["TUTORIAL_LIB_DATA"],
            "workers": 2,
            "budget": 60,
            # MINI_SITE_PRELOAD=torch,numpy runs every mini-site test with kernels forked
            # from a preload zygote.
            "preload": [m for m in os.environ.get("MINI_SITE_PRELOAD", "").split(",") if m],
            **options,
        }
        config: dict[str, object] = {
            "site_name": "Mini",
            "strict": True,
            "theme": {"name": "mkdocs"},
            "plugins": [
                {"executed-pages": plugin},
                {
                    "mkdocs-jupyter": {
                        "execute": False,
                        "allow_errors": False,
                        "kernel_name": "python3",
                        "include_source": False,
                        "cache": True,
                        "remove_tag_config": {"remove_input_tags": ["remove_input"]},
                    }
                },
            ],
        }
        if nav:
            config["nav"] = [
                {"Home": "index.md"},
                {"Chapter": list(ns.pages)},
                {"Reference": [{"About": "about.md"}, "computation-times.md"]},
            ]
        (project / "mkdocs.yml").write_text(json.dumps(config, indent=2))

    def environment(env: dict[str, str] | None = None) -> dict[str, str]:
        build_environment = build_env()
        build_environment.update(
            {
                # Any PYTHONPATH of the test run stays behind (e.g. a worktree's src/).
                "PYTHONPATH": os.pathsep.join(
                    filter(None, [str(project / "lib"), os.environ.get("PYTHONPATH")])
                ),
                "MINI_RUNS_LOG": str(ns.runs_log),
                "MINI_DATA_FILE": str(ns.data_file),
            }
        )
        build_environment.pop("TUTORIAL_LIB_DATA", None)
        build_environment.update(env or {})
        return build_environment

    def build(*extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """Build the mini site into ``ns.site``; the result carries exit code and output."""
        return subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site), *extra],
            cwd=project,
            env=environment(env),
            capture_output=True,
            text=True,
            timeout=600,
        )

    def serve(address: str, log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
        """Start ``mkdocs serve`` for the mini site at ``address``, its output going to ``log``."""
        with open(log, "wb") as output:
            return subprocess.Popen(
                [sys.executable, "-m", "mkdocs", "serve", "--strict", "-a", address],
                cwd=project,
                env=environment(env),
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def runs() -> list[str]:
        """Names of the pages executed so far, one entry per execution."""
        return ns.runs_log.read_text().split() if ns.runs_log.exists() else []

    def html(src_uri: str) -> str:
        """The built HTML of a page (``chapter/alpha.py`` -> ``chapter/alpha/index.html``)."""
        stem = Path(src_uri).with_suffix("")
        path = site / "index.html" if str(stem) == "index" else site / stem / "index.html"
        return path.read_text(encoding="utf-8")

    ns.write_page, ns.configure, ns.build, ns.serve, ns.runs, ns.html = (
        write_page,
        configure,
        build,
        serve,
        runs,
        html,
    )
    ns.environment = environment
    return ns
