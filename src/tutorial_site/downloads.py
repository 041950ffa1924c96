"""Downloads of the tutorial pages: notebooks and scripts that install what they need.

The plugin makes one :class:`Downloads` per build. ``add_files`` builds the library's wheel
(cached in ``.cache/downloads``), converts every page to its clean notebook and adds
``downloads/`` (the wheel, ``requirements.txt``, ``notebooks.zip``) to the site; ``links``
and ``write`` give each page its notebook, notebook with outputs and Python script.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin

import jupytext
import nbformat
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from tutorial_site.cache import Damaged, digest, evict, load_json, save_json
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


def notebook_text(
    notebook: nbformat.NotebookNode, setup: str | None, page_url: str | None = None
) -> str:
    """Return ``notebook`` as a download: set-up cell first, solutions and dark figures hidden.

    Relative Markdown links become absolute from ``page_url`` (the page's address), so that
    they work in the notebook wherever it is opened.
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
    end = text.find("\n# ---\n", 1) + len("\n# ---\n") if text.startswith("# ---\n") else 0
    head, body = text[:end], text[end:].lstrip("\n")
    return head + ("\n" if head else "") + f"# %%\n{setup}\n" + body


class Downloads:
    """The downloads of one build (state kept between the plugin's hooks)."""

    def __init__(self, project_dir: Path, site_url: str | None) -> None:
        self.project_dir = project_dir
        self.cache = project_dir / ".cache" / "downloads"
        self.site_url = os.environ.get("TUTORIAL_SITE_URL") or site_url
        if not self.site_url and (project_dir / "src" / LIBRARY).is_dir():
            raise PluginError("downloads: set site_url (or TUTORIAL_SITE_URL)")
        self.setup: str | None = None  # the set-up cell; None when there is no library
        self.notebooks: dict[str, str] = {}  # page -> its clean notebook
        self.sources: dict[str, Path] = {}  # page -> its source
        self.urls: dict[str, str | None] = {}  # page -> its address on the site
        self.used: set[str] = set()  # the cache files this build used

    def add_files(self, files: Files, config: MkDocsConfig, pages: Mapping[str, Path]) -> None:
        """Build the wheel and the clean notebooks of ``pages``; add ``downloads/`` to ``files``."""
        self.cache.mkdir(parents=True, exist_ok=True)
        self.used, self.sources = set(), dict(pages)
        wheel = self._wheel()
        site = self.site_url.rstrip("/") + "/" if self.site_url else None
        self.setup = SETUP.format(site=site, wheel=wheel.name) if wheel else None
        for page in pages:  # the page's address, as mkdocs-jupyter will render it
            stem = PurePosixPath(page).with_suffix("")
            path = f"{stem}/" if config.use_directory_urls else f"{stem}.html"
            self.urls[page] = urljoin(site, path) if site else None
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
        folder.mkdir(parents=True, exist_ok=True)
        stem = PurePosixPath(src_uri).stem
        (folder / f"{stem}.ipynb").write_text(self.notebooks[src_uri], encoding="utf-8")
        text = self.sources[src_uri].read_text(encoding="utf-8")
        (folder / f"{stem}.py").write_text(script_text(text, self.setup), encoding="utf-8")
        if executed is not None:
            outputs = self._converted(src_uri, executed)
            (folder / f"{stem}-outputs.ipynb").write_text(outputs, encoding="utf-8")

    def _converted(self, page: str, source: Path) -> str:
        """The download made from ``source`` (a ``.ipynb`` or a percent-format page), cached."""
        data = source.read_bytes()
        url = self.urls.get(page)
        path = self.cache / f"{digest(data, self.setup or '', url or '', _CODE)}.json"
        self.used.add(path.name)
        with contextlib.suppress(Damaged):  # (then converted again)
            kept = load_json(path)
            if kept is not None:
                return str(kept["text"])
        if source.suffix == ".ipynb":
            notebook = nbformat.reads(data.decode(), as_version=4)
        else:
            notebook = jupytext.reads(data.decode(), fmt="py:percent")
        text = notebook_text(notebook, self.setup, url)
        save_json(path, {"text": text})
        return text

    def _wheel(self) -> Path | None:
        """The library's wheel from ``src/``, built by pip once per version of its sources."""
        root, package = self.project_dir, self.project_dir / "src" / LIBRARY
        if not package.is_dir() or not (root / "pyproject.toml").is_file():
            return None
        inputs = [root / "pyproject.toml", root / "README.md", *sorted(package.rglob("*.py"))]
        names = [p.relative_to(root).as_posix() for p in inputs if p.is_file()]
        sources = [(root / name).read_bytes() for name in names]
        folder = self.cache / f"wheel-{digest(*names, *sources, sys.version)}"
        self.used.add(folder.name)
        if not folder.is_dir():
            with tempfile.TemporaryDirectory(dir=self.cache, prefix=".wheel-") as temporary:
                for name in names:  # a copy: the sources may change while pip runs
                    Path(temporary, "source", name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(root / name, Path(temporary, "source", name))
                command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-index"]
                command += ["--no-build-isolation", "--no-cache-dir", "-qw", "dist", "./source"]
                env = {**os.environ, "SOURCE_DATE_EPOCH": "315532800"}  # reproducible zip
                run = subprocess.run(command, cwd=temporary, env=env, capture_output=True)
                if run.returncode != 0:
                    raise PluginError(f"downloads: pip wheel failed:\n{run.stderr.decode()}")
                with contextlib.suppress(OSError):  # a parallel build won
                    os.replace(Path(temporary, "dist"), folder)
        return next(folder.glob(f"{LIBRARY}-*-py3-none-any.whl"))

    def _requirements(self) -> str:
        path = self.project_dir / "constraints.txt"
        text = path.read_text(encoding="utf-8").lower() if path.is_file() else ""
        pins = dict(line.split("==", 1) for line in text.splitlines() if "==" in line)
        lines = [f"{name}>={pins[name]}" if name in pins else name for name in REQUIREMENTS]
        return "# The tested versions are the lower bounds.\n" + "\n".join(lines) + "\n"

    def _archive(self, site_name: str, wheel: Path | None, requirements: str) -> bytes:
        members = {"requirements.txt": requirements.encode()}
        if wheel is not None:
            members[wheel.name] = wheel.read_bytes()
        for page, text in self.notebooks.items():
            members[str(PurePosixPath(page).with_suffix(".ipynb"))] = text.encode()
        readme = README.format(
            site_name=site_name,
            site_url=self.site_url or "the site",
            files="\n".join(f"- `{name}`" for name in ["README.md", *members]),
            install="pip install -r requirements.txt" + (f" {wheel.name}" if wheel else ""),
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in {"README.md": readme.encode(), **members}.items():
                info = zipfile.ZipInfo(f"notebooks/{name}", (1980, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        return buffer.getvalue()
