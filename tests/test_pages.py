"""Smoke test: every tutorial page runs as a plain script, with warnings as errors."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted(DOCS.glob("*/*.py"))


def test_both_chapters_have_their_pages():
    names = {f"{page.parent.name}/{page.stem}" for page in PAGES}
    assert names >= {
        "logistic/logistic-function",
        "logistic/logistic-regression",
        "logistic/gradient-descent",
        "softmax/image-classification-datasets",
        "softmax/one-hot-encoding",
        "softmax/cross-entropy",
        "softmax/regression-losses",
        "softmax/softmax-regression-scratch",
        "softmax/softmax-regression-concise",
    }


@pytest.mark.parametrize("page", PAGES, ids=lambda page: f"{page.parent.name}/{page.stem}")
def test_page_runs_as_a_script(page: Path, tmp_path: Path) -> None:
    env = dict(os.environ, MPLBACKEND="Agg")
    # One torch thread, as the site build runs every page kernel (mkdocs.yml: threads: 1);
    # two threads on a busy 2-core machine slow small tensor ops down many times over.
    env.setdefault("OMP_NUM_THREADS", "1")
    result = subprocess.run(
        [sys.executable, "-W", "error", str(page)],
        cwd=tmp_path,  # pages must not depend on the working directory
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, f"{page.name} failed:\n{result.stdout}\n{result.stderr}"
    assert result.stderr == "", result.stderr
    assert result.stdout.strip(), f"{page.name} printed nothing"
