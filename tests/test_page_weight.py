"""What a reader's browser downloads: page weight of the built site, measured in Chromium.

The site is served on 127.0.0.1 as static hosts such as GitHub Pages serve it: text files
(HTML, CSS, JavaScript, JSON, SVG) gzip-compressed when the browser accepts it, and every
response cacheable for 10 minutes. Playwright reports each response's encoded size; a page's
weight is the sum over every request of response headers and body, with the page scrolled to
its end (so every figure a reader would see is loaded).

Targets: the heaviest tutorial page <= 600 KB on a first visit (nothing cached); any other
tutorial page <= 300 KB once one page was visited (shared assets cached); no page's HTML
over 200 KB. Figures are image files, loaded lazily: the variant for the colour scheme not
shown is not downloaded.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

CHROMIUM = "/usr/bin/chromium"
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if shutil.which(CHROMIUM) is None:
    pytest.skip(f"Chromium not found at {CHROMIUM}", allow_module_level=True)

pytestmark = [pytest.mark.site, pytest.mark.browser]

KB = 1000
FIRST_VISIT, SECOND_PAGE, HTML_SIZE = 600 * KB, 300 * KB, 200 * KB
COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".py", ".ipynb"}
SCROLL_TO_END = """async () => {
    for (let y = 0; y < document.documentElement.scrollHeight; y += 400) {
        window.scrollTo(0, y);
        await new Promise(resolve => setTimeout(resolve, 30));
    }
}"""


class _StaticHost(http.server.SimpleHTTPRequestHandler):
    """Serves files like a static host: gzip for text, cacheable for 10 minutes."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def send_head(self):  # noqa: ANN201 - the stdlib's signature
        path = Path(self.translate_path(self.path))
        path = path / "index.html" if path.is_dir() else path
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (path.is_file() and path.suffix in COMPRESSED and accepts_gzip):
            return super().send_head()
        body = gzip.compress(path.read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


@pytest.fixture(scope="module")
def base_url(built_site: Path) -> Iterator[str]:
    handler = functools.partial(_StaticHost, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox"]
        )
        yield chromium
        chromium.close()


def tutorial_paths(site: Path) -> list[str]:
    """The executed notebook pages, in nav order (they carry the notebook wrapper)."""
    soup = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    paths: list[str] = []
    for link in soup.select("nav.md-nav--primary a.md-nav__link[href]"):
        path = link["href"].split("#")[0].strip("/")
        page = site / path / "index.html"
        if path in ("", ".") or f"{path}/" in paths or not page.is_file():
            continue
        if "jupyter-wrapper" in page.read_text(encoding="utf-8"):
            paths.append(f"{path}/")
    assert len(paths) >= 3, paths
    return paths


def visit(context, url: str, scroll: bool = True) -> tuple[int, list[str]]:
    """Open ``url`` in ``context``: the bytes transferred and the URLs requested."""
    page = context.new_page()
    finished: list = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    if scroll:
        page.evaluate(SCROLL_TO_END)
        page.wait_for_load_state("networkidle")
    total = 0
    for request in finished:
        sizes = request.sizes()
        total += sizes["responseHeadersSize"] + sizes["responseBodySize"]
    page.close()
    return total, [request.url for request in finished]


def test_no_page_html_is_over_200_kb(built_site: Path):
    sizes = {
        p.relative_to(built_site).as_posix(): p.stat().st_size for p in built_site.rglob("*.html")
    }
    heavy = {path: size for path, size in sizes.items() if size > HTML_SIZE}
    assert not list(built_site.rglob("*.map")), "source maps are not needed by readers"
    assert not heavy, heavy


def test_first_visit_and_second_page_stay_within_their_budgets(built_site, base_url, browser):
    first = {}
    for path in tutorial_paths(built_site):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        first[path], _ = visit(context, base_url + path)
        context.close()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    paths = tutorial_paths(built_site)
    visit(context, base_url + paths[0])
    second = {path: visit(context, base_url + path)[0] for path in paths[1:]}
    context.close()
    report = f"first visit (bytes): {first}\nsecond page (bytes): {second}"
    print(report)
    over = {p for p, n in first.items() if n > FIRST_VISIT}
    over |= {p for p, n in second.items() if n > SECOND_PAGE}
    assert not over, report


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_hidden_variant_of_a_figure_is_not_downloaded(built_site, base_url, browser, scheme):
    hidden, shown = ("dark", "light") if scheme == "light" else ("light", "dark")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    checked = 0
    for path in tutorial_paths(built_site):
        soup = BeautifulSoup((built_site / path / "index.html").read_text("utf-8"), "html.parser")
        figures = soup.select("figure.tl-figure")
        if not figures:
            continue
        for img in soup.select("figure.tl-figure img"):
            assert not img["src"].startswith("data:"), f"{path}: figure inlined as base64"
            assert img.get("width") and img.get("height") and img.get("loading") == "lazy"
        _, requested = visit(context, base_url + path)
        names = {url.rsplit("/", 1)[-1] for url in requested}
        for figure in figures:
            variants = {img["class"][0]: img["src"].rsplit("/", 1)[-1] for img in figure("img")}
            if variants[f"tl-figure-{hidden}"] == variants[f"tl-figure-{shown}"]:
                continue  # the same image for both schemes
            assert variants[f"tl-figure-{shown}"] in names, f"{path}: shown figure not loaded"
            assert variants[f"tl-figure-{hidden}"] not in names, f"{path}: hidden one loaded"
            checked += 1
    context.close()
    assert checked, "no figure with two variants on any tutorial page"


def test_toggling_the_scheme_loads_the_other_variant(built_site, base_url, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    page = context.new_page()
    path = next(
        p
        for p in tutorial_paths(built_site)
        if "tl-figure-dark" in (built_site / p / "index.html").read_text("utf-8")
    )
    page.goto(base_url + path, wait_until="load")
    figure = page.locator("figure.tl-figure").first
    figure.scroll_into_view_if_needed()
    page.locator("form[data-md-component='palette'] label:visible").first.click()
    dark = figure.locator("img.tl-figure-dark")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=dark.element_handle())
    size = dark.evaluate("img => [img.naturalWidth, img.naturalHeight, img.width, img.height]")
    assert size[:2] == [int(dark.get_attribute("width")), int(dark.get_attribute("height"))]
    context.close()
