"""Smoke test: every page of the softmax chapter runs as a plain script with warnings as errors."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs" / "softmax").glob("*.py"))
DATA = ROOT.parent / "shared" / "data"


def test_the_six_pages_exist():
    names = {page.stem for page in PAGES}
    assert names >= {
        "image-classification-datasets",
        "one-hot-encoding",
        "cross-entropy",
        "regression-losses",
        "softmax-regression-scratch",
        "softmax-regression-concise",
    }


@pytest.mark.parametrize("page", PAGES, ids=[page.stem for page in PAGES])
def test_page_runs_as_a_script(page, tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg")
    # one torch thread, as the site build runs every page kernel (mkdocs.yml: threads: 1);
    # with two threads on a busy 2-core machine torch slows down many times over
    env.setdefault("OMP_NUM_THREADS", "1")
    if "TUTORIAL_LIB_DATA" not in env and DATA.is_dir():
        env["TUTORIAL_LIB_DATA"] = str(DATA)
    result = subprocess.run(
        [sys.executable, "-W", "error", str(page)],
        cwd=tmp_path,  # pages must not depend on the working directory
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, f"{page.name} failed:\n{result.stdout}\n{result.stderr}"
    assert result.stdout.strip(), f"{page.name} printed nothing"
