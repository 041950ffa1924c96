"""Downloads of the tutorial pages: notebooks and scripts that install what they need.

:class:`Downloads` adds ``downloads/`` to the site (the library's wheel, ``requirements.txt``,
``notebooks.zip``) and gives each page its notebook, notebook with outputs and Python script;
the wheel and the notebooks are cached in ``.cache/downloads``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin

import jupytext
import nbformat
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from tutorial_site.cache import Damaged, atomic_write, digest, evict, load_json, save_json
from tutorial_site.record import KERNELSPEC

LIBRARY = "tutorial_lib"
#: What readers install; the versions in constraints.txt (the tested set) are lower bounds.
REQUIREMENTS = ("torch", "torchvision", "matplotlib", "numpy")
SETUP = """\
# Set-up: install tutorial_lib, the small library of these tutorials,
# unless it is installed already (pip keeps the installed torch).
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("tutorial_lib") is None:
    site = "{site}"
    wheel = site + "downloads/{wheel}"
    pip = [sys.executable, "-m", "pip", "install", wheel]
    run = subprocess.run(pip, capture_output=True, text=True)
    print(run.stdout, run.stderr)
    run.check_returncode()
    importlib.invalidate_caches()
"""
README = """\
# {site_name}: the notebooks

Every tutorial page of {site_url} as a Jupyter notebook. In this archive:

{files}

To run them, in this folder, with Python 3.11 or newer:

```bash
python -m venv .venv && . .venv/bin/activate
{install} jupyterlab
jupyter lab
```

`requirements.txt` lists torch, torchvision, matplotlib and numpy; the wheel holds
`tutorial_lib`, the library the notebooks import. Each notebook's first cell installs the
wheel from the site when `tutorial_lib` is missing, so it also runs on its own (in Colab,
say). Solutions are collapsed: try the exercise first. Datasets are downloaded on first use
into `~/.cache/tutorial_lib`, or set `TUTORIAL_LIB_DATA` to a folder holding
`FashionMNIST/raw` and `MNIST/raw`.
"""
_LINK = re.compile(r"\]\((?![a-zA-Z][\w+.-]*:|#|/)([^)\s]+)\)")  # ](relative target)
_DARK_FIGURE = re.compile(r'<img class="tl-figure-dark"[^>]*>')
_CODE = digest(Path(__file__).read_bytes(), jupytext.__version__)
_KEEP_UNUSED = 3600  # seconds a cache file no build used is kept
log = logging.getLogger("mkdocs.plugins.executed_pages")


def notebook_text(
    notebook: nbformat.NotebookNode, setup: str | None, page_url: str | None = None
) -> str:
    """Return ``notebook`` as a download: set-up cell first, solutions and dark figures hidden.

    Relative Markdown links become absolute from ``page_url``: they work wherever it is opened.
    """
    if setup:
        notebook.cells.insert(0, nbformat.v4.new_code_cell(setup.rstrip("\n")))
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index}"
        if "solution" in cell.metadata.get("tags", []):
            hidden = {"source_hidden": True, "outputs_hidden": bool(cell.get("outputs"))}
            cell.metadata.setdefault("jupyter", {}).update(hidden)
        if cell.cell_type == "markdown" and page_url:
            cell.source = _LINK.sub(lambda m: f"]({urljoin(page_url, m[1])})", cell.source)
        for output in cell.get("outputs", []):
            if "text/html" in output.get("data", {}):
                output.data["text/html"] = _DARK_FIGURE.sub("", output.data["text/html"])
    for key in ("jupytext", "executed_pages"):
        notebook.metadata.pop(key, None)
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata.setdefault("language_info", {"name": "python"})
    return nbformat.writes(notebook)


def script_text(text: str, setup: str | None) -> str:
    """Return the page's percent-format source with the set-up cell after its header."""
    if not setup:
        return text
    end = text.find("\n# ---\n") + len("\n# ---\n") if text.startswith("# ---\n") else 0
    head, body = text[:end], text[end:].lstrip("\n")
    return head + ("\n" if head else "") + f"# %%\n{setup}\n" + body


