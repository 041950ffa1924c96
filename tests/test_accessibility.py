"""Accessibility basics on every built page: alt text, one h1, headings in order."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]


def content_of(html: str) -> BeautifulSoup:
    """The page's main content (Material's article), or the whole document."""
    soup = BeautifulSoup(html, "html.parser")
    return soup.select_one("article.md-content__inner") or soup


def problems_of(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    problems = []
    for img in soup.find_all("img"):
        if not (img.get("alt") or "").strip():
            src = (img.get("src") or "")[:60]
            problems.append(f"image without alt text: {src!r}")
    h1s = soup.find_all("h1")
    if len(h1s) != 1:
        problems.append(f"{len(h1s)} h1 headings, expected exactly one")
    previous = 0
    for heading in content_of(html).find_all(HEADINGS):
        level = int(heading.name[1])
        if level > previous + 1:
            text = heading.get_text(" ", strip=True).rstrip("¶").strip()
            problems.append(f"h{previous} -> h{level} skips a level at {text!r}")
        previous = level
    return problems


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


@pytest.mark.site
def test_every_page_has_alt_text_one_h1_and_ordered_headings(built_site: Path):
    found = pages(built_site)
    assert len(found) >= 3
    report = []
    for page in found:
        for problem in problems_of(page.read_text(encoding="utf-8")):
            report.append(f"{page.relative_to(built_site)}: {problem}")
    assert not report, "\n".join(report)


@pytest.mark.site
def test_figures_on_notebook_pages_have_alt_text(built_site: Path):
    figures = [
        img
        for page in pages(built_site)
        for img in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select(
            ".jupyter-wrapper img"
        )
    ]
    if not figures:
        pytest.skip("no notebook page with a figure in the site yet")
    assert all(img.get("alt", "").strip() for img in figures)


def test_checker_reports_each_problem():
    good = (
        '<article class="md-content__inner"><h1>T</h1><h2>a</h2><h3>b</h3><h2>c</h2></article>'
        '<img src="x.png" alt="a plot">'
    )
    assert problems_of(good) == []
    assert any("without alt" in p for p in problems_of(good.replace(' alt="a plot"', "")))
    assert any("without alt" in p for p in problems_of(good.replace('"a plot"', '"  "')))
    assert any("2 h1" in p for p in problems_of(good.replace("<h2>c</h2>", "<h1>c</h1>")))
    assert any("h1 -> h3" in p for p in problems_of(good.replace("<h2>a</h2>", "")))
    assert any("0 h1" in p for p in problems_of(good.replace("<h1>T</h1>", "")))
