"""Rework of the pages' HTML: TOC, search exclusions, solution blocks and page weight.

:func:`page_content` makes the notebook pages that mkdocs-jupyter renders (nbconvert's "lab"
template) read like the Markdown pages and load lightly; :func:`kept` caches the result.
"""

import base64
import contextlib
import copy
import json
import os
import re
import struct
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import bs4
from bs4 import BeautifulSoup, Tag
from markdown.extensions.toc import nest_toc_tokens
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url

from tutorial_site.cache import Damaged, atomic_write, digest, load_json, save_json

#: Where the shared notebook stylesheet goes, relative to the site folder.
STYLESHEET = "assets/stylesheets/notebook.css"
#: Where the copy buttons' script goes (mkdocs-jupyter puts a copy in every page).
COPY_SCRIPT = "assets/javascripts/clipboard-copy.js"
#: Removed: nbconvert's loaders of MathJax (we render with our own KaTeX) and of Mermaid from
#: a CDN, and the Pygments CSS that mkdocs-jupyter appends to ``.ipynb`` pages as a list repr.
_NBCONVERT_EXTRAS = re.compile(
    r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->"
    r'|<script type="module">[^<]*document\.querySelectorAll\("\.jp-Mermaid > pre\.mermaid"\);'
    r".*?</script>"
    r"|<style>\s*\[['\"].*['\"]\]\s*</style>\s*\Z",
    re.DOTALL,
)
#: Formulas as KaTeX's auto-render finds them in notebook Markdown (see javascripts/math.js).
_MATH = re.compile(r"\$\$.+?\$\$|\\\[.+?\\\]|\$[^$]+?\$|\\\(.+?\\\)", re.DOTALL)
#: Until Material's JavaScript applies the palette on a first visit (nothing stored yet), the
#: body has no ``data-md-color-media``: show the figures of the preferred scheme meanwhile,
#: so that the lazy images of the other one are not fetched.
_FIRST_VISIT_FIGURES = (
    "@media (prefers-color-scheme: dark){body:not([data-md-color-media]) .tl-figure "
    ".tl-figure-light{display:none}body:not([data-md-color-media]) .tl-figure "
    ".tl-figure-dark{display:inline}}"
)
#: What :func:`kept` keeps: JSON-able data, and files (their bytes by name).
Kept = tuple[dict[str, Any], dict[str, bytes]]
#: The SHA-256 of each entry of mkdocs-jupyter's cache, as the last build left it.
CHECKSUMS = "checksums.sha256"


def page_content(html: str, page: Page, site_dir: str, cache_dir: Path | None = None) -> str:
    """Return the reworked content HTML of a page; for a notebook page, rebuild ``page.toc``.

    A notebook page's files (the shared CSS, its figures) are written to ``site_dir``; the
    reworked page is kept in ``cache_dir`` (None: not kept).
    """
    # Formulas of Markdown pages (pymdownx.arithmatex): not indexed by search either.
    html = re.sub(
        r'<(span|div) class="arithmatex">', r'<\1 class="arithmatex" data-search-exclude>', html
    )
    if '<div class="jupyter-wrapper">' not in html:
        return html
    reworked, files = kept(cache_dir, lambda: _rework(html, page.url), _CODE, page.url, html)
    for name, data in files.items():  # (even if there: a file cut short must not stay)
        Path(site_dir, name).parent.mkdir(parents=True, exist_ok=True)
        Path(site_dir, name).write_bytes(data)
    page.toc = get_toc(nest_toc_tokens(reworked["headings"]))  # (as Markdown pages' TOCs nest)
    return str(reworked["html"])


