"""The built site: downloads that run offline in a fresh environment, source links, footer.

The real site is built (execution off: the downloads do not depend on it) with its URL set to
a local server and with source links, served on 127.0.0.1, and two notebooks downloaded from
it run end to end in a new virtual environment outside the project. That environment sees
the packages of this one (torch, Jupyter, ...) through a folder of links that leaves
tutorial_lib out, like Colab has torch but not our library; pip may install nothing from an
index. The first notebook's set-up cell must fetch the wheel from the server and install it
into the new environment; the second finds it installed and fetches nothing.
"""

from __future__ import annotations

import functools
import os
import socket
import subprocess
import sys
import sysconfig
import threading
import urllib.request
import zipfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin

import nbformat
import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, build_env
from mkdocs.utils import yaml_load

pytestmark = pytest.mark.site

WHEEL = "/downloads/tutorial_lib-0.1.0-py3-none-any.whl"
NOTEBOOKS = [
    "logistic/logistic-regression/logistic-regression.ipynb",
    "softmax/image-classification-datasets/image-classification-datasets.ipynb",
]
REPO = "https://git.example.test/owner/tutorials"
CHECK = "import sys, tutorial_lib\nprint('CHECK', sys.prefix, tutorial_lib.__file__)"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Build the site for http://127.0.0.1:<port>/ and serve it; yield (url, folder, log)."""
    port, site = free_port(), tmp_path_factory.mktemp("offline-site")
    env = {**build_env(), "TUTORIAL_SITE_EXECUTE": "false"}
    env["TUTORIAL_SITE_URL"] = url = f"http://127.0.0.1:{port}/"
    env.update({"REPO_URL": REPO, "EDIT_URI": "edit/main/docs/"})
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    requests: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            requests.append(self.path)

    server = ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(Handler, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield url, site, requests
    server.shutdown()
    server.server_close()


def fresh_environment(folder: Path) -> tuple[Path, dict[str, str]]:
    """A venv outside the project seeing this environment's packages but not tutorial_lib."""
    packages = Path(sysconfig.get_path("purelib"))
    shadow = folder / "local-packages"
    shadow.mkdir()
    for entry in packages.iterdir():
        if not entry.name.startswith(("tutorial_lib", "__editable__", "tutorial_site")):
            (shadow / entry.name).symlink_to(entry)
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "local-packages.pth").write_text(f"{shadow}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_"))}
    # Nothing of this environment on PATH: `jupyter <command>` would run its scripts.
    env["PATH"] = os.pathsep.join(
        entry
        for entry in env.get("PATH", "").split(os.pathsep)
        if not Path(entry).resolve().is_relative_to(Path(sys.prefix).resolve())
    )
    # Offline: pip may fetch the wheel from the local server and install nothing else.
    env.update({"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": "", "TUTORIAL_LIB_NO_DOWNLOAD": "1"})
    env.update({"NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1", "MPLBACKEND": "Agg"})
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env["PIP_CONFIG_FILE"] = os.devnull
    return python, env


