"""Nothing of the build leaks onto the built pages.

A reader must not see, in any page's text (the HTML without its tags, scripts and styles):
an object repr with a memory address (``<torch._C.Generator at 0x7f...>``), an absolute
path of the build machine (the repository, /work, /tmp, /root, /home, the data folder,
site-packages), a warning as Python reports it (``page.py:3: UserWarning: ...``, or any
warning in a cell's stderr output) or a placeholder in angle brackets (``<this repository>``,
``<it>``, ``<...>``). A page may still show a warning on purpose, as the text its code prints
(``print(f"{w.category.__name__}: {w.message}")``), and document a path template such as
``<root>/MNIST/raw/...``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]

#: Python's own names in angle brackets, which tracebacks and reprs show legitimately.
PYTHON_NAMES = {"module", "lambda", "genexpr", "listcomp", "dictcomp", "setcomp", "stdin"}


def machine_paths() -> list[str]:
    """Absolute folders of the build machine that must not appear on a page."""
    paths = [str(ROOT), "/work", "/tmp", "/root", "/home"]
    data = os.environ.get("TUTORIAL_LIB_DATA")
    if data:
        paths.append(str(Path(data)))
    return sorted({p.rstrip("/") for p in paths if p not in ("", "/")}, key=len, reverse=True)


def leak_patterns() -> dict[str, re.Pattern[str]]:
    """What counts as a leak in a page's text, by kind."""
    folders = "|".join(re.escape(p) for p in machine_paths())
    return {
        "memory address": re.compile(r" at 0x[0-9a-fA-F]+>"),
        # A path starts a word (not inside a URL or a longer path: "http://x/tmp" is fine).
        "machine path": re.compile(rf"(?<![\w.:/~-])(?:{folders})(?=/|\b)|site-packages"),
        # warnings.formatwarning: "<file>:<line>: <category>: <message>".
        "warning": re.compile(r":\d+: \w*Warning: "),
        # A word or "..." in angle brackets, unless it heads a path template ("<root>/x").
        "placeholder": re.compile(r"<(?:\.\.\.|…|[A-Za-z][A-Za-z -]*)>(?!/)"),
    }


#: Elements that end a line of text (so that words of two blocks are not run together).
BLOCKS = [
    "p",
    "div",
    "pre",
    "li",
    "tr",
    "td",
    "th",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "dt",
    "dd",
    "figcaption",
    "summary",
    "table",
]
#: nbconvert's mark of a cell's stderr output, where Python's warnings go.
STDERR = '[data-mime-type="application/vnd.jupyter.stderr"]'


def visible_text(soup: BeautifulSoup) -> str:
    """The text a reader can see: the HTML without tags, scripts, styles and templates."""
    for hidden in soup(["script", "style", "template", "noscript"]):
        hidden.decompose()
    for block in soup(BLOCKS):
        block.append("\n")
    return soup.get_text("")


def leaks_in(html: str) -> list[str]:
    """Each leak in a page's HTML: its kind and the line around it."""
    soup = BeautifulSoup(html, "html.parser")
    found = [
        f"warning: {stderr.get_text(' ', strip=True)[:120]!r}"
        for stderr in soup.select(STDERR)
        if "Warning" in stderr.get_text()
    ]
    text = visible_text(soup)
    for kind, pattern in leak_patterns().items():
        for match in pattern.finditer(text):
            if kind == "placeholder" and match.group(0)[1:-1] in PYTHON_NAMES:
                continue
            start = text.rfind("\n", 0, match.start()) + 1
            end = text.find("\n", match.end())
            line = text[start : end if end >= 0 else len(text)].strip()
            found.append(f"{kind}: {line[:120]!r}")
    return found


@pytest.mark.site
def test_no_page_shows_addresses_paths_warnings_or_placeholders(built_site: Path):
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) >= 3
    report = []
    for page in pages:
        leaks = leaks_in(page.read_text(encoding="utf-8"))
        report += [f"{page.relative_to(built_site)}: {leak}" for leak in leaks]
    assert not report, "\n".join(report)


@pytest.mark.parametrize(
    ("kind", "html"),
    [
        ("memory address", "<pre>&lt;torch._C.Generator at 0x7f6ecf5d5290&gt;</pre>"),
        ("machine path", f"<pre>source='TUTORIAL_LIB_DATA: {ROOT}/data'</pre>"),
        ("machine path", "<p>saved to /tmp/pytest-of-root/site/x.png</p>"),
        ("machine path", "<p>/home/reader/.cache</p>"),
        ("machine path", "<pre>/usr/lib/python3.11/site-packages/torch/nn.py:12</pre>"),
        ("warning", "<pre>page.py:3: UserWarning: To copy construct from a tensor</pre>"),
        (
            "warning",
            '<div data-mime-type="application/vnd.jupyter.stderr"><pre>'
            "DeprecationWarning: datetime.utcnow() is deprecated</pre></div>",
        ),
        ("placeholder", "<pre><span>git clone</span> <span>&lt;</span>this repository&gt;</pre>"),
        ("placeholder", "<code>git clone &lt;this repository&gt; &amp;&amp; cd &lt;it&gt;</code>"),
        ("placeholder", "<p>call it as f(&lt;...&gt;)</p>"),
    ],
)
def test_checker_finds_each_kind_of_leak(kind: str, html: str):
    found = leaks_in(html)
    assert found and all(leak.startswith(f"{kind}: ") for leak in found), found


@pytest.mark.parametrize(
    "html",
    [
        "<p>See <a href='https://example.invalid/tmp/x'>https://example.invalid/tmp/x</a>.</p>",
        "<pre>if x &lt; 0 and y &gt; 1: pass</pre>",
        "<pre>File &lt;module&gt;, line 1</pre>",
        "<p>F.sigmoid gives no warning in torch 2.14.1; no UserWarning is raised.</p>",
        "<pre>UserWarning: Converting a tensor with requires_grad=True to a scalar</pre>",
        "<p>The files are read from <code>&lt;root&gt;/MNIST/raw/...</code>.</p>",
        "<p>x &lt;</p><p>y&gt; 2</p>",
        "<pre>&lt;class 'int'&gt;</pre>",
        "<script>var p = '/tmp/x'; // UserWarning: </script><style>a{}</style>",
    ],
)
def test_checker_leaves_ordinary_text_alone(html: str):
    assert leaks_in(html) == []
