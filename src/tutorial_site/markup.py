"""Post-processing of pages' HTML: TOC, search, solution blocks and page weight.

The plugin's ``on_page_content`` calls :func:`page_content` so that the notebook pages that
mkdocs-jupyter renders (nbconvert's "lab" template) read like the Markdown pages and load
lightly (``_rework`` lists the steps). A reworked page is kept in ``cache_dir`` with the files
it wrote, stored by their SHA-256; the plugin evicts them.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import itertools
import os
import re
import struct
from html import escape
from pathlib import Path
from typing import Any

import bs4
from bs4 import BeautifulSoup, Tag
from markdown.extensions.toc import nest_toc_tokens
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url

from tutorial_site.cache import Damaged, atomic_write, digest, load_json, save_json

#: Where the shared notebook stylesheet and the figures go, relative to the site folder.
STYLESHEET = "assets/stylesheets/notebook.css"
FIGURES = "assets/figures"
#: Removed: nbconvert's loaders of MathJax (we render with our own KaTeX) and of Mermaid from
#: a CDN, and the Pygments CSS that mkdocs-jupyter appends to ``.ipynb`` pages as a list repr.
_NBCONVERT_EXTRAS = re.compile(
    r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->"
    r'|<script type="module">\s*document\.addEventListener\("DOMContentLoaded", async \(\) =>'
    r'\s*\{\s*const diagrams = document\.querySelectorAll\("\.jp-Mermaid > pre\.mermaid"\);'
    r".*?</script>"
    r"|<style>\s*\[['\"].*['\"]\]\s*</style>\s*\Z",
    re.DOTALL,
)
_PNG_DATA = re.compile(r"^data:image/png;base64,")
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


def page_content(html: str, page: Page, site_dir: str, cache_dir: Path | None = None) -> str:
    """Return the reworked content HTML of a page; for a notebook page, rebuild ``page.toc``.

    Args:
        html: The page's content HTML (of a notebook page: as mkdocs-jupyter rendered it).
        page: The page (its URL places the links; a notebook page's ``toc`` is replaced).
        site_dir: The folder the site is built into (the CSS and figures are written there).
        cache_dir: Where reworked notebook pages are kept between builds (None: not kept).
    """
    # Formulas of Markdown pages (pymdownx.arithmatex): not indexed by search either.
    html = re.sub(
        r'<(span|div) class="arithmatex">', r'<\1 class="arithmatex" data-search-exclude>', html
    )
    if '<div class="jupyter-wrapper">' not in html:
        return html
    site = Path(site_dir)
    entry = cache_dir / f"{digest(_CODE, page.url, html)}.json" if cache_dir else None
    kept = None
    if entry is not None:
        with contextlib.suppress(OSError, Damaged):  # a damaged entry: rework the page
            kept = _restore(entry, site)
    if kept is None:
        kept = _rework(html, page.url, site)
        if entry is not None:
            with contextlib.suppress(OSError):  # (a cache that cannot be written is no error)
                _keep(entry, kept, site)
    page.toc = get_toc(nest_toc_tokens(kept["headings"]))  # (as Markdown pages' TOCs nest)
    return str(kept["html"])


def _rework(html: str, page_url: str, site: Path) -> dict[str, Any]:
    """The reworked HTML of a notebook page and its headings (as TOC tokens, not nested)."""
    soup = BeautifulSoup(_NBCONVERT_EXTRAS.sub("", html), "html.parser")
    _share_stylesheet(soup, site, get_relative_url(STYLESHEET, page_url))
    for img in soup.find_all("img", src=_PNG_DATA):
        _write_figure(img, site, page_url)
    for markdown in soup.find_all(class_="jp-RenderedMarkdown"):
        _mark_math(markdown)
    # Not indexed: prompts, the copy buttons' "Copied!", the headings' "¶" permalinks.
    for element in soup.select(".jp-InputPrompt, .jp-OutputPrompt, .notice, .anchor-link"):
        element["data-search-exclude"] = ""
    for toolbar in soup.select(".celltoolbar"):
        toolbar.decompose()  # the cell's tags: authoring metadata, not for readers
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
    _wrap_solutions(soup)
    return {"html": str(soup), "headings": headings}


def _share_stylesheet(soup: BeautifulSoup, site: Path, href: str) -> None:
    """Move the notebook CSS (top-level ``<style>`` elements) into the shared stylesheet."""
    styles = soup.find_all("style", recursive=False)
    if not styles:
        return
    # The same template and theme on every page: every page writes the same file.
    css = "\n".join([*(style.get_text() for style in styles), _FIRST_VISIT_FIGURES])
    (site / STYLESHEET).parent.mkdir(parents=True, exist_ok=True)
    (site / STYLESHEET).write_text(css, encoding="utf-8")
    styles[0].replace_with(soup.new_tag("link", rel="stylesheet", href=href))
    for style in styles[1:]:
        style.decompose()


def _write_figure(img: Tag, site: Path, page_url: str) -> None:
    """Write an ``<img>``'s base64 PNG to a content-addressed file; link it, lazily."""
    data = base64.b64decode(img["src"].split(",", 1)[1])
    name = f"{FIGURES}/{digest(data)}.png"
    atomic_write(site / name, data)  # even if there: a file cut short must not stay
    img["src"] = get_relative_url(name, page_url)
    if data[12:16] == b"IHDR" and not img.has_attr("width") and not img.has_attr("height"):
        img["width"], img["height"] = (str(n) for n in struct.unpack(">II", data[16:24]))
    img["loading"] = "lazy"


def _mark_math(root: Tag) -> None:
    """Wrap each formula of rendered Markdown in a span that search does not index."""
    span = r'<span class="tl-math" data-search-exclude="">\g<0></span>'
    for text in root.find_all(string=_MATH):
        if text.find_parent(["code", "pre"]) is None:
            marked = _MATH.sub(span, escape(text, quote=False))
            text.replace_with(*BeautifulSoup(marked, "html.parser").contents)


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


def _wrap_solutions(soup: BeautifulSoup) -> None:
    """Wrap each run of consecutive ``solution``-tagged cells in a collapsed ``<details>``."""
    notebook = soup.find("div", class_="jp-Notebook")
    cells = notebook.find_all("div", class_="jp-Cell", recursive=False) if notebook else []
    for is_solution, run in itertools.groupby(cells, key=_is_solution):
        if is_solution:
            details = soup.new_tag("details", attrs={"class": "solution success"})
            details.append(soup.new_tag("summary", string="Solution"))
            run = list(run)
            run[0].insert_before(details)
            details.extend(run)


def _is_solution(cell: Tag) -> bool:
    # Code cells carry the tag's class themselves, Markdown cells on their rendered div.
    return "celltag_solution" in cell["class"] or bool(cell.find(class_="celltag_solution"))


_CODE = digest(Path(__file__).read_bytes(), bs4.__version__)


def _keep(entry: Path, kept: dict[str, Any], site: Path) -> None:
    """Store a reworked page in the cache with the files it wrote, by their SHA-256."""
    files = {}
    figures = set(re.findall(rf"{FIGURES}/[0-9a-f]{{64}}\.png", kept["html"]))
    for name in [STYLESHEET, *sorted(figures)]:
        data = (site / name).read_bytes()
        files[name] = sha = digest(data)
        copy = entry.parent / sha
        if not copy.exists() or digest(copy.read_bytes()) != sha:  # missing, or damaged
            atomic_write(copy, data)
    save_json(entry, {**kept, "files": files})


def _restore(entry: Path, site: Path) -> dict[str, Any] | None:
    """A kept page (None: not kept), its files written to ``site`` again; damage raises."""
    kept = load_json(entry)
    if kept is None:
        return None
    for name, sha in kept["files"].items():
        data = (entry.parent / sha).read_bytes()
        if digest(data) != sha:
            raise Damaged(f"the kept {name} does not match its SHA-256")
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(data)
        os.utime(entry.parent / sha)  # used (see cache.evict)
    return kept
