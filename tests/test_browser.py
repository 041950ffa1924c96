"""The built site in a real browser: Chromium, driven by Playwright, on 127.0.0.1.

Every page in the nav answers 200 with decoded images, rendered formulas and no console
errors, in the light and the dark scheme, at 1280x900 and on a 390x844 phone (full-page
screenshots of all four go to ``test-artifacts/screenshots/``); search finds the softmax
pages; the palette toggle switches the scheme and the figures follow; download links answer
200; and any request to another host fails the test.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright (Python) is not installed: pip install playwright"
)
if shutil.which(CHROMIUM) is None:
    pytest.skip(
        f"Chromium not found at {CHROMIUM}: install Debian's package (apt-get install chromium)",
        allow_module_level=True,
    )

pytestmark = [pytest.mark.site, pytest.mark.browser]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 at a free port, in a background thread; yield its URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def nav_pages(site: Path, base_url: str) -> list[str]:
    """Every page linked from the primary navigation (and the home page), in nav order."""
    soup = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    urls = [base_url]
    for link in soup.select("nav.md-nav--primary a.md-nav__link[href]"):
        url = urljoin(base_url, link["href"]).split("#")[0]
        if url.startswith(base_url) and url not in urls:
            urls.append(url)
    return urls


@pytest.fixture(scope="module")
def base_url(built_site: Path) -> Iterator[str]:
    """The built site, served on 127.0.0.1."""
    with served(built_site) as url:
        yield url


@pytest.fixture(scope="module")
def nav_urls(built_site: Path, base_url: str) -> list[str]:
    """Every page linked from the primary navigation (and the home page), in nav order."""
    urls = nav_pages(built_site, base_url)
    assert len(urls) >= 3, urls
    return urls


class Session:
    """One browser page whose requests to other hosts are blocked and recorded."""

    def __init__(self, page, base_url: str) -> None:
        self.page = page
        self.base = urlsplit(base_url)
        self.external: list[str] = []
        self.console: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console.append(f"page error: {error}"))
        page.context.route("**/*", self._route)

    def _route(self, route) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.netloc != self.base.netloc:
            self.external.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.console.append(f"console error: {message.text}")

    def goto(self, url: str):
        """Open ``url``, wait for its images and fonts, and return the response."""
        self.console.clear()
        response = self.page.goto(url, wait_until="load")
        self.page.evaluate("document.fonts.ready.then(() => true)")
        return response

    def scheme(self) -> str:
        return self.page.evaluate("document.body.getAttribute('data-md-color-scheme')")


#: The two screen sizes every page is looked at in: a laptop and a phone.
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def sessions(base_url: str) -> Iterator[dict[str, Session]]:
    """One browser; a page per colour scheme the reader's system prefers (``light``, ``dark``)
    at 1280x900, and the same at 390x844 (``phone-light``, ``phone-dark``)."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            opened = {}
            for device, viewport in VIEWPORTS.items():
                for scheme in ("light", "dark"):
                    context = browser.new_context(viewport=viewport, color_scheme=scheme)
                    key = scheme if device == "desktop" else f"{device}-{scheme}"
                    opened[key] = Session(context.new_page(), base_url)
            yield opened
        finally:
            browser.close()


@pytest.fixture
def session(sessions: dict[str, Session]) -> Session:
    """The light-preferring reader's page."""
    return sessions["light"]


@pytest.fixture(autouse=True)
def _no_request_leaves_the_site(sessions: dict[str, Session]) -> Iterator[None]:
    for each in sessions.values():
        each.external.clear()
    yield
    external = [url for each in sessions.values() for url in each.external]
    assert not external, f"requests to other hosts: {external}"


# Images that are rendered (the other scheme's figure variant is display: none and, with
# loading="lazy", never downloaded).
IMAGES_JS = """() => Array.from(document.images).filter(img => img.getClientRects().length)
    .map(img => ({
    src: img.currentSrc.slice(0, 80), complete: img.complete, width: img.naturalWidth}))"""
MATH_JS = """() => ({
    arithmatex: document.querySelectorAll('.arithmatex').length,
    arithmatexRendered: document.querySelectorAll('.arithmatex .katex').length,
    notebookMath: Array.from(document.querySelectorAll('.jupyter-wrapper .jp-RenderedMarkdown'))
        .filter(el => /\\$[^$\\s][^$]*\\$/.test(el.textContent)).length,
    katex: document.querySelectorAll('.katex').length,
    errors: Array.from(document.querySelectorAll('.katex-error')).map(e => e.textContent),
})"""


def screenshot_name(url: str, base_url: str, scheme: str, width: int) -> str:
    path = url[len(base_url) :].strip("/") or "home"
    return f"{re.sub(r'[^A-Za-z0-9]+', '-', path).strip('-')}-{scheme}-{width}.png"


