"""The HTML post-processing of notebook pages, on small snippets of nbconvert's HTML."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import zlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup

from tutorial_site.cache import save_json
from tutorial_site.markup import page_content
from tutorial_site.stylesheet import finish_site, trim_css


def png(width: int, height: int) -> bytes:
    """A valid grey PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def markdown_cell(html: str, tags: str = "") -> str:
    return (
        '<div class="jp-Cell jp-MarkdownCell jp-Notebook-cell"><div class="jp-Cell-inputWrapper">'
        '<div class="jp-InputArea jp-Cell-inputArea"><div class="jp-InputPrompt '
        'jp-InputArea-prompt"></div><div class="jp-RenderedHTMLCommon jp-RenderedMarkdown '
        f'jp-MarkdownOutput {tags}" data-mime-type="text/markdown">{html}</div></div></div></div>'
    )


def code_cell(source: str, output: str = "", tags: str = "") -> str:
    toolbar = (
        '<div class="celltoolbar"><div class="button_container tags_button_container">'
        '<span class="tag-container"><span class="cell-tag">solution</span></span></div></div>'
        if tags
        else ""
    )
    return (
        f'<div class="jp-Cell jp-CodeCell jp-Notebook-cell {tags}">'
        f'<div class="jp-Cell jp-CodeCell jp-Notebook-cell {tags}" id="cell-id=x">'
        '<div class="jp-InputPrompt jp-InputArea-prompt">In [1]:</div>'
        f'{toolbar}<clipboard-copy for="cell-1"><div><span class="notice" hidden="">Copied!'
        '</span><svg class="clipboard-copy-icon" viewbox="0 0 16 16"><path d="M0 6.75z"></path>'
        '<path d="M5 1.75z"></path></svg></div></clipboard-copy>'
        f'<div class="highlight-ipynb"><pre>{source}</pre></div>'
        '<div class="jp-OutputPrompt jp-OutputArea-prompt">Out[1]:</div>'
        f'<div class="jp-OutputArea-output">{output}</div></div></div>'
    )


def notebook(*cells: str) -> str:
    return (
        '<style type="text/css">pre { line-height: 125%; }</style>'
        '<style type="text/css">.jupyter-wrapper .jp-Cell{padding:5px}</style>'
        '<div class="jupyter-wrapper"><div class="jp-Notebook">'
        + "".join(cells)
        + "</div> <!-- jp-Notebook --></div> <!-- jupyter-wrapper -->"
        "<style>['.highlight .hll { color: red }']</style>"
    )


def heading(level: int, ident: str, content: str) -> str:
    link = f'<a class="anchor-link" href="#{ident}">¶</a>'
    return f'<h{level} id="{ident}">{content}{link}</h{level}>'


PAGE = notebook(
    markdown_cell(
        heading(1, "one-hot-encoding", "One-hot encoding")
        + "<p>The label $y$ and $$\\hat y = 1$$, in <code>$HOME</code>.</p>"
    ),
    markdown_cell(heading(2, "fone_hot", "<code>F.one_hot</code>")),
    markdown_cell(heading(3, "a-note-on-num_workers", "A note on <code>num_workers</code>")),
    markdown_cell(heading(2, "cross-entropy-hp-q", "Cross-entropy $H(P, Q)$")),
    code_cell("x = 1", "<pre>1</pre>"),
    markdown_cell("<p><strong>Exercise 1.</strong> Why?</p>"),
    markdown_cell("<p><strong>Solution 1.</strong> Because.</p>", tags="celltag_solution"),
    code_cell("assert True", tags="celltag_solution"),
    markdown_cell("<p><strong>Exercise 2.</strong> And?</p>"),
    code_cell("assert 2", tags="celltag_solution celltag_remove_input"),
)


def render(html: str, tmp_path: Path, url: str = "softmax/one-hot-encoding/"):
    page = SimpleNamespace(url=url, toc=None)
    out = page_content(html, page, str(tmp_path))
    return BeautifulSoup(out, "html.parser"), page


