"""Site fixes after the build (``on_post_build``): notebook CSS trimmed, no source maps.

Trimming the 600 KB of JupyterLab's CSS (written by :mod:`~tutorial_site.markup`) takes half
a second: the result is kept in ``cache_dir``, by the hash of its inputs.
"""

import json
import re
import shutil
from pathlib import Path
from typing import Any

import tinycss2

from tutorial_site.cache import digest
from tutorial_site.markup import STYLESHEET, kept

#: A declaration's value: its strings and (nested) parentheses may hold ";" (data: URLs).
_VALUE = r"""(?:[^;{}()"']|"[^"]*"|'[^']*'|\((?:[^()"']|"[^"]*"|'[^']*'|\([^()]*\))*\))*"""
_CUSTOM_PROPERTY = re.compile(rf"(--[\w-]+)\s*:({_VALUE})(?:;|(?=\}}))")
_EMPTY_RULE = re.compile(r"[^{};]+\{[\s;]*\}")


def finish_site(site_dir: str, cache_dir: Path | None = None) -> None:
    """Trim the shared notebook CSS; delete source maps and unneeded search language files.

    ``cache_dir`` keeps the trimmed stylesheets between builds (None: not kept).
    """
    site = Path(site_dir)
    stylesheet = site / STYLESHEET
    if stylesheet.exists():
        pages = "".join(page.read_text(encoding="utf-8") for page in site.rglob("*.html"))
        classes = set(" ".join(re.findall(r'class="([^"]*)"', pages)).split())
        css = stylesheet.read_text("utf-8")
        trimmed, _ = kept(
            cache_dir, lambda: ({"css": trim_css(css, classes)}, {}), _CODE, css, *sorted(classes)
        )
        stylesheet.write_text(trimmed["css"], "utf-8")
    for source_map in (site / "assets").rglob("*.map"):
        source_map.unlink()
        minified = source_map.with_suffix("")
        if minified.exists():
            text = minified.read_text(encoding="utf-8")
            minified.write_text(re.sub(r"\n?/[/*]# sourceMappingURL=\S+(?: \*/)?\s*$", "", text))
    # Material's search worker loads language files only for languages other than English.
    index = site / "search" / "search_index.json"
    lunr = site / "assets" / "javascripts" / "lunr"
    if index.exists() and lunr.is_dir():
        if json.loads(index.read_text(encoding="utf-8"))["config"]["lang"] == ["en"]:
            shutil.rmtree(lunr)


def trim_css(css: str, classes: set[str]) -> str:
    """Keep the rules of ``css`` whose selectors can match pages using only ``classes``.

    A selector is kept when every class it names (outside ``:not(...)``) is in ``classes``
    or is one of Material's (``md-*``); then the custom properties (``--name``) that nothing
    uses are dropped, and the rules left empty, until none is left.
    """
    css = _kept_rules(tinycss2.parse_stylesheet(css, skip_comments=True), classes)
    while (trimmed := _EMPTY_RULE.sub("", _without_unused_properties(css))) != css:
        css = trimmed
    return css


def _without_unused_properties(css: str) -> str:
    """``css`` without the declarations of custom properties that no ``var()`` uses."""
    used = set(re.findall(r"var\(\s*(--[\w-]+)", css))
    return _CUSTOM_PROPERTY.sub(lambda m: m[0] if m[1] in used else "", css)


def _kept_rules(rules: list[Any], classes: set[str]) -> str:
    """The serialised ``rules`` (and nested ones) with only the selectors that may match."""
    parts = []
    for rule in rules:
        if rule.type == "qualified-rule":
            # The selectors (split at the commas outside parentheses) naming only ``classes``
            # or Material's (md-*, which its JavaScript adds), ignoring those in :not(...).
            selectors = []
            for selector in re.split(r",(?![^(]*\))", tinycss2.serialize(rule.prelude)):
                outside_not = re.sub(r":not\([^)]*\)", "", selector)
                names = re.findall(r"\.(-?[_a-zA-Z][\w-]*)", outside_not)
                if all(name in classes or name.startswith("md-") for name in names):
                    selectors.append(selector.strip())
            if selectors:
                parts.append(f"{','.join(selectors)}{{{tinycss2.serialize(rule.content)}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports"):
            inner = _kept_rules(tinycss2.parse_rule_list(rule.content, skip_comments=True), classes)
            parts.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{inner}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword != "charset":
            parts.append(tinycss2.serialize([rule]))
    return "".join(parts)


_CODE = digest(Path(__file__).read_bytes(), tinycss2.__version__)