@pytest.mark.parametrize("device", list(VIEWPORTS))
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_nav_page_loads_with_images_math_and_no_errors(
    sessions: dict[str, Session], nav_urls: list[str], base_url: str, scheme: str, device: str
):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    session = sessions[scheme if device == "desktop" else f"{device}-{scheme}"]
    width = VIEWPORTS[device]["width"]
    expected = "slate" if scheme == "dark" else "default"
    problems = []
    for url in nav_urls:
        response = session.goto(url)
        if response is None or response.status != 200:
            problems.append(f"{url}: status {response and response.status}")
            continue
        if session.scheme() != expected:
            problems.append(f"{url}: scheme {session.scheme()!r}, expected {expected!r}")
        # Figures load lazily: scroll each into view so that it decodes (and shows in the
        # full-page screenshot).
        session.page.evaluate(
            """() => document.querySelectorAll('figure.tl-figure img')
                .forEach(img => { if (img.getClientRects().length) img.loading = 'eager'; })"""
        )
        session.page.wait_for_function(
            """() => [...document.images].filter(img => img.getClientRects().length)
                .every(img => img.complete)"""
        )
        for image in session.page.evaluate(IMAGES_JS):
            if not image["complete"] or image["width"] == 0:
                problems.append(f"{url}: image did not decode: {image['src']}")
        math = session.page.evaluate(MATH_JS)
        if math["errors"]:
            problems.append(f"{url}: KaTeX errors: {math['errors']}")
        if math["arithmatexRendered"] < math["arithmatex"]:
            done, total = math["arithmatexRendered"], math["arithmatex"]
            problems.append(f"{url}: only {done} of {total} formulas rendered")
        if math["notebookMath"] and not math["katex"]:
            problems.append(f"{url}: notebook formulas were not rendered")
        problems += [f"{url}: {message}" for message in session.console]
        session.page.screenshot(
            path=str(ARTIFACTS / screenshot_name(url, base_url, scheme, width)), full_page=True
        )
    assert not problems, "\n".join(problems)


def test_search_finds_the_softmax_pages(session: Session, nav_urls: list[str], base_url: str):
    softmax_pages = [url for url in nav_urls if "/softmax/" in url]
    if not softmax_pages:
        pytest.skip("the site has no softmax pages in its nav yet")
    session.goto(base_url)
    page = session.page
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially("softmax", delay=30)  # Material searches on key events
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=15_000)
    hrefs = results.evaluate_all("links => links.map(a => a.href)")
    found = {urljoin(href, urlsplit(href).path) for href in hrefs}  # drop ?h=... and #...
    regression_pages = [url for url in softmax_pages if "softmax-regression" in url]
    assert regression_pages and set(regression_pages) <= found, sorted(found)
    assert not session.console, session.console


def _visible_figure_variants(page) -> list[str]:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('figure.tl-figure img'))
            .filter(img => img.getBoundingClientRect().width > 0)
            .map(img => img.classList.contains('tl-figure-dark') ? 'dark' : 'light')"""
    )


def test_palette_toggle_switches_scheme_and_figures_follow(session: Session, nav_urls: list[str]):
    page = session.page
    with_figures = None
    for url in nav_urls:
        session.goto(url)
        if page.locator("figure.tl-figure").count():
            with_figures = url
            break
    if with_figures is None:
        pytest.skip("no page with a figure from show_figure() in the nav yet")
    count = page.locator("figure.tl-figure").count()
    assert session.scheme() == "default"
    assert _visible_figure_variants(page) == ["light"] * count

    page.locator("form[data-md-component='palette'] label:visible").first.click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    assert _visible_figure_variants(page) == ["dark"] * count
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    channels = [int(c) for c in re.findall(r"\d+", background)[:3]]
    assert max(channels) < 80, f"dark scheme has a light background {background}"

    # The choice is remembered on the next page, and toggling back restores the light figures.
    session.goto(with_figures)
    assert session.scheme() == "slate"
    page.locator("form[data-md-component='palette'] label:visible").first.click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'default'")
    assert _visible_figure_variants(page) == ["light"] * count
    page.evaluate("localStorage.clear()")


def test_download_links_answer_200(
    session: Session, nav_urls: list[str], base_url: str, built_site: Path
):
    downloads: dict[str, str] = {}
    for url in nav_urls:
        html_file = built_site / url[len(base_url) :] / "index.html"
        soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
        for link in soup.select("a[download], a[href$='.ipynb'], a[href$='.py']"):
            downloads.setdefault(urljoin(url, link["href"]), url)
    if not downloads:
        pytest.skip("no download links in the site yet")
    failures = []
    for href, found_on in downloads.items():
        response = session.page.request.get(href)
        if response.status != 200 or not response.body():
            failures.append(f"{href} (on {found_on}): status {response.status}")
    assert not failures, "\n".join(failures)


def test_a_request_to_another_host_is_caught(session: Session, base_url: str):
    session.goto(base_url)
    session.page.evaluate("() => fetch('https://example.org/beacon').catch(() => null)")
    assert session.external == ["https://example.org/beacon"]
    session.external.clear()


def test_copy_button_copies_the_cells_code(sessions: dict[str, Session], nav_urls: list[str]):
    # The copy buttons' script is one shared file and a button copies the highlighted code
    # itself (the hidden second copy mkdocs-jupyter writes is removed): check both work.
    session = sessions["light"]
    session.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    url = next(u for u in nav_urls if "one-hot-encoding" in u)
    session.goto(url)
    page = session.page
    assert page.locator(".clipboard-copy-txt").count() == 0
    button = page.locator("clipboard-copy").nth(1)  # a code cell's (the first may be set-up)
    target = button.get_attribute("for")
    code = page.evaluate("id => document.getElementById(id).textContent", target)
    assert "import" in code or "=" in code, code
    button.scroll_into_view_if_needed()
    button.click()
    shown = "Array.from(document.querySelectorAll('.notice')).some(n => !n.hidden)"
    page.wait_for_function(f"() => {shown}")  # "Copied!": the shared script's handler ran
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.rstrip("\n") == code.rstrip("\n") and copied.strip()
    assert not session.console, session.console