def flat(items) -> list[tuple[int, str, str]]:
    return [
        row for item in items for row in [(item.level, item.id, item.title), *flat(item.children)]
    ]


def test_toc_comes_from_the_rendered_headings_with_code_and_math(tmp_path: Path):
    _, page = render(PAGE, tmp_path)
    assert flat(page.toc) == [
        (1, "one-hot-encoding", "One-hot encoding"),
        (2, "fone_hot", "<code>F.one_hot</code>"),
        (3, "a-note-on-num_workers", "A note on <code>num_workers</code>"),
        (2, "cross-entropy-hp-q", 'Cross-entropy <span class="arithmatex">\\(H(P, Q)\\)</span>'),
    ]
    assert [child.id for child in page.toc.items[0].children] == ["fone_hot", "cross-entropy-hp-q"]


def test_prompts_copied_permalinks_and_formulas_are_excluded_from_search(tmp_path: Path):
    soup, _ = render(PAGE, tmp_path)
    excluded = [el.get_text() for el in soup.select("[data-search-exclude]")]
    assert excluded.count("In [1]:") == 3 and excluded.count("Out[1]:") == 3
    assert excluded.count("Copied!") == 3 and excluded.count("¶") == 4
    assert "$y$" in excluded and "$$\\hat y = 1$$" in excluded and "$H(P, Q)$" in excluded
    assert "$HOME" not in " ".join(excluded)  # code is not math
    assert not soup.select(".celltoolbar")


def test_material_search_indexes_no_prompts_permalinks_or_latex(tmp_path: Path):
    from material.plugins.search.plugin import Parser

    soup, _ = render(PAGE, tmp_path)
    parser = Parser()
    parser.feed(str(soup))
    parser.close()
    titles = ["".join(section.title) for section in parser.data]
    text = " ".join("".join(section.text) for section in parser.data)
    assert "Cross-entropy" in titles[-1] and all("¶" not in t and "$" not in t for t in titles)
    for unwanted in ("In [1]", "Out[1]", "Copied!", "$y$", "\\hat", "H(P, Q)"):
        assert unwanted not in text, unwanted
    assert "Because." in text and "$HOME" in text


def test_runs_of_solution_cells_are_wrapped_in_collapsed_details(tmp_path: Path):
    soup, _ = render(PAGE, tmp_path)
    blocks = soup.select(".jp-Notebook > details.solution")
    assert len(blocks) == 2
    for block in blocks:
        assert block.get("open") is None and block.summary.get_text() == "Solution"
        assert "success" in block["class"]  # Material's ??? success admonition style
    first = [c for c in blocks[0].find_all("div", class_="jp-Cell", recursive=False)]
    assert len(first) == 2 and "Solution 1." in first[0].get_text()
    assert "assert 2" in blocks[1].get_text()
    assert "Exercise 2." in blocks[0].find_next_sibling("div").get_text()


def test_notebook_css_moves_to_one_shared_stylesheet(tmp_path: Path):
    soup, _ = render(PAGE, tmp_path)
    assert not soup.find_all("style")
    links = soup.find_all("link", rel="stylesheet")
    assert [link["href"] for link in links] == ["../../assets/stylesheets/notebook.css"]
    css = (tmp_path / "assets/stylesheets/notebook.css").read_text()
    assert "line-height: 125%" in css and ".jp-Cell{padding:5px}" in css and ".hll" not in css


