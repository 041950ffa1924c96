"""The table of contents of every notebook page in the built site follows its real headings.

Entries point at the ids the headings have, are never empty, keep the headings' inline code,
and carry formulas as ``.arithmatex`` for KaTeX (rendered in the browser: the browser tests
check that every ``.arithmatex`` on a page is rendered), never as raw ``$...$``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.site


def notebook_pages(site: Path) -> dict[str, BeautifulSoup]:
    pages = {}
    for path in sorted(site.rglob("index.html")):
        text = path.read_text(encoding="utf-8")
        if "jupyter-wrapper" in text:
            pages[path.parent.relative_to(site).as_posix()] = BeautifulSoup(text, "html.parser")
    assert len(pages) >= 3, sorted(pages)
    return pages


def toc_links(soup: BeautifulSoup) -> list:
    return soup.select("nav.md-nav--secondary a.md-nav__link")


def test_toc_entries_are_not_empty_and_point_at_headings(built_site: Path):
    problems = []
    for name, soup in notebook_pages(built_site).items():
        headings = {h["id"] for h in soup.select(":is(h1, h2, h3, h4, h5, h6)[id]")}
        for link in toc_links(soup):
            title = link.get_text(" ", strip=True)
            if not title:
                problems.append(f"{name}: empty entry {link['href']}")
            if "$" in title:
                problems.append(f"{name}: raw math in {title!r}")
            if link["href"].lstrip("#") not in headings:
                problems.append(f"{name}: {link['href']} is not a heading id")
    assert not problems, "\n".join(problems)


def test_toc_keeps_inline_code_and_math_of_headings(built_site: Path):
    code, math = [], []
    for soup in notebook_pages(built_site).values():
        for heading in soup.select("article h2[id], article h3[id]"):
            link = soup.select_one(f'nav.md-nav--secondary a[href="#{heading["id"]}"]')
            assert link is not None, heading
            if heading.code is not None:
                assert link.code is not None and link.code.get_text() == heading.code.get_text()
                code.append(link.get_text(" ", strip=True))
            if heading.select_one(".tl-math") is not None:
                assert link.select_one(".arithmatex") is not None, link
                math.append(link.get_text(" ", strip=True))
    # Headings with code exist (F.one_hot); formulas in headings are covered by test_markup.
    assert code, (code, math)
