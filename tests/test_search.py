"""Material's search on the built site, typed into the search box in Chromium.

The queries a reader of these tutorials types find the pages they mean: English terms,
hyphenated ones, abbreviations and the Chinese glossary terms (segmented with jieba at build
time). Result titles carry no "¶" and no raw "$"; snippets no prompts, "Copied!" or LaTeX.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if shutil.which(CHROMIUM) is None:
    pytest.skip(f"Chromium not found at {CHROMIUM}", allow_module_level=True)

pytestmark = [pytest.mark.site, pytest.mark.browser]

#: Query -> paths of which at least one must be among the results.
EXPECTED = {
    "cross entropy": {"/softmax/cross-entropy/"},
    "交叉熵": {"/glossary/", "/softmax/cross-entropy/"},
    "one-hot": {"/softmax/one-hot-encoding/"},
    "BCE": {"/softmax/cross-entropy/"},
}
#: Search only finds what a page says: the cross-entropy page does not write "BCE" yet.
#: What a snippet must not show: notebook prompts, the copy button's notice, LaTeX.
UNWANTED = re.compile(r"In \[\d*\]|Out\[\d*\]|Copied!|\\[a-zA-Z]{2,}|\\[()[\]]|\$[^$\s][^$]*\$")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


@pytest.fixture(scope="module")
def search_page(built_site: Path) -> Iterator:
    """A Chromium page on the built site's home page, served on 127.0.0.1."""
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox"]
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/", wait_until="load")
            yield page
            browser.close()
    finally:
        server.shutdown()
        server.server_close()


def search(page, query: str) -> list[dict[str, str]]:
    """Type ``query`` into the search box; return every result's path, title and snippet."""
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("")
    box.press_sequentially(query, delay=30)  # Material searches on key events
    # Playwright inserts Chinese characters without key events (an IME would send them).
    box.press("End")
    page.wait_for_function(
        "q => document.querySelector('.md-search-result__meta').textContent.trim() !== ''"
        " && document.querySelector('input.md-search__input').value === q",
        arg=query,
    )
    page.wait_for_timeout(300)
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.md-search-result__link')).map(a => ({
            path: new URL(a.href).pathname,
            title: a.querySelector('h1, h2').textContent,
            text: Array.from(a.querySelectorAll('p')).map(p => p.textContent).join(' '),
        }))"""
    )


@pytest.mark.parametrize(
    "query",
    list(EXPECTED),
)
def test_search_finds_the_page_with_clean_titles_and_snippets(search_page, query: str):
    results = search(search_page, query)
    paths = {urlsplit(result["path"]).path for result in results}
    assert paths & EXPECTED[query], f"{query!r} found only {sorted(paths)}"
    for result in results:
        assert "¶" not in result["title"] and "$" not in result["title"], result
        assert not UNWANTED.search(result["text"]), result


def test_every_chinese_glossary_term_is_one_word_for_jieba(root: Path):
    """Each Chinese term in a glossary heading is in the user dictionary search gives jieba."""
    import jieba
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    _Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    config = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)
    search = next(p["search"] for p in config["plugins"] if isinstance(p, dict) and "search" in p)
    words = (root / search["jieba_dict_user"]).read_text(encoding="utf-8").split()
    with open(root / search["jieba_dict_user"], "rb") as dictionary:
        jieba.load_userdict(dictionary)
    glossary = (root / "docs" / "glossary.md").read_text(encoding="utf-8")
    terms = re.findall(r"[\u4e00-\u9fff]{2,}", "\n".join(re.findall(r"^## .*", glossary, re.M)))
    assert terms and set(terms) <= set(words), sorted(set(terms) - set(words))
    assert all(list(jieba.cut(term)) == [term] for term in terms)