def kept(cache_dir: Path | None, make: Callable[[], Kept], *key: str) -> Kept:
    """Return ``make()``, kept in ``cache_dir`` (None: not kept) by the digest of ``key``.

    An intact kept result is reused: its data is kept as JSON, its files by their SHA-256.
    """
    if cache_dir is None:
        return make()
    entry = cache_dir / f"{digest(*key)}.json"
    with contextlib.suppress(OSError, Damaged):  # a damaged entry: make it again
        data = load_json(entry)
        if data is not None:
            shas = data.pop("files")
            return data, {name: _read(cache_dir / sha) for name, sha in shas.items()}
    data, files = make()
    with contextlib.suppress(OSError):  # (a cache that cannot be written is no error)
        shas = {name: digest(content) for name, content in files.items()}
        for name, sha in shas.items():
            try:
                _read(cache_dir / sha)  # kept already and intact (now marked used)
            except (OSError, Damaged):
                atomic_write(cache_dir / sha, files[name])
        save_json(entry, {**data, "files": shas})
    return data, files


def renderer_cache(config: MkDocsConfig) -> Path | None:
    """mkdocs-jupyter's cache folder (from the working directory, as it takes it), if any."""
    renderer = config.plugins.get("mkdocs-jupyter")
    return Path(renderer.config["cache_dir"]) if renderer and renderer.config["cache"] else None


def check_rendered(folder: Path | None) -> list[str]:
    """Remove the damaged entries of mkdocs-jupyter's cache in ``folder``; return their names.

    mkdocs-jupyter trusts an entry it finds: a cut-short one would fail every build. An entry
    is kept if it has the SHA-256 that :func:`note_rendered` noted, or, if none was noted
    (another build wrote it), if it holds the fields mkdocs-jupyter reads.
    """
    if folder is None or not folder.is_dir():
        return []
    try:
        lines = (folder / CHECKSUMS).read_text().splitlines()
    except OSError:
        lines = []
    noted = dict(line.split()[::-1] for line in lines if len(line.split()) == 2)
    removed = []
    for path in sorted(folder.glob("*.json")):
        with contextlib.suppress(OSError):
            data, sha = path.read_bytes(), noted.get(path.name)
            if digest(data) != sha and (sha is not None or not _renders(data)):
                path.unlink()
                removed.append(path.name)
    return removed


def _renders(data: bytes) -> bool:
    try:
        entry = json.loads(data)
        return isinstance(entry["content"], str) and isinstance(entry["toc_tokens"], list)
    except (ValueError, KeyError, TypeError):
        return False


def note_rendered(folder: Path | None) -> None:
    """Note the SHA-256 of every entry of mkdocs-jupyter's cache in ``folder`` (None: none)."""
    if folder and folder.is_dir():
        lines = [f"{digest(p.read_bytes())}  {p.name}\n" for p in sorted(folder.glob("*.json"))]
        atomic_write(folder / CHECKSUMS, "".join(lines))


def _read(stored: Path) -> bytes:
    """Return a kept file and mark it used (see cache.evict); Damaged if not its SHA-256."""
    content = stored.read_bytes()
    if digest(content) != stored.name:
        raise Damaged(f"{stored} does not match its SHA-256")
    os.utime(stored)
    return content