def test_copy_buttons_share_one_script_and_copy_the_highlighted_code(tmp_path: Path):
    # As mkdocs-jupyter writes them: the script in every page, each cell's source twice.
    scripts = (
        "<script>(function () { customElements.define('clipboard-copy', C) })()</script>"
        "<script>document.addEventListener('clipboard-copy', show)</script>"
    )
    cell = code_cell("x = 1").replace(
        "</pre></div>", '</pre></div><div id="cell-1" class="clipboard-copy-txt">x = 1</div>'
    )
    soup, _ = render(scripts + notebook(cell), tmp_path)
    assert [s.get("src") for s in soup.find_all("script")] == [
        "../../assets/javascripts/clipboard-copy.js"
    ]
    shared = (tmp_path / "assets/javascripts/clipboard-copy.js").read_text()
    assert "customElements.define" in shared and "addEventListener" in shared
    assert not soup.select(".clipboard-copy-txt")
    button = soup.find("clipboard-copy")
    assert soup.find(id=button["for"]).get_text() == "x = 1"


def test_figures_become_lazy_content_addressed_files_with_their_size(tmp_path: Path):
    data = png(30, 20)
    src = "data:image/png;base64," + base64.b64encode(data).decode()
    figure = f'<figure class="tl-figure"><img class="tl-figure-light" src="{src}" alt="A"></figure>'
    soup, _ = render(notebook(code_cell("show()", figure)), tmp_path, url="logistic/x/")
    img = soup.find("img")
    assert img["src"].startswith("../../assets/figures/") and img["src"].endswith(".png")
    assert (img["width"], img["height"], img["loading"], img["alt"]) == ("30", "20", "lazy", "A")
    figure = (tmp_path / "logistic/x" / img["src"]).resolve()
    assert figure.read_bytes() == data
    assert figure.stat().st_mode & 0o777 == 0o644  # readable by a web server's user


def test_a_figure_file_cut_short_in_the_site_is_written_again(tmp_path: Path):
    data = png(30, 20)
    name = f"assets/figures/{hashlib.sha256(data).hexdigest()}.png"
    (tmp_path / name).parent.mkdir(parents=True)
    (tmp_path / name).write_bytes(data[:20])  # e.g. a build stopped while writing it
    src = "data:image/png;base64," + base64.b64encode(data).decode()
    render(notebook(code_cell("show()", f'<img src="{src}" alt="A">')), tmp_path)
    assert (tmp_path / name).read_bytes() == data


def test_trim_css_keeps_rules_for_used_classes_and_used_custom_properties():
    css = (
        '@charset "UTF-8";.w{--icon:url("data:image/svg+xml;base64,QQ==");--a:1px;'
        "--b:var(--a);--c:2px;--d:3px}:root{--e:url(data:a;b)}"
        ".w .used{margin:var(--b)}.w .unused{margin:var(--c)}.w .used,.w .gone{color:red}"
        ".w .used:not(.never){padding:0}@media (max-width:10px){.w .gone{top:0}.w pre{top:1px}}"
        ".w .md-typeset__scrollwrap{margin:0}"
    )
    assert trim_css(css, {"w", "used"}) == (
        ".w{--a:1px;--b:var(--a);}.w .used{margin:var(--b)}.w .used{color:red}"
        ".w .used:not(.never){padding:0}@media (max-width:10px){.w pre{top:1px}}"
        ".w .md-typeset__scrollwrap{margin:0}"
    )


@pytest.mark.parametrize(("languages", "kept"), [(["en"], False), (["en", "zh"], True)])
def test_finish_site_drops_source_maps_and_english_only_search_languages(
    tmp_path: Path, languages: list[str], kept: bool
):
    bundle = tmp_path / "assets/javascripts/bundle.min.js"
    lunr = tmp_path / "assets/javascripts/lunr/min/lunr.zh.min.js"
    lunr.parent.mkdir(parents=True)
    lunr.write_text("//")
    bundle.write_text("var a=1;\n//# sourceMappingURL=bundle.min.js.map")
    (tmp_path / "assets/javascripts/bundle.min.js.map").write_text("{}")
    (tmp_path / "search").mkdir()
    (tmp_path / "search/search_index.json").write_text(json.dumps({"config": {"lang": languages}}))
    finish_site(str(tmp_path))
    assert bundle.read_text() == "var a=1;"
    assert not list(tmp_path.rglob("*.map"))
    assert lunr.exists() == kept


