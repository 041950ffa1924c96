"""Smoke test: each logistic-chapter page runs as a plain script with warnings as errors."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PAGES = sorted((Path(__file__).resolve().parents[1] / "docs" / "logistic").glob("*.py"))


def test_the_chapter_has_its_pages():
    assert {page.stem for page in PAGES} >= {
        "logistic-function",
        "logistic-regression",
        "gradient-descent",
    }


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.stem)
def test_page_runs_as_script(page, tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg")
    result = subprocess.run(
        [sys.executable, "-W", "error", str(page)],
        cwd=tmp_path,  # pages must not depend on the working directory
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"{page.name} failed:\n{result.stdout}\n{result.stderr}"
    assert result.stderr == "", result.stderr