def _rework(html: str, page_url: str) -> Kept:
    """A notebook page's HTML and headings (as TOC tokens), and the files the page uses."""
    soup = BeautifulSoup(_NBCONVERT_EXTRAS.sub("", html), "html.parser")
    files = {}
    # The notebook CSS: the same template and theme on every page, so one shared file.
    styles = soup.find_all("style", recursive=False)
    if styles:
        css = "\n".join([*(style.get_text() for style in styles), _FIRST_VISIT_FIGURES])
        files[STYLESHEET] = css.encode()
        href = get_relative_url(STYLESHEET, page_url)
        styles[0].replace_with(soup.new_tag("link", rel="stylesheet", href=href))
        for style in styles[1:]:
            style.decompose()
    # Figures: content-addressed PNG files, loaded lazily, with their size.
    for img in soup.find_all("img", src=re.compile(r"^data:image/png;base64,")):
        data = base64.b64decode(img["src"].split(",", 1)[1])
        name = f"assets/figures/{digest(data)}.png"
        files[name] = data
        img["src"] = get_relative_url(name, page_url)
        if data[12:16] == b"IHDR" and not img.has_attr("width") and not img.has_attr("height"):
            img["width"], img["height"] = (str(n) for n in struct.unpack(">II", data[16:24]))
        img["loading"] = "lazy"
    # Formulas in notebook Markdown (not in code): in a span that search does not index.
    span = r'<span class="tl-math" data-search-exclude="">\g<0></span>'
    for markdown in soup.find_all(class_="jp-RenderedMarkdown"):
        for text in markdown.find_all(string=_MATH):
            if text.find_parent(["code", "pre"]) is None:
                marked = _MATH.sub(span, escape(text, quote=False))
                text.replace_with(*BeautifulSoup(marked, "html.parser").contents)
    # Not indexed: prompts, the copy buttons' "Copied!", the headings' "¶" permalinks.
    for element in soup.select(".jp-InputPrompt, .jp-OutputPrompt, .notice, .anchor-link"):
        element["data-search-exclude"] = ""
    for toolbar in soup.select(".celltoolbar"):
        toolbar.decompose()  # the cell's tags: authoring metadata, not for readers
    # The copy buttons' script: one shared file (4.5 KB in every page otherwise).
    scripts = [tag for tag in soup.find_all("script") if "clipboard-copy" in tag.get_text()]
    if scripts:
        files[COPY_SCRIPT] = "\n".join(tag.get_text() for tag in scripts).encode()
        scripts[0].replace_with(soup.new_tag("script", src=get_relative_url(COPY_SCRIPT, page_url)))
        for tag in scripts[1:]:
            tag.decompose()
    # A copy button copies the highlighted code itself, not a hidden second copy of it.
    for text in soup.select("div.clipboard-copy-txt[id]"):
        code = text.find_previous_sibling("div", class_="highlight-ipynb")
        if code is not None:
            code["id"] = text["id"]
            text.decompose()
    # The copy buttons' icon: drawn once, then reused (0.7 KB per code cell otherwise).
    for index, icon in enumerate(soup.select("svg.clipboard-copy-icon")):
        drawing = [child.extract() for child in icon.find_all(recursive=False)]
        if index == 0:
            group = soup.new_tag("g", id="tl-copy-icon")
            group.extend(drawing)
            icon.append(group)
        else:
            icon.append(soup.new_tag("use", href="#tl-copy-icon"))
    headings = [
        {"level": int(heading.name[1]), "id": heading["id"], "name": _title(heading)}
        for heading in soup.find_all([f"h{level}" for level in range(1, 7)], id=True)
    ]
    # Each run of solution cells (code cells carry the tag's class themselves, Markdown cells
    # on their rendered div) goes into a collapsed <details>.
    notebook = soup.find("div", class_="jp-Notebook")
    for cell in notebook.find_all("div", class_="jp-Cell", recursive=False) if notebook else []:
        if "celltag_solution" in cell["class"] or cell.find(class_="celltag_solution"):
            details = cell.find_previous_sibling()
            if details is None or details.name != "details":
                details = soup.new_tag("details", attrs={"class": "solution success"})
                details.append(soup.new_tag("summary", string="Solution"))
                cell.insert_before(details)
            details.append(cell)
    return {"html": str(soup), "headings": headings}, files


def _title(heading: Tag) -> str:
    """A heading's content as TOC HTML: its text and ``<code>``, formulas for KaTeX."""
    title = copy.copy(heading)
    for link in title.select(".anchor-link"):
        link.decompose()
    for math in title.select(".tl-math"):  # $...$ (as auto-render finds it) becomes \(...\)
        math.attrs = {"class": "arithmatex"}
        text = math.get_text()
        tex = text[2:-2] if text.startswith("\\") else text.strip("$")
        math.string = f"\\({tex}\\)"
    return title.decode_contents().strip()


_CODE = digest(Path(__file__).read_bytes(), bs4.__version__)
