"""The shared notebook stylesheet trimmed to what the built pages use, and other site fixes.

``finish_site(site_dir, cache_dir)`` runs from ``on_post_build``: it trims
``assets/stylesheets/notebook.css`` (written by :mod:`~tutorial_site.markup`) to the rules
the built pages can use (the result kept in ``cache_dir`` by the hash of its inputs), and
deletes Material's source maps and, for an English-only search, its search language files.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import tinycss2

from tutorial_site.cache import atomic_write, digest
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
        classes = set()
        for page in site.rglob("*.html"):
            for value in re.findall(r'class="([^"]*)"', page.read_text(encoding="utf-8")):
                classes.update(value.split())
        css = stylesheet.read_text("utf-8")
        key = digest(f"{_CODE} {css} {sorted(classes)}")
        kept = cache_dir / f"{key}.json" if cache_dir else None
        trimmed = _kept_css(kept) if kept else None  # from an earlier build, if intact
        if trimmed is None:
            trimmed = trim_css(css, classes)
            if kept:
                with contextlib.suppress(OSError):  # (a cache that cannot be written is no error)
                    atomic_write(kept, json.dumps({"css": trimmed, "sha256": digest(trimmed)}))
        stylesheet.write_text(trimmed, "utf-8")
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
    or is one of Material's (``md-*``); then the custom properties (``--name``) that no kept
    declaration uses are dropped.

    Args:
        css: A stylesheet.
        classes: The class names used by the pages it styles.

    Returns:
        The trimmed stylesheet.
    """
    css = _kept_rules(tinycss2.parse_stylesheet(css, skip_comments=True), classes)
    values: dict[str, list[str]] = {}
    for name, value in _CUSTOM_PROPERTY.findall(css):
        values.setdefault(name, []).append(value)
    used = set(_VAR.findall(_CUSTOM_PROPERTY.sub("", css)))
    while (
        more := {n for name in used for v in values.get(name, []) for n in _VAR.findall(v)} - used
    ):
        used |= more
    css = _CUSTOM_PROPERTY.sub(lambda m: m.group(0) if m.group(1) in used else "", css)
    while (trimmed := _EMPTY_RULE.sub("", css)) != css:  # rules left without declarations
        css = trimmed
    return css


#: A declaration's value: its strings and (nested) parentheses may hold ";" (data: URLs).
_VALUE = r"""(?:[^;{}()"']|"[^"]*"|'[^']*'|\((?:[^()"']|"[^"]*"|'[^']*'|\([^()]*\))*\))*"""
_CUSTOM_PROPERTY = re.compile(rf"(--[\w-]+)\s*:({_VALUE})(?:;|(?=\}}))")
_EMPTY_RULE = re.compile(r"[^{};]+\{[\s;]*\}")
_VAR = re.compile(r"var\(\s*(--[\w-]+)")


def _kept_rules(rules: list[Any], classes: set[str]) -> str:
    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            prelude = tinycss2.serialize(rule.prelude)
            # Split the selector list at the commas that are not inside parentheses.
            selectors = [s.strip() for s in re.split(r",(?![^(]*\))", prelude)]
            selectors = [s for s in selectors if _matches(s, classes)]
            if selectors:
                kept.append(f"{','.join(selectors)}{{{tinycss2.serialize(rule.content)}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports"):
            inner = _kept_rules(tinycss2.parse_rule_list(rule.content, skip_comments=True), classes)
            if inner:
                kept.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{inner}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword != "charset":
            kept.append(tinycss2.serialize([rule]))
    return "".join(kept)


def _matches(selector: str, classes: set[str]) -> bool:
    names = re.findall(r"\.(-?[_a-zA-Z][\w-]*)", re.sub(r":not\([^)]*\)", "", selector))
    # Material's JavaScript adds md-* classes in the browser (md-typeset__scrollwrap).
    return all(name in classes or name.startswith("md-") for name in names)


def _kept_css(kept: Path) -> str | None:
    """The trimmed CSS stored at ``kept`` (touched: used), or None if missing or damaged."""
    try:
        stored = json.loads(kept.read_text("utf-8"))
        if digest(stored["css"]) != stored["sha256"]:
            return None
        os.utime(kept)
        return str(stored["css"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


_CODE = digest(Path(__file__).read_text("utf-8") + tinycss2.__version__)
