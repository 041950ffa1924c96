"""Post-processing of notebook pages' HTML: TOC, search, solution blocks and page weight.

mkdocs-jupyter renders each executed notebook with nbconvert's "lab" template; this module
makes that HTML read like the site's Markdown pages and load lightly. The plugin calls:

- ``page_content(html, page, site_dir) -> str`` from ``on_page_content``, for every page
  (formulas are hidden from search); on notebook pages it also rebuilds ``page.toc``:
  * strips nbconvert's MathJax and CDN Mermaid loaders and the Pygments CSS that
    mkdocs-jupyter appends to ``.ipynb`` pages (the site loads nothing from other hosts);
  * moves the inlined notebook CSS into one shared ``assets/stylesheets/notebook.css``;
  * writes each base64 PNG figure to ``assets/figures/<sha256>.png``, linked with
    ``width``/``height`` from the PNG header and ``loading="lazy"`` (the hidden variant
    for the other colour scheme is not downloaded);
  * hides prompts, "Copied!", the headings' "¶" and formulas from the search index
    (``data-search-exclude``, honoured by Material's search plugin); drops cell tags;
  * rebuilds the table of contents from the rendered headings, with their inline code and
    formulas (typeset by KaTeX in the browser, as ``.arithmatex``);
  * wraps each run of cells tagged ``solution`` in a collapsed
    ``<details class="solution success">`` (styled as Material's ``??? success``).

``page_content`` keeps each reworked notebook page in ``cache_dir`` (by the hash of its input,
this module and BeautifulSoup's version) with its figures and CSS; the plugin evicts them.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import itertools
import json
import os
import re
import struct
from pathlib import Path
from typing import Any

import bs4
from bs4 import BeautifulSoup, NavigableString, Tag
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents
from mkdocs.utils import get_relative_url

from tutorial_site.cache import atomic_write, digest

#: Where the shared notebook stylesheet and the figures go, relative to the site folder.
STYLESHEET = "assets/stylesheets/notebook.css"
FIGURES = "assets/figures"
#: mkdocs-jupyter appends the Pygments CSS once more to ``.ipynb`` pages, as a list repr.
_IPYNB_EXTRA_STYLE = re.compile(r"<style>\s*\[['\"].*['\"]\]\s*</style>\s*\Z", re.DOTALL)
#: nbconvert loads MathJax (we render with our own KaTeX) and Mermaid from a CDN.
_NBCONVERT_LOADERS = (
    re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.DOTALL),
    re.compile(
        r'<script type="module">\s*document\.addEventListener\("DOMContentLoaded", async \(\) =>'
        r'\s*\{\s*const diagrams = document\.querySelectorAll\("\.jp-Mermaid > pre\.mermaid"\);'
        r".*?</script>",
        re.DOTALL,
    ),
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
_HEADING = re.compile(r"^h[1-6]$")
_PNG_DATA = re.compile(r"^data:image/png;base64,")


def page_content(html: str, page: Page, site_dir: str, cache_dir: Path | None = None) -> str:
    """Rework the content HTML of a page; for a notebook page, rebuild ``page.toc`` too.

    Args:
        html: The page's content HTML (of a notebook page: as mkdocs-jupyter rendered it).
        page: The page (its URL places the links; a notebook page's ``toc`` is replaced).
        site_dir: The folder the site is built into (the CSS and figures are written there).
        cache_dir: Where reworked notebook pages are kept between builds (None: not kept).

    Returns:
        The reworked content HTML.
    """
    # Formulas of Markdown pages (pymdownx.arithmatex): not indexed by search either.
    html = re.sub(
        r'<(span|div) class="arithmatex">', r'<\1 class="arithmatex" data-search-exclude>', html
    )
    if '<div class="jupyter-wrapper">' not in html:
        return html
    entry = cache_dir / f"{digest(_CODE, page.url, html)}.json" if cache_dir else None
    if entry is not None:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):  # a damaged entry
            return _restore(entry, page, Path(site_dir))
    html = _rework(html, page, Path(site_dir))
    if entry is not None:
        with contextlib.suppress(OSError):  # (a cache that cannot be written is no error)
            _keep(entry, html, page, Path(site_dir))
    return html


def _rework(html: str, page: Page, site: Path) -> str:
    html = _IPYNB_EXTRA_STYLE.sub("", html)
    for loader in _NBCONVERT_LOADERS:
        html = loader.sub("", html)
    soup = BeautifulSoup(html, "html.parser")
    _share_stylesheet(soup, site, get_relative_url(STYLESHEET, page.url))
    for img in soup.find_all("img", src=_PNG_DATA):
        _write_figure(img, site, page.url)
    for markdown in soup.find_all(class_="jp-RenderedMarkdown"):
        _mark_math(soup, markdown)
    # Not indexed: prompts, the copy buttons' "Copied!", the headings' "¶" permalinks.
    for element in soup.select(".jp-InputPrompt, .jp-OutputPrompt, .notice, .anchor-link"):
        element["data-search-exclude"] = ""
    for toolbar in soup.select(".celltoolbar"):
        toolbar.decompose()  # the cell's tags: authoring metadata, not for readers
    # The copy buttons' icon: drawn once, then reused (0.7 KB per code cell otherwise).
    for index, icon in enumerate(soup.select("svg.clipboard-copy-icon")):
        drawing = soup.new_tag("g", id="tl-copy-icon") if index == 0 else None
        for child in icon.find_all(recursive=False):
            child.extract()
            if drawing is not None:
                drawing.append(child)
        icon.append(drawing or soup.new_tag("use", href="#tl-copy-icon"))
    page.toc = TableOfContents(_toc(soup.find_all(_HEADING, id=True)))
    _wrap_solutions(soup)
    return str(soup)


def _share_stylesheet(soup: BeautifulSoup, site: Path, href: str) -> None:
    """Move the notebook CSS (top-level ``<style>`` elements) into the shared stylesheet."""
    styles = soup.find_all("style", recursive=False)
    if not styles:
        return
    path = site / STYLESHEET
    path.parent.mkdir(parents=True, exist_ok=True)
    # The same template and theme on every page: every page writes the same file.
    css = "\n".join([*(style.get_text() for style in styles), _FIRST_VISIT_FIGURES])
    path.write_text(css, encoding="utf-8")
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


def _mark_math(soup: BeautifulSoup, root: Tag) -> None:
    """Wrap each formula of rendered Markdown in a span that search does not index."""
    for text in root.find_all(string=_MATH):
        if text.find_parent(["code", "pre"]) is not None:
            continue
        pieces: list[NavigableString | Tag] = []
        position = 0
        for match in _MATH.finditer(text):
            pieces.append(NavigableString(text[position : match.start()]))
            span = soup.new_tag("span", attrs={"class": "tl-math", "data-search-exclude": ""})
            span.string = match.group(0)
            pieces.append(span)
            position = match.end()
        pieces.append(NavigableString(text[position:]))
        text.replace_with(*pieces)


def _toc(headings: list[Tag]) -> list[AnchorLink]:
    """The nested table of contents of ``headings``, titles with their code and formulas."""
    top: list[AnchorLink] = []
    open_links: list[AnchorLink] = []  # the innermost open entry of each level, outermost first
    for heading in headings:
        link = AnchorLink(_title(heading), heading["id"], int(heading.name[1]))
        while open_links and open_links[-1].level >= link.level:
            open_links.pop()
        (open_links[-1].children if open_links else top).append(link)
        open_links.append(link)
    return top


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
        if not is_solution:
            continue
        run = list(run)
        details = soup.new_tag("details", attrs={"class": "solution success"})
        summary = soup.new_tag("summary")
        summary.string = "Solution"
        run[0].insert_before(details)
        details.append(summary)
        for cell in run:
            details.append(cell.extract())


def _is_solution(cell: Tag) -> bool:
    # Code cells carry the tag's class themselves, Markdown cells on their rendered div.
    return "celltag_solution" in cell["class"] or bool(cell.find(class_="celltag_solution"))


_CODE = digest(Path(__file__).read_bytes(), bs4.__version__)


def _keep(entry: Path, html: str, page: Page, site: Path) -> None:
    """Store a reworked page, its TOC and the files it wrote (by their SHA-256) in the cache."""
    names = [STYLESHEET, *sorted(set(re.findall(rf"{FIGURES}/[0-9a-f]{{64}}\.png", html)))]
    files = {}
    for name in names:
        data = (site / name).read_bytes()
        files[name] = sha = digest(data)
        kept = entry.parent / sha
        if not kept.exists() or digest(kept.read_bytes()) != sha:  # missing or damaged
            atomic_write(kept, data)
    saved = {"html": html, "toc": _toc_data(page.toc), "files": files}
    atomic_write(entry, json.dumps({**saved, "sha256": digest(json.dumps(saved))}))


def _restore(entry: Path, page: Page, site: Path) -> str:
    """A cached reworked page, its files written to ``site``; any damage raises."""
    stored = json.loads(entry.read_text(encoding="utf-8"))
    saved = {name: stored[name] for name in ("html", "toc", "files")}
    data = {name: (entry.parent / sha).read_bytes() for name, sha in saved["files"].items()}
    if stored["sha256"] != digest(json.dumps(saved)) or any(
        digest(data[name]) != sha for name, sha in saved["files"].items()
    ):
        raise ValueError("damaged")
    for name, content in data.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(content)
        os.utime(entry.parent / saved["files"][name])
    os.utime(entry)
    page.toc = TableOfContents(_toc_links(saved["toc"]))
    return saved["html"]


def _toc_data(links: list[AnchorLink]) -> list[Any]:
    return [[link.title, link.id, link.level, _toc_data(link.children)] for link in links]


def _toc_links(data: list[Any]) -> list[AnchorLink]:
    links = []
    for title, anchor, level, children in data:
        links.append(AnchorLink(title, anchor, level))
        links[-1].children = _toc_links(children)
    return links