def _intact(folder: Path) -> bool:
    """Whether ``folder`` holds one wheel whose files all match their CRC-32 (a zip check)."""
    wheels = list(folder.glob(f"{LIBRARY}-*-py3-none-any.whl"))
    if len(wheels) != 1:
        return False
    with contextlib.suppress(OSError, EOFError, zipfile.BadZipFile, zlib.error):
        with zipfile.ZipFile(wheels[0]) as archive:
            return archive.testzip() is None
    return False


class Downloads:
    """The downloads of one build (state kept between the plugin's hooks)."""

    def __init__(self, project_dir: Path, site_url: str | None) -> None:
        self.root = project_dir
        self.cache = project_dir / ".cache" / "downloads"
        url = os.environ.get("TUTORIAL_SITE_URL") or site_url
        self.site = url.rstrip("/") + "/" if url else None
        if not self.site and (project_dir / "src" / LIBRARY).is_dir():
            raise PluginError("downloads: set site_url (or TUTORIAL_SITE_URL)")
        self.setup: str | None = None  # the set-up cell; None when there is no library
        self.pages: Mapping[str, Path] = {}  # page -> its source
        self.notebooks: dict[str, str] = {}  # page -> its clean notebook
        self.urls: dict[str, str | None] = {}  # page -> its address on the site
        self.used: set[str] = set()  # the cache files this build used
        self.pip: tuple[subprocess.Popen[bytes], str] | None = None  # building, in a folder

    def add_files(self, files: Files, config: MkDocsConfig, pages: Mapping[str, Path]) -> None:
        """Build the wheel and the clean notebooks of ``pages``; add ``downloads/`` to ``files``."""
        self.cache.mkdir(parents=True, exist_ok=True)
        self.pages, self.used = pages, set()
        wheel = self._wheel()
        self.setup = SETUP.format(site=self.site, wheel=wheel.name) if wheel else None
        for page in pages:  # the page's address, as mkdocs-jupyter will render it
            stem = PurePosixPath(page).with_suffix("")
            path = f"{stem}/" if config.use_directory_urls else f"{stem}.html"
            self.urls[page] = urljoin(self.site, path) if self.site else None
        self.notebooks = {page: self._converted(page, pages[page]) for page in sorted(pages)}
        requirements = self._requirements()
        archive = self._archive(config.site_name, wheel, requirements)
        for name, content in (("requirements.txt", requirements), ("notebooks.zip", archive)):
            files.append(File.generated(config, f"downloads/{name}", content=content))
        if wheel is not None:
            files.append(File.generated(config, f"downloads/{wheel.name}", abs_src_path=wheel))
        evict(self.cache, self.used, _KEEP_UNUSED)

    def links(self, html: str, src_uri: str, executed: bool) -> str:
        """Insert the page's download links after the first ``</h1>`` of ``html``."""
        stem = PurePosixPath(src_uri).stem
        outputs = f'<a href="{stem}-outputs.ipynb" download>notebook with outputs</a>, '
        snippet = (
            '<p class="executed-pages-downloads">Download this page: '
            f'<a href="{stem}.ipynb" download>notebook</a>, {outputs if executed else ""}'
            f'<a href="{stem}.py" download>Python script</a>.</p>'
        )
        end = html.find("</h1>") + len("</h1>") if "</h1>" in html else 0
        return html[:end] + snippet + html[end:]

    def write(self, src_uri: str, folder: Path, executed: Path | None) -> None:
        """Write the page's downloads into ``folder`` (``executed``: its executed notebook)."""
        stem = PurePosixPath(src_uri).stem
        atomic_write(folder / f"{stem}.ipynb", self.notebooks[src_uri])
        if executed is not None:
            atomic_write(folder / f"{stem}-outputs.ipynb", self._converted(src_uri, executed))
        script = script_text(self.pages[src_uri].read_text(encoding="utf-8"), self.setup)
        atomic_write(folder / f"{stem}.py", script)

    def _converted(self, page: str, source: Path) -> str:
        """The download made from ``source`` (an executed notebook or the page), cached."""
        data, url = source.read_bytes(), self.urls[page]
        path = self.cache / f"{digest(data, self.setup or '', url or '', _CODE)}.json"
        self.used.add(path.name)
        with contextlib.suppress(Damaged):  # (then converted again)
            kept = load_json(path)
            if kept is not None:
                return str(kept["text"])
        fmt = "ipynb" if source.suffix == ".ipynb" else "py:percent"
        text = notebook_text(jupytext.reads(data.decode(), fmt=fmt), self.setup, url)
        save_json(path, {"text": text})
        return text

    def _wheel(self) -> Path | None:
        """The library's wheel from ``src/``, built by pip once per version of its sources."""
        root, package = self.root, self.root / "src" / LIBRARY
        if not package.is_dir() or not (root / "pyproject.toml").is_file():
            return None
        paths = [root / "pyproject.toml", root / "README.md", *sorted(package.rglob("*.py"))]
        sources = {p.relative_to(root).as_posix(): p.read_bytes() for p in paths if p.is_file()}
        folder = self.cache / f"wheel-{digest(*sources, *sources.values(), sys.version)}"
        self.used.add(folder.name)
        if folder.is_dir() and not _intact(folder):
            log.info("executed-pages: downloads: cached wheel damaged, building it again")
            shutil.rmtree(folder, ignore_errors=True)
        if not folder.is_dir():
            with tempfile.TemporaryDirectory(dir=self.cache, prefix=".wheel-") as temporary:
                for name, data in sources.items():  # pip builds a copy: src/ stays clean
                    atomic_write(Path(temporary, "source", name), data)
                command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-index"]
                command += ["--no-build-isolation", "--no-cache-dir", "-qw", "dist", "./source"]
                # A reproducible zip; pip's own temporary files in the folder stop() removes.
                env = {**os.environ, "SOURCE_DATE_EPOCH": "315532800", "TMPDIR": temporary}
                pip = subprocess.Popen(command, cwd=temporary, env=env, start_new_session=True,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                self.pip = pip, temporary
                stderr = pip.communicate()[1]
                if pip.returncode != 0:
                    raise PluginError(f"downloads: pip wheel failed:\n{stderr.decode()}")
                with contextlib.suppress(OSError):  # a parallel build won
                    os.replace(Path(temporary, "dist"), folder)
            self.pip = None
        return next(folder.glob(f"{LIBRARY}-*-py3-none-any.whl"))

    def stop(self) -> None:
        """Kill a running ``pip wheel`` with what it started; remove its folder (Ctrl-C)."""
        if self.pip is not None:
            pip, folder = self.pip
            with contextlib.suppress(OSError):  # (not waited for: this process exits next)
                os.killpg(pip.pid, signal.SIGKILL)
            shutil.rmtree(folder, ignore_errors=True)

    def _requirements(self) -> str:
        path = self.root / "constraints.txt"
        text = path.read_text(encoding="utf-8").lower() if path.is_file() else ""
        pins = dict(line.split("==", 1) for line in text.splitlines() if "==" in line)
        lines = [f"{name}>={pins[name]}" if name in pins else name for name in REQUIREMENTS]
        return "# The tested versions are the lower bounds.\n" + "\n".join(lines) + "\n"

    def _archive(self, site_name: str, wheel: Path | None, requirements: str) -> bytes:
        members: dict[str, str | bytes] = {"requirements.txt": requirements}
        if wheel is not None:
            members[wheel.name] = wheel.read_bytes()
        for page, notebook in self.notebooks.items():
            members[str(PurePosixPath(page).with_suffix(".ipynb"))] = notebook
        readme = README.format(
            site_name=site_name,
            site_url=self.site or "the site",
            files="\n".join(f"- `{name}`" for name in ["README.md", *members]),
            install="pip install -r requirements.txt" + (f" {wheel.name}" if wheel else ""),
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in {"README.md": readme, **members}.items():
                info = zipfile.ZipInfo(f"notebooks/{name}")  # dated 1980-01-01: reproducible
                info.external_attr = 0o644 << 16
                archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        return buffer.getvalue()
