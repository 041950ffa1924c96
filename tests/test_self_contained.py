"""The built site loads nothing from other hosts: fonts, math, scripts and styles are its own.

Plain ``<a href>`` links to other sites are allowed (the reader chooses to follow them), and so
is ``<link rel="canonical">`` (a name, not a load). Everything the browser would fetch by
itself is checked: script/img/iframe/source/video/audio/embed/object sources, ``<link>`` hrefs,
``srcset``, CSS ``url()`` and ``@import`` (in .css files, ``<style>`` and ``style=``), and
dynamic ``import()``/``fetch()``/``importScripts()`` of absolute URLs in JavaScript.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
CSS_URL = re.compile(r"""url\(\s*['"]?\s*((?:https?:)?//[^'")\s]+)""", re.IGNORECASE)
CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?\s*((?:https?:)?//[^'")\s;]+)""", re.I)
JS_LOAD = re.compile(
    r"""\b(?:import|fetch|importScripts)\s*\(\s*['"`]((?:https?:)?//[^'"`]+)""", re.IGNORECASE
)

SOURCE_ATTRIBUTES = {
    "script": ["src"],
    "img": ["src", "srcset"],
    "iframe": ["src"],
    "source": ["src", "srcset"],
    "video": ["src", "poster"],
    "audio": ["src"],
    "embed": ["src"],
    "object": ["data"],
    "track": ["src"],
    "input": ["src"],
    "link": ["href", "imagesrcset"],
}


def external_in_css(css: str) -> list[str]:
    return CSS_URL.findall(css) + CSS_IMPORT.findall(css)


def external_in_js(js: str) -> list[str]:
    return JS_LOAD.findall(js)


def external_in_html(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for tag_name, attributes in SOURCE_ATTRIBUTES.items():
        for tag in soup.find_all(tag_name):
            if tag_name == "link" and "canonical" in (tag.get("rel") or []):
                continue
            for attribute in attributes:
                value = tag.get(attribute)
                if not value:
                    continue
                candidates = [part.split()[0] for part in value.split(",") if part.split()]
                if attribute not in ("srcset", "imagesrcset"):
                    candidates = [value]
                found += [f"<{tag_name} {attribute}={c}>" for c in candidates if EXTERNAL.match(c)]
    for style in soup.find_all("style"):
        found += external_in_css(style.get_text())
    for tag in soup.find_all(style=True):
        found += external_in_css(tag["style"])
    for script in soup.find_all("script", src=False):
        found += external_in_js(script.get_text())
    return found


@pytest.mark.site
def test_built_site_loads_nothing_from_other_hosts(built_site: Path):
    report = []
    files = sorted(p for p in built_site.rglob("*") if p.suffix in {".html", ".css", ".js"})
    assert any(p.suffix == ".html" for p in files)
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".html":
            found = external_in_html(text)
        elif path.suffix == ".css":
            found = external_in_css(text)
        else:
            found = external_in_js(text)
        report += [f"{path.relative_to(built_site)}: {item}" for item in found]
    assert not report, "references to other hosts:\n" + "\n".join(report)


@pytest.mark.site
def test_math_renderer_and_fonts_are_served_by_the_site(built_site: Path):
    html = (built_site / "index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    scripts = [s["src"] for s in soup.find_all("script", src=True)]
    assert any(src.endswith("katex.min.js") for src in scripts), scripts
    katex_css = next(built_site.rglob("katex.min.css"))
    fonts = re.findall(r"url\(([^)]+)\)", katex_css.read_text(encoding="utf-8"))
    assert fonts
    for font in fonts:
        assert (katex_css.parent / font).is_file(), font
    # No page asks for a second math renderer (MathJax from nbconvert's template).
    for page in built_site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        sources = [s.get("src", "") for s in soup("script")]
        assert not [s for s in sources if "mathjax" in s.lower()], page


def test_checker_finds_each_kind_of_external_load():
    html = """
    <link rel="canonical" href="https://example.org/page/">
    <a href="https://example.org/">a plain link is fine</a>
    <link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">
    <link rel="preconnect" href="//fonts.gstatic.com">
    <script src="https://cdn.example.org/x.js"></script>
    <img alt="x" srcset="local.png 1x, https://img.example.org/a.png 2x">
    <style>@import "https://example.org/a.css";
      .x { background: url(https://example.org/b.png) }</style>
    <div style="background-image: url('//example.org/c.png')"></div>
    <script>import("https://cdn.example.org/mod.mjs")</script>
    <script>const m = await import("https://cdn.example.org/mermaid.mjs"); // mermaid</script>
    <script src="local.js"></script><img alt="y" src="data:image/png;base64,AAAA">
    """
    found = external_in_html(html)
    assert len(found) == 9, found
    assert not any("example.org/page" in f for f in found)
    assert external_in_css("@font-face{src:url(fonts/a.woff2)}") == []
    assert external_in_js('fetch("search/search_index.json")') == []