def test_downloaded_notebooks_install_the_wheel_from_the_site_and_run(served, tmp_path):
    data = os.environ.get("TUTORIAL_LIB_DATA")
    if not data or not Path(data, "FashionMNIST").is_dir():
        pytest.skip("TUTORIAL_LIB_DATA does not hold the datasets")
    url, _, requests = served
    python, env = fresh_environment(tmp_path)
    env["TUTORIAL_LIB_DATA"] = data
    probe = subprocess.run(
        [str(python), "-c", "import torch, nbclient\nimport tutorial_lib"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert "No module named 'tutorial_lib'" in probe.stderr, probe.stderr
    outputs = []
    for page in NOTEBOOKS:
        path = tmp_path / "work" / Path(page).name
        path.parent.mkdir(exist_ok=True)
        urllib.request.urlretrieve(url + page, path)
        notebook = nbformat.read(path, as_version=4)
        assert "tutorial_lib" in notebook.cells[0].source and url in notebook.cells[0].source
        notebook.cells.append(nbformat.v4.new_code_cell(CHECK))
        nbformat.write(notebook, path)
        result = subprocess.run(
            [str(python), "-m", "nbconvert", "--to", "notebook", "--execute"]
            + ["--ExecutePreprocessor.timeout=600", "--inplace", str(path)],
            cwd=path.parent,
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
        )
        assert result.returncode == 0, f"{page}:\n{result.stderr[-3000:]}"
        executed = nbformat.read(path, as_version=4)
        outputs.append(
            ["".join(o.get("text", "") for o in c.get("outputs", [])) for c in executed.cells]
        )
        # The first notebook installed the wheel, fetched once from the server.
        assert requests.count(WHEEL) == 1, requests
    venv = python.parent.parent
    for cells in outputs:
        check = cells[-1].split()
        assert check[:2] == ["CHECK", str(venv)], cells[-1]
        assert Path(check[2]).is_relative_to(venv)
    assert "Successfully installed tutorial-lib-0.1.0" in outputs[0][0]
    assert outputs[1][0] == ""  # already installed: the set-up cell does nothing
    # pip installed the wheel only: torch and the rest came from the environment.
    purelib = Path(check[2]).parents[1]
    installed = sorted(p.name for p in purelib.iterdir() if p.name != "__pycache__")
    assert installed == ["local-packages.pth", "tutorial_lib", "tutorial_lib-0.1.0.dist-info"]


def test_site_publishes_the_archive_and_the_wheel_it_describes(served):
    _, site, _ = served
    pages = sorted(p.relative_to(ROOT / "docs") for p in ROOT.glob("docs/*/*.py"))
    expected = {"README.md", "requirements.txt", Path(WHEEL).name}
    expected |= {str(page.with_suffix(".ipynb")) for page in pages}
    with zipfile.ZipFile(site / "downloads" / "notebooks.zip") as archive:
        names = {name.removeprefix("notebooks/") for name in archive.namelist()}
        readme = archive.read("notebooks/README.md").decode()
        for page in pages:
            served_notebook = site / page.with_suffix("") / page.with_suffix(".ipynb").name
            assert archive.read(f"notebooks/{page.with_suffix('.ipynb')}") == (
                served_notebook.read_bytes()
            )
    assert names == expected
    for name in names:
        assert f"`{name}`" in readme
    with zipfile.ZipFile(site / "downloads" / Path(WHEEL).name) as wheel:
        top = {name.split("/")[0] for name in wheel.namelist()}
    assert top == {"tutorial_lib", "tutorial_lib-0.1.0.dist-info"}


def nav_pages() -> list[str]:
    """The pages of mkdocs.yml's nav in order (docs paths)."""

    def walk(items):
        for item in items:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            yield from walk(value) if isinstance(value, list) else [value]

    config = yaml_load((ROOT / "mkdocs.yml").read_text())
    return list(walk(config["nav"]))


def page_html(site: Path, page: str) -> BeautifulSoup:
    folder = site if page == "index.md" else site / Path(page).with_suffix("")
    return BeautifulSoup((folder / "index.html").read_text(encoding="utf-8"), "html.parser")


def test_pages_link_their_source_when_the_repository_is_set(served):
    _, site, _ = served
    for page in nav_pages():
        soup = page_html(site, page)
        buttons = {a["href"] for a in soup.select("a.md-content__button")}
        source = {f"{REPO}/edit/main/docs/{page}", f"{REPO}/raw/main/docs/{page}"}
        # A generated page (the computation-times page) has no source to link.
        assert buttons == (source if (ROOT / "docs" / page).is_file() else set()), page
        assert soup.select_one("a.md-source")["href"] == REPO


def test_default_build_has_no_source_links(built_site):
    for page in nav_pages():
        soup = page_html(built_site, page)
        assert not soup.select("a.md-content__button, a.md-source"), page


def test_every_page_footer_links_the_previous_and_next_page(built_site):
    pages = nav_pages()
    urls = ["" if p == "index.md" else f"{Path(p).with_suffix('')}/" for p in pages]
    for index, page in enumerate(pages):
        footer = page_html(built_site, page).select_one("nav.md-footer__inner")
        assert footer is not None, page
        links = {
            kind: urljoin("http://site/" + urls[index], a["href"]).removeprefix("http://site/")
            for kind in ("prev", "next")
            for a in footer.select(f"a.md-footer__link--{kind}")
        }
        expected = {"next": urls[index + 1]} if index + 1 < len(urls) else {}
        expected |= {"prev": urls[index - 1]} if index else {}
        assert links == expected, page
