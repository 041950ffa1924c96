"""Reading comfort in a real browser (Chromium): code that fits, phones, focus and contrast.

Every page in the nav, in the light and the dark scheme where colours matter:

- at 1280x900 no code cell's input scrolls sideways (page code is written to 72 columns);
- on a 390x844 phone there is no prompt column, code cells and figures use the content
  column, wide tables and formulas scroll inside their own box (with a shadow that shows
  there is more) and the page itself never scrolls sideways;
- text outputs break lines at spaces, never inside a number;
- keyboard focus shows a ring of at least 2 px on every link and button, and notebook
  wrappers are not tab stops;
- code comments and text outputs have a contrast of at least 4.5:1, and notebook code cells
  use Material's code background, font and size.

The measuring scripts are plain JavaScript functions (``*_JS``), so that they can also be run
on another build (the figures before and after a change).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, VIEWPORTS, Session, nav_pages, served

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [pytest.mark.site, pytest.mark.browser]

#: The notebook page whose tab stops the issue counted (27 of 47 were notebook wrappers).
TAB_PAGE = "softmax/cross-entropy/"

#: Code boxes: a notebook code cell's input, its text outputs, and Markdown code blocks
#: (``<pre>`` outside notebook code cells, e.g. quoted notes); each lists its too-wide lines.
OVERFLOW_JS = """() => {
  const wide = box => [box, ...box.querySelectorAll('.highlight-ipynb, pre, code')]
    .some(el => el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1);
  const longest = box => box.innerText.split('\\n')
    .reduce((a, b) => (b.length > a.length ? b : a), '').slice(0, 100);
  const article = document.querySelector('article');
  const inputs = [...article.querySelectorAll('.jp-CodeCell .jp-InputArea-editor')];
  const outputs = [...article.querySelectorAll('.jp-OutputArea-output pre')];
  const markdown = [...article.querySelectorAll('pre')]
    .filter(pre => !pre.closest('.jp-CodeCell .jp-InputArea-editor, .jp-OutputArea'));
  const report = boxes => ({count: boxes.length, wide: boxes.filter(wide).map(longest)});
  return {inputs: report(inputs), outputs: report(outputs), markdown: report(markdown)};
}"""

#: Phone layout: widths relative to the content column, prompts, wide boxes.
PHONE_JS = """() => {
  const article = document.querySelector('article.md-content__inner');
  const style = getComputedStyle(article);
  const box = article.getBoundingClientRect();
  const left = box.left + parseFloat(style.paddingLeft);
  const right = box.right - parseFloat(style.paddingRight);
  const column = right - left;
  const inner = el => {
    const s = getComputedStyle(el);
    return el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
  };
  const shown = el => el.getClientRects().length > 0;
  const width = el => el.getBoundingClientRect().width;
  const label = el => (el.innerText || el.alt || el.className || el.tagName).trim()
    .split('\\n')[0].slice(0, 60);
  const scrolls = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const affordance = el => {
    const s = getComputedStyle(el);
    return s.backgroundImage.includes('gradient') || s.boxShadow !== 'none';
  };
  const wideBoxes = [];
  for (const el of article.querySelectorAll('table, .katex-display')) {
    if (!shown(el)) continue;
    // The box that scrolls: Material's wrapper of a table, or the element itself.
    const scroller = el.closest('.md-typeset__scrollwrap') || el;
    const rect = scroller.getBoundingClientRect();
    const clipped = scroller.scrollWidth > scroller.clientWidth + 1;
    wideBoxes.push({
      what: el.tagName === 'TABLE' ? 'table' : 'formula', text: label(el),
      outside: rect.left < -1 || rect.right > window.innerWidth + 1,
      clipped, scrolls: scrolls(scroller), affordance: affordance(scroller),
    });
  }
  return {
    column,
    pageWidth: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    prompts: [...article.querySelectorAll('.jp-InputPrompt, .jp-OutputPrompt')]
      .filter(el => shown(el) && width(el) > 0 && el.innerText.trim()).length,
    // A code cell inside a collapsible block or an admonition is measured against it.
    codeCells: [...article.querySelectorAll('.jp-CodeCell .jp-InputArea-editor')]
      .filter(shown).map(el => {
        const block = el.closest('details, .admonition');
        const room = block ? inner(block) : column;
        return {text: label(el), ratio: width(el) / room};
      }),
    figures: [...article.querySelectorAll('figure.tl-figure img')]
      .filter(shown).map(el => ({text: label(el), ratio: width(el) / column})),
    wideBoxes,
  };
}"""

#: Numbers in text outputs whose characters end up on two lines (via the line boxes of a
#: Range over each number), and the outputs' computed word-break.
NUMBER_BREAKS_JS = """() => {
  const broken = [];
  const wordBreaks = new Set();
  for (const pre of document.querySelectorAll('article .jp-OutputArea-output pre')) {
    wordBreaks.add(getComputedStyle(pre).wordBreak + '/' + getComputedStyle(pre).overflowWrap);
    const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/[-+]?\\d[\\d.]*(?:e[-+]?\\d+)?/g)) {
        if (match[0].length < 2) continue;
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  }
  return {broken, wordBreaks: [...wordBreaks]};
}"""

#: The element that has keyboard focus: what it is, and how its focus is drawn.
FOCUSED_JS = """() => {
  let el = document.activeElement;
  if (!el || el === document.body) return null;
  if (el.dataset.tlTabStop) return {seen: true};
  el.dataset.tlTabStop = 'seen';
  const rgba = text => {
    const m = text.match(/[\\d.]+/g) || ['0', '0', '0', '0'];
    return [+m[0], +m[1], +m[2], m.length > 3 ? +m[3] : 1];
  };
  const backdrop = start => {
    // Composite the backgrounds from the element up to the page's (white if none).
    const layers = [];
    for (let e = start; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let color = [255, 255, 255];
    for (const c of layers.reverse()) color = color.map((v, i) => c[i] * c[3] + v * (1 - c[3]));
    return color;
  };
  const wrapper = !!el.closest('.jupyter-wrapper') && (el.matches(
    '.jp-Cell-inputWrapper, .jp-Cell-outputWrapper, .jp-OutputArea-output, .jp-Cell, ' +
    '.jp-InputArea, .jp-OutputArea, .jp-RenderedText, .jp-RenderedMarkdown'));
  // Material's palette toggles are visually hidden radio buttons: the label after the
  // focused one (the button that is shown) draws its focus.
  const shownBy = el.matches('input.md-option') && el.nextElementSibling
    ? el.nextElementSibling : el;
  const s = getComputedStyle(shownBy);
  return {
    seen: false, tag: el.tagName.toLowerCase(), cls: String(el.className).slice(0, 60),
    text: (el.innerText || el.getAttribute('aria-label') || el.title || '').trim().slice(0, 40),
    href: el.getAttribute('href'), wrapper,
    control: el.matches('a[href], button, [role=button], summary, label, input, clipboard-copy'),
    scrolls: el.scrollWidth > el.clientWidth + 1,
    outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth),
    outlineColor: rgba(s.outlineColor), boxShadow: s.boxShadow,
    backdrop: backdrop(shownBy.parentElement || shownBy),
  };
}"""

#: Contrast of code comments and text outputs with what is behind them, and the code cells'
#: computed background, font and size next to a Markdown code block's (a probe added to the
#: article, styled by Material).
CONTRAST_JS = """() => {
  const rgba = text => {
    const m = text.match(/[\\d.]+/g) || ['0', '0', '0', '0'];
    return [+m[0], +m[1], +m[2], m.length > 3 ? +m[3] : 1];
  };
  const backdrop = start => {
    const layers = [];
    for (let e = start; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let color = [255, 255, 255];
    for (const c of layers.reverse()) color = color.map((v, i) => c[i] * c[3] + v * (1 - c[3]));
    return color;
  };
  const luminance = c => {
    const [r, g, b] = c.map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = el => {
    const back = backdrop(el);
    const fg = rgba(getComputedStyle(el).color);
    const text = fg.slice(0, 3).map((v, i) => v * fg[3] + back[i] * (1 - fg[3]));
    const [a, b] = [luminance(text), luminance(back)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  };
  const worst = (selector, kind) => {
    let min = null;
    for (const el of document.querySelectorAll(selector)) {
      if (!el.getClientRects().length || !el.textContent.trim()) continue;
      const r = ratio(el);
      if (!min || r < min.ratio) min = {kind, ratio: r, text: el.textContent.trim().slice(0, 50)};
    }
    return min;
  };
  const article = document.querySelector('article');
  const probe = document.createElement('pre');
  probe.innerHTML = '<code>x = 1</code>';
  article.appendChild(probe);
  const look = el => {
    const s = getComputedStyle(el);
    return {background: backdrop(el).map(Math.round).join(','), fontSize: s.fontSize,
            fontFamily: s.fontFamily};
  };
  const material = look(probe.firstChild);
  probe.remove();
  const cell = document.querySelector('article .jp-CodeCell .highlight-ipynb pre');
  const quoted = document.querySelector('article .jp-RenderedMarkdown .highlight pre');
  return {
    worst: [
      worst('article .highlight-ipynb :is(.c, .c1, .ch, .cm, .cs, .sd)', 'notebook comment'),
      worst('article .highlight :is(.c, .c1, .ch, .cm, .cs, .sd)', 'Markdown comment'),
      worst('article .jp-OutputArea-output pre', 'text output'),
      worst('article .highlight-ipynb pre span', 'any notebook code token'),
    ].filter(Boolean),
    material, notebook: cell && look(cell), markdownCell: quoted && look(quoted),
  };
}"""


@pytest.fixture(scope="module")
def site(built_site: Path) -> Iterator[tuple[str, list[str]]]:
    """The built site served on 127.0.0.1: its base URL and its nav pages."""
    with served(built_site) as base_url:
        yield base_url, nav_pages(built_site, base_url)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def open_page(browser, base_url: str, device: str, scheme: str = "light") -> Session:
    context = browser.new_context(viewport=VIEWPORTS[device], color_scheme=scheme)
    return Session(context.new_page(), base_url)


def load_figures(session: Session) -> None:
    """Load the lazily loaded figures now (they are sized before they arrive anyway)."""
    session.page.evaluate(
        """() => document.querySelectorAll('img[loading=lazy]')
            .forEach(img => { img.loading = 'eager'; })"""
    )
    session.page.wait_for_function(
        "() => [...document.images].filter(i => i.getClientRects().length).every(i => i.complete)"
    )


#: What is measured on every page, per screen and colour scheme (one visit per page each).
MEASURES = {
    ("desktop", "light"): {
        "overflow": OVERFLOW_JS,
        "numbers": NUMBER_BREAKS_JS,
        "contrast": CONTRAST_JS,
    },
    ("desktop", "dark"): {"contrast": CONTRAST_JS},
    ("phone", "light"): {"phone": PHONE_JS, "numbers": NUMBER_BREAKS_JS},
    ("phone", "dark"): {"phone": PHONE_JS},
}


@pytest.fixture(scope="module")
def measured(browser, site) -> Callable[[str, str, str], list[tuple[str, dict]]]:
    """``measured(device, scheme, measure)``: [(url, result)] for every nav page."""
    base_url, urls = site
    cache: dict[tuple[str, str], dict[str, list[tuple[str, dict]]]] = {}

    def get(device: str, scheme: str, measure: str) -> list[tuple[str, dict]]:
        if (device, scheme) not in cache:
            scripts = MEASURES[device, scheme]
            results: dict[str, list[tuple[str, dict]]] = {name: [] for name in scripts}
            session = open_page(browser, base_url, device, scheme)
            for url in urls:
                session.goto(url)
                load_figures(session)
                for name, script in scripts.items():
                    results[name].append((url, session.page.evaluate(script)))
            session.page.context.close()
            cache[device, scheme] = results
        return cache[device, scheme][measure]

    return get


def test_no_code_cell_scrolls_sideways_at_1280(measured):
    problems = [
        f"{url}: {line!r}"
        for url, found in measured("desktop", "light", "overflow")
        for line in found["inputs"]["wide"]
    ]
    assert not problems, f"{len(problems)} code cells scroll sideways:\n" + "\n".join(problems)


def phone_problems(layout: dict, url: str) -> list[str]:
    """What is wrong with one page's phone layout, as measured by ``PHONE_JS``."""
    problems = []
    if layout["pageWidth"] > layout["viewport"]:
        problems.append(f"the page scrolls sideways ({layout['pageWidth']} px wide)")
    if layout["prompts"]:
        problems.append(f"{layout['prompts']} prompts (In [n]:/Out[n]:) take a column")
    for cell in layout["codeCells"]:
        if cell["ratio"] < 0.95:
            problems.append(f"code cell at {cell['ratio']:.0%} of the column: {cell['text']!r}")
    for figure in layout["figures"]:
        if figure["ratio"] < 0.9:
            problems.append(f"figure at {figure['ratio']:.0%} of the column: {figure['text']!r}")
    for box in layout["wideBoxes"]:
        if box["outside"]:
            problems.append(f"{box['what']} sticks out of the screen: {box['text']!r}")
        elif box["clipped"] and not (box["scrolls"] and box["affordance"]):
            problems.append(f"{box['what']} is cut off without a scroll cue: {box['text']!r}")
    return [f"{url}: {problem}" for problem in problems]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_phone_layout(measured, scheme: str):
    layouts = measured("phone", scheme, "phone")
    assert sum(len(layout["figures"]) for _, layout in layouts), "no figures: stale selector?"
    assert sum(len(layout["wideBoxes"]) for _, layout in layouts), "no formulas: stale selector?"
    problems = [problem for url, layout in layouts for problem in phone_problems(layout, url)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_text_outputs_never_break_inside_a_number(measured, device: str):
    problems, styles = [], set()
    for url, found in measured(device, "light", "numbers"):
        styles.update(found["wordBreaks"])
        problems += [f"{url}: {number!r} is split over two lines" for number in found["broken"]]
    assert styles, "no text outputs found: the selector is stale"
    assert not any(s.startswith("break-all") or s.endswith("anywhere") for s in styles), styles
    assert not problems, "\n".join(problems)


def tab_stops(session: Session, limit: int = 400) -> list[dict]:
    """Press Tab from the top of the page until focus comes back round; what got focus."""
    page = session.page
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    stops: list[dict] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED_JS)
        if stop is None:
            if stops:
                break
            continue
        if stop["seen"]:
            break
        stops.append(stop)
    return stops


def relative_luminance(rgb: list[float]) -> float:
    channels = [c / 255 for c in rgb[:3]]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: list[float], b: list[float]) -> float:
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def focus_problems(stop: dict) -> list[str]:
    """Why a tab stop is not acceptable: a notebook wrapper, or no visible focus ring."""
    name = f"{stop['tag']}.{stop['cls']} {stop['text']!r}"
    if stop["wrapper"] and not stop["scrolls"]:
        return [f"notebook wrapper is a tab stop: {name}"]
    if not (stop["control"] or stop["scrolls"]):
        return []
    ring = stop["outlineStyle"] != "none" and stop["outlineWidth"] >= 2
    shadow = stop["boxShadow"] not in ("", "none")
    if not (ring or shadow):
        return [f"no focus ring ({stop['outlineStyle']} {stop['outlineWidth']}px): {name}"]
    if ring and contrast(stop["outlineColor"], stop["backdrop"]) < 3:
        ratio = contrast(stop["outlineColor"], stop["backdrop"])
        return [f"focus ring contrast {ratio:.2f}:1 against its background: {name}"]
    return []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_keyboard_focus_is_visible_and_skips_notebook_wrappers(browser, site, scheme: str):
    base_url, urls = site
    url = base_url + TAB_PAGE
    if url not in urls:
        pytest.skip(f"{TAB_PAGE} is not in the nav")
    session = open_page(browser, base_url, "desktop", scheme)
    session.goto(url)
    stops = tab_stops(session)
    session.page.context.close()
    links = [stop for stop in stops if stop["tag"] == "a" and stop["href"]]
    assert len(links) >= 10, f"only {len(stops)} tab stops reached: {stops[:5]}"
    problems = [problem for stop in stops for problem in focus_problems(stop)]
    assert not problems, f"{len(stops)} tab stops:\n" + "\n".join(problems)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_code_contrast_and_material_code_style(measured, scheme: str):
    problems, kinds, notebooks = [], set(), 0
    for url, found in measured("desktop", scheme, "contrast"):
        for worst in found["worst"]:
            kinds.add(worst["kind"])
            if worst["kind"] != "any notebook code token" and worst["ratio"] < 4.5:
                ratio, text = worst["ratio"], worst["text"]
                problems.append(f"{url}: {worst['kind']} at {ratio:.2f}:1 {text!r}")
        notebooks += bool(found["notebook"])
        for name, box in (
            ("code cell", found["notebook"]),
            ("code in a Markdown cell", found["markdownCell"]),
        ):
            for key, value in found["material"].items():
                if box and box[key] != value:
                    problems.append(f"{url}: {name} {key} {box[key]!r}, Material's {value!r}")
    assert notebooks and {"notebook comment", "text output"} <= kinds, kinds
    assert not problems, "\n".join(problems)


def test_focus_checker_reports_each_problem():
    ring = {"outlineStyle": "solid", "outlineWidth": 2.0, "outlineColor": [0, 0, 0, 1]}
    base = {
        "tag": "a",
        "cls": "",
        "text": "x",
        "wrapper": False,
        "control": True,
        "scrolls": False,
        "boxShadow": "none",
        "backdrop": [255, 255, 255],
        **ring,
    }
    assert focus_problems(base) == []
    assert focus_problems({**base, "outlineStyle": "none"})
    assert focus_problems({**base, "outlineWidth": 1.0})
    assert focus_problems({**base, "outlineColor": [250, 250, 250, 1]})
    assert focus_problems({**base, "tag": "div", "control": False, "wrapper": True})
    assert not focus_problems({**base, "outlineStyle": "none", "boxShadow": "0 0 0 2px red"})


def test_phone_checker_reports_each_problem():
    good = {
        "pageWidth": 390,
        "viewport": 390,
        "prompts": 0,
        "column": 358,
        "codeCells": [{"text": "x", "ratio": 1.0}],
        "figures": [{"text": "f", "ratio": 1.0}],
        "wideBoxes": [
            {
                "what": "formula",
                "text": "f",
                "outside": False,
                "clipped": True,
                "scrolls": True,
                "affordance": True,
            }
        ],
    }
    assert phone_problems(good, "u") == []
    box = good["wideBoxes"][0]
    for change in (
        {"pageWidth": 500},
        {"prompts": 3},
        {"codeCells": [{"text": "x", "ratio": 0.68}]},
        {"figures": [{"text": "f", "ratio": 0.71}]},
        {"wideBoxes": [{**box, "affordance": False}]},
        {"wideBoxes": [{**box, "outside": True}]},
    ):
        assert phone_problems({**good, **change}, "u"), change
