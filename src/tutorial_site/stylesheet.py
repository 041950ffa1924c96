"""Site fixes after the build (``on_post_build``): notebook CSS trimmed, no source maps.

Trimming the 600 KB of JupyterLab's CSS (written by :mod:`~tutorial_site.markup`) takes half
a second: the result is kept in ``cache_dir``, by the hash of its inputs.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import tinycss2

from tutorial_site.cache import Damaged, digest, load_json, save_json
from tutorial_site.markup import STYLESHEET


def finish_site(site_dir: str, cache_dir: Path | None = None) -> None:
    """Trim the shared notebook CSS; delete source maps and unneeded search language files.

    Args:
        site_dir: The built site's folder (after the search plugin wrote its index).
        cache_dir: Where trimmed stylesheets are kept between builds (None: not kept).
    """
    site = Path(site_dir)
    stylesheet = site / STYLESHEET
    if stylesheet.exists():
        pages = "".join(page.read_text(encoding="utf-8") for page in site.rglob("*.html"))
        classes = set(" ".join(re.findall(r'class="([^"]*)"', pages)).split())
        css = stylesheet.read_text("utf-8")
        stylesheet.write_text(_trimmed(css, classes, cache_dir), "utf-8")
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


def _trimmed(css: str, classes: set[str], cache_dir: Path | None) -> str:
    """``trim_css(css, classes)``, kept in ``cache_dir`` (an intact earlier result is used)."""
    if cache_dir is None:
        return trim_css(css, classes)
    entry = cache_dir / f"{digest(_CODE, css, *sorted(classes))}.json"
    with contextlib.suppress(Damaged):
        kept = load_json(entry)
        if kept is not None:
            return str(kept["css"])
    trimmed = trim_css(css, classes)
    with contextlib.suppress(OSError):  # (a cache that cannot be written is no error)
        save_json(entry, {"css": trimmed})
    return trimmed


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


#: A declaration's value: its strings and (nested) parentheses may hold ";" (data: URLs).
_VALUE = r"""(?:[^;{}()"']|"[^"]*"|'[^']*'|\((?:[^()"']|"[^"]*"|'[^']*'|\([^()]*\))*\))*"""
_CUSTOM_PROPERTY = re.compile(rf"(--[\w-]+)\s*:({_VALUE})(?:;|(?=\}}))")
_EMPTY_RULE = re.compile(r"[^{};]+\{[\s;]*\}")
_VAR = re.compile(r"var\(\s*(--[\w-]+)")


def _kept_rules(rules: list[Any], classes: set[str]) -> str:
    """The serialised ``rules`` (and nested ones) with only the selectors that may match."""
    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            # Split the selector list at the commas that are not inside parentheses.
            selectors = re.split(r",(?![^(]*\))", tinycss2.serialize(rule.prelude))
            selectors = [s.strip() for s in selectors if _matches(s, classes)]
            if selectors:
                kept.append(f"{','.join(selectors)}{{{tinycss2.serialize(rule.content)}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports"):
            inner = _kept_rules(tinycss2.parse_rule_list(rule.content, skip_comments=True), classes)
            kept.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{inner}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword != "charset":
            kept.append(tinycss2.serialize([rule]))
    return "".join(kept)


def _without_unused_properties(css: str) -> str:
    """``css`` without the declarations of custom properties that no ``var()`` uses."""
    used = set(_VAR.findall(css))
    return _CUSTOM_PROPERTY.sub(lambda m: m.group(0) if m.group(1) in used else "", css)


def _matches(selector: str, classes: set[str]) -> bool:
    """Whether ``selector`` names only ``classes`` or Material's (outside ``:not(...)``)."""
    names = re.findall(r"\.(-?[_a-zA-Z][\w-]*)", re.sub(r":not\([^)]*\)", "", selector))
    # Material's JavaScript adds md-* classes in the browser (md-typeset__scrollwrap).
    return all(name in classes or name.startswith("md-") for name in names)


_CODE = digest(Path(__file__).read_bytes(), tinycss2.__version__)
