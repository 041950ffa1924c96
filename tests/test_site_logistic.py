"""The built logistic chapter holds its executed outputs: figures, printed numbers, prose."""

import base64
import math
import re

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.site

PILOT = "logistic/logistic-regression/index.html"
CHAPTER = [
    "logistic/logistic-function/index.html",
    PILOT,
    "logistic/gradient-descent/index.html",
]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def soup_of(site, path):
    page = site / path
    assert page.is_file(), f"{path} is missing from the built site"
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


def outputs(soup, mime):
    return [
        area for area in soup.select(".jp-OutputArea-output") if area.get("data-mime-type") == mime
    ]


def printed_text(soup):
    return "\n".join(area.get_text() for area in outputs(soup, "text/plain"))


def figure_images(soup):
    """<img> elements of figures inside executed outputs (not the page chrome).

    A figure is an inline PNG (``data:image/png;base64,...``) or a PNG file of the site.
    """
    images = []
    for area in soup.select(".jp-OutputArea-output"):
        for img in area.find_all("img"):
            src = img.get("src", "")
            if src.startswith("data:image/png;base64,") or src.split("?")[0].endswith(".png"):
                images.append(img)
    return images


def image_bytes(site, page_path, img):
    """The PNG bytes of a figure <img>: decoded inline data or the file it points to."""
    src = img["src"]
    if src.startswith("data:"):
        return base64.b64decode(src.split(",", 1)[1])
    target = (site / page_path).parent / src.split("?")[0]
    assert target.is_file(), f"figure file {src} of {page_path} is missing"
    return target.read_bytes()


def printed_number(text, label):
    match = re.search(rf"^{re.escape(label)} = (-?\d+\.\d+)\s*$", text, flags=re.MULTILINE)
    assert match, f"no printed line '{label} = <number>' in the page's output:\n{text}"
    return float(match.group(1))


@pytest.fixture(scope="module")
def pilot(built_site):
    return soup_of(built_site, PILOT)


def test_pilot_prints_w_b_and_p4h_and_quotes_them_in_prose(pilot):
    text = printed_text(pilot)
    w = printed_number(text, "w")
    b = printed_number(text, "b")
    p_4h = printed_number(text, "p(4 h)")
    assert w > 0
    assert 0.5 < p_4h < 1

    prose = [area.get_text(" ", strip=True) for area in outputs(pilot, "text/markdown")]
    quoting = [p for p in prose if "p(4 h)" in p]
    assert quoting, "no rendered Markdown output quotes p(4 h)"
    sentence = quoting[0]
    for label, value in (("w", w), ("b", b), ("p(4 h)", p_4h)):
        assert f"{label} = {value:.4f}" in sentence, f"prose does not quote {label} = {value:.4f}"

    # The decision boundary quoted in the prose is -b/w of the printed numbers.
    match = re.search(r"-b/w\$?\s*=\s*(-?\d+\.\d{4})", sentence)
    assert match, f"prose does not quote the decision boundary: {sentence}"
    assert float(match.group(1)) == pytest.approx(-b / w, abs=2e-3)
    # The quoted model is consistent: sigmoid(4 w + b) is the printed p(4 h).
    assert 1 / (1 + math.exp(-(4 * w + b))) == pytest.approx(p_4h, abs=1e-3)


def test_pilot_shows_the_pass_curve_as_an_image(built_site, pilot):
    images = figure_images(pilot)
    assert images, "the pilot page has no figure image in its outputs"
    curves = [
        img
        for img in images
        if "Probability curve" in img.get("alt", "") and "hours studied" in img["alt"]
    ]
    assert curves, f"no figure with alt text about the pass curve: {images}"
    # The pass curve's alt text quotes the run's decision boundary and p(4 h).
    text = printed_text(pilot)
    w, b = printed_number(text, "w"), printed_number(text, "b")
    p_4h = printed_number(text, "p(4 h)")
    alt = curves[0]["alt"]
    match = re.search(r"decision boundary is at hours studied = (-?\d+\.\d{2})", alt)
    assert match, f"the pass curve's alt text does not give the boundary: {alt}"
    assert float(match.group(1)) == pytest.approx(-b / w, abs=0.01)
    assert f"p(4 h) = {p_4h:.2f}" in alt, alt
    data = image_bytes(built_site, PILOT, curves[0])
    assert data.startswith(PNG_MAGIC) and len(data) > 5000


@pytest.mark.parametrize("path", CHAPTER)
def test_chapter_pages_have_figures_and_no_errors(built_site, path):
    soup = soup_of(built_site, path)
    assert len(soup.find_all("h1")) == 1
    assert figure_images(soup), f"{path} shows no figure"
    assert all(img.get("alt", "").strip() for img in figure_images(soup))
    assert not outputs(soup, "application/vnd.jupyter.stderr"), f"{path} printed to stderr"
    assert not soup.select(".jp-OutputArea-output[data-mime-type*='error']")


def test_pilot_runs_the_notes_code_and_shows_its_real_errors(pilot):
    text = printed_text(pilot)
    # Note 000's model: super() without self, forward() without x.
    assert "AttributeError: cannot assign module before Module.__init__() call" in text
    assert "TypeError: LinearModel.forward() takes 1 positional argument but 2 were given" in text
    # Note 002's code without `import torch`.
    assert "NameError: name 'torch' is not defined" in text
    # size_average=False warns; F.sigmoid does not (torch 2.14.1).
    assert "UserWarning: size_average and reduce args will be deprecated" in text
    assert "F.sigmoid: 0 warnings" in text
    # .view fails on a transpose where reshape copies.
    assert "view: RuntimeError: view size is not compatible" in text


@pytest.mark.parametrize("path", CHAPTER)
def test_chapter_pages_end_with_summary_exercises_and_next(built_site, path):
    soup = soup_of(built_site, path)
    headings = [h.get_text(" ", strip=True).rstrip("¶ ") for h in soup.find_all("h2")]
    assert "Summary" in headings and "Exercises" in headings, headings
    assert headings.index("Summary") < headings.index("Exercises")
    text = soup.get_text(" ", strip=True)
    numbers = [int(n) for n in re.findall(r"Exercise (\d+)\.", text)]
    assert 3 <= len(numbers) <= 5 and numbers == list(range(1, len(numbers) + 1)), numbers
    solutions = [int(n) for n in re.findall(r"Solution (\d+)\.", text)]
    assert solutions == numbers, solutions
    assert re.search(r"Next: .+", text), f"{path} has no closing 'Next:' sentence"