def test_markdown_pages_keep_their_toc_and_hide_formulas_from_search(tmp_path: Path):
    html = '<h2 id="a">A</h2><p>Loss <span class="arithmatex">\\(\\hat y\\)</span>.</p>'
    page = SimpleNamespace(url="glossary/", toc="the Markdown toc")
    out = page_content(html, page, str(tmp_path))
    assert page.toc == "the Markdown toc" and not list(tmp_path.iterdir())
    assert out == html.replace('"arithmatex"', '"arithmatex" data-search-exclude')


def test_the_copy_icon_is_drawn_once_and_reused(tmp_path: Path):
    soup, _ = render(PAGE, tmp_path)
    icons = soup.select("svg.clipboard-copy-icon")
    assert len(icons) == 3 and len(soup.select("svg path")) == 2
    assert [len(g("path")) for g in icons[0]("g", id="tl-copy-icon")] == [2]
    assert all(icon.use["href"] == "#tl-copy-icon" and not icon("path") for icon in icons[1:])


def test_a_cached_page_is_the_same_and_a_damaged_entry_is_reworked(tmp_path: Path):
    data = png(30, 20)
    src = "data:image/png;base64," + base64.b64encode(data).decode()
    html = notebook(
        markdown_cell(heading(1, "t", "Title $x$")),
        code_cell("show()", f'<img class="tl-figure-light" src="{src}" alt="A">'),
    )
    cache = tmp_path / "cache"

    def build(name: str) -> tuple[str, list, dict[str, bytes]]:
        site = tmp_path / name
        page = SimpleNamespace(url="a/b/", toc=None)
        out = page_content(html, page, str(site), cache)
        files = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*.*")}
        return out, flat(page.toc), files

    first = build("first")
    assert len(first[2]) == 2 and len(list(cache.glob("*.json"))) == 1
    assert build("second") == first  # from the cache: same HTML, TOC and files
    (entry,) = cache.glob("*.json")
    stored = next(p for p in cache.iterdir() if p.read_bytes() == data)
    for damage in (lambda: entry.write_text("{"), lambda: stored.write_bytes(data[:9])):
        damage()
        assert build("again") == first  # reworked, not served from the damaged entry
    assert stored.read_bytes() == data  # and the damaged file was replaced


def test_a_kept_file_that_a_new_entry_shares_is_marked_used(tmp_path: Path):
    cache = tmp_path / "cache"
    page_content(PAGE, SimpleNamespace(url="a/", toc=None), str(tmp_path / "site"), cache)
    (stylesheet,) = (p for p in cache.iterdir() if p.suffix != ".json")
    os.utime(stylesheet, (0, 0))  # as if unused for long: cache.evict would remove it
    page_content(PAGE, SimpleNamespace(url="b/", toc=None), str(tmp_path / "site"), cache)
    assert len(list(cache.glob("*.json"))) == 2 and stylesheet.stat().st_mtime > 0


def test_the_trimmed_stylesheet_is_kept_and_a_damaged_copy_is_not_used(tmp_path: Path):
    css = ".w .used{color:red}.w .gone{color:blue}"
    cache, trimmed = tmp_path / "cache", ".w .used{color:red}"

    def finish() -> str:
        site = tmp_path / "site"
        (site / "assets/stylesheets").mkdir(parents=True, exist_ok=True)
        (site / "assets/stylesheets/notebook.css").write_text(css)
        (site / "index.html").write_text('<div class="w"><p class="used"></p></div>')
        finish_site(str(site), cache)
        return (site / "assets/stylesheets/notebook.css").read_text()

    assert finish() == trimmed
    (kept,) = cache.iterdir()
    other = ".w .used{color:teal}"  # an intact entry is used as it is
    save_json(kept, {"css": other, "files": {}})
    assert finish() == other
    kept.write_text(kept.read_text().replace("teal", "lime"))  # damaged: checksum differs
    assert finish() == trimmed
    assert json.loads(kept.read_text())["css"] == trimmed  # and replaced
