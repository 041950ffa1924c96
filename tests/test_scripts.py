"""scripts/build, serve and test set the project up first when .venv is missing or stale."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Stands for scripts/install: records the call, makes .venv, writes the stamp as it does.
STUB_INSTALL = """\
source "$(dirname "$0")/_env"
echo installed >> install.log
mkdir -p .venv/bin && printf '#!/bin/sh\\n' > .venv/bin/python && chmod +x .venv/bin/python
setup_stamp > .venv/.setup-stamp
"""


def ensure_setup(project: Path) -> int:
    """Run ``ensure_setup`` from scripts/_env in ``project``; return how often it installed."""
    subprocess.run(
        ["bash", "-c", "source scripts/_env && ensure_setup"],
        cwd=project,
        check=True,
        capture_output=True,
    )
    log = project / "install.log"
    return len(log.read_text().split()) if log.exists() else 0


def test_set_up_runs_when_venv_is_missing_or_stale_only(tmp_path):
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "_env", tmp_path / "scripts" / "_env")
    (tmp_path / "scripts" / "install").write_text(STUB_INSTALL)
    for name in ("pyproject.toml", "constraints.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    assert ensure_setup(tmp_path) == 1  # no .venv yet
    assert ensure_setup(tmp_path) == 1  # up to date: nothing to do
    with open(tmp_path / "constraints.txt", "a") as constraints:
        constraints.write("newpackage==1.0\n")
    assert ensure_setup(tmp_path) == 2  # constraints.txt changed
    assert ensure_setup(tmp_path) == 2
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "', 'version = "1'))
    assert ensure_setup(tmp_path) == 3  # pyproject.toml changed


def test_build_serve_and_test_set_up_before_running():
    for name in ("build", "serve", "test"):
        lines = (ROOT / "scripts" / name).read_text().splitlines()
        code = [line for line in lines if line and not line.startswith("#")]
        assert code[:3] == ["set -euo pipefail", 'source "$(dirname "$0")/_env"', "ensure_setup"]
    install = (ROOT / "scripts" / "install").read_text()
    assert "setup_stamp > .venv/.setup-stamp" in install
