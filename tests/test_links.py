"""Every internal link and anchor in the built site resolves."""

from __future__ import annotations

import functools
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

#: Attributes that point at another resource of the site.
LINK_ATTRIBUTES = (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"))


def site_prefix(root: Path) -> str:
    """The path of site_url, e.g. ``/linear-classification/`` (404.html links absolutely)."""
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    # mkdocs.yml may use !!python/name tags; ignore unknown tags, we only need site_url.
    _Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    config = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)
    return urlsplit(config.get("site_url") or "/").path or "/"


@functools.cache
def parse(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@functools.cache
def ids_of(path: Path) -> frozenset[str]:
    soup = parse(path)
    return frozenset(
        [tag["id"] for tag in soup.find_all(id=True)]
        + [tag["name"] for tag in soup.find_all("a", attrs={"name": True})]
    )


def target_file(site: Path, url_path: str) -> Path | None:
    """The file in ``site`` that serves ``url_path`` (directory URLs serve index.html)."""
    relative = unquote(url_path).lstrip("/")
    candidate = site / relative
    if url_path.endswith("/") or candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def broken_links(site: Path, prefix: str) -> list[str]:
    problems = []
    for page in sorted(site.rglob("*.html")):
        page_url = "/" + page.relative_to(site).as_posix()
        for tag_name, attribute in LINK_ATTRIBUTES:
            for tag in parse(page).find_all(tag_name, attrs={attribute: True}):
                href = tag[attribute].strip()
                if tag_name == "link" and "canonical" in (tag.get("rel") or []):
                    continue
                parts = urlsplit(href)
                if parts.scheme or parts.netloc or href.startswith(("data:", "mailto:")):
                    continue  # another host, or inline data: not an internal link
                if not href:
                    hint = " (nbconvert's MathJax loader?)" if tag_name == "script" else ""
                    problems.append(f"{page_url}: empty {tag_name} {attribute}{hint}")
                    continue
                resolved = urlsplit(urljoin(page_url, href))
                path = resolved.path
                if prefix != "/" and path.startswith(prefix):
                    path = "/" + path[len(prefix) :]
                target = target_file(site, path)
                if target is None:
                    link = f"{tag_name} {attribute}={href!r}"
                    problems.append(f"{page_url}: {link} -> missing {path}")
                    continue
                fragment = unquote(resolved.fragment)
                if fragment and target.suffix == ".html" and fragment not in ids_of(target):
                    where = PurePosixPath(target.relative_to(site).as_posix())
                    problems.append(f"{page_url}: {href!r} -> no id {fragment!r} in {where}")
    return list(dict.fromkeys(problems))  # a link in both the nav and the page's TOC: once


@pytest.mark.site
def test_every_internal_link_and_anchor_resolves(built_site: Path, root: Path):
    pages = list(built_site.rglob("*.html"))
    assert len(pages) >= 3, "the built site has too few pages to check"
    problems = broken_links(built_site, site_prefix(root))
    assert not problems, "broken internal links:\n" + "\n".join(problems)


def test_the_checker_finds_broken_links(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(
        '<h1 id="top">A</h1><a href="../b/">b</a><a href="../b/#here">ok</a>'
        '<a href="../b/#nowhere">bad anchor</a><a href="../c/">missing</a>'
        '<img src="pic.png" alt="x"><a href="https://example.org/x">external</a>'
        '<a href="/site/a/#top">absolute</a>',
        encoding="utf-8",
    )
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "index.html").write_text('<p id="here">B</p>', encoding="utf-8")
    problems = broken_links(tmp_path, "/site/")
    assert len(problems) == 3, problems
    assert any("nowhere" in p for p in problems)
    assert any("missing /c/" in p for p in problems)
    assert any("pic.png" in p for p in problems)


#: The glossary ids that pages link to (team brief); each must exist as an explicit heading id.
GLOSSARY_IDS = """logistic-regression sigmoid logistic-function binary-cross-entropy cross-entropy
softmax softmax-regression one-hot-encoding loss-function learning-rate gradient-descent
stochastic-gradient-descent epoch batch-size minibatch logits accuracy overfitting
regularization decision-boundary classification regression huber-loss l1-loss l2-loss
confusion-matrix dataset tensor""".split()


@pytest.mark.site
def test_glossary_has_every_term_with_its_chinese_equivalent(built_site: Path):
    soup = parse(built_site / "glossary" / "index.html")
    for term_id in GLOSSARY_IDS:
        heading = soup.find(id=term_id)
        assert heading is not None and heading.name == "h2", term_id
        text = heading.get_text()
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), f"{term_id}: no Chinese term"
        definition = heading.find_next_sibling("p")
        assert definition is not None and len(definition.get_text(strip=True)) > 30, term_id


def public_names(module_name: str) -> list[str]:
    import importlib
    import inspect

    module = importlib.import_module(module_name)
    return [
        f"{module_name}.{name}"
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(value) or inspect.isclass(value))
        and value.__module__ == module_name
    ]


@pytest.mark.site
def test_api_reference_documents_every_public_module_and_function(built_site: Path, root: Path):
    import pkgutil

    import tutorial_lib

    modules = [
        f"tutorial_lib.{info.name}"
        for info in pkgutil.iter_modules(tutorial_lib.__path__)
        if not info.name.startswith("_")
    ]
    pages = ("api", "api-figures")
    api_source = "".join((root / "docs" / f"{p}.md").read_text(encoding="utf-8") for p in pages)
    missing = [m for m in modules if f"::: {m}\n" not in api_source]
    assert not missing, f"modules missing from docs/api.md and docs/api-figures.md: {missing}"
    ids = set().union(*(ids_of(built_site / p / "index.html") for p in pages))
    undocumented = [
        name for module in modules for name in [module, *public_names(module)] if name not in ids
    ]
    assert not undocumented, f"no anchor in the API reference for: {undocumented}"
