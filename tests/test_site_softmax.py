"""The built site holds the six softmax pages, their figures, and plausible accuracies in prose."""

import re

import pytest
from bs4 import BeautifulSoup

# page -> minimum number of figures it draws
PAGES = {
    "image-classification-datasets": 2,
    "one-hot-encoding": 1,
    "cross-entropy": 1,
    "regression-losses": 1,
    "softmax-regression-scratch": 3,
    "softmax-regression-concise": 2,
}


def page_soup(site, name):
    path = site / "softmax" / name / "index.html"
    assert path.is_file(), f"{path} was not built"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def page_text(soup):
    return re.sub(r"\s+", " ", soup.get_text(" "))


LAST_EPOCH = r"epoch 10: loss \d\.\d{4}, train acc \d\.\d{4}, test acc (\d\.\d{4})"


def quoted(text, pattern):
    match = re.search(pattern, text)
    assert match, f"no match for {pattern!r} in the page's text"
    return float(match.group(1))


@pytest.mark.site
@pytest.mark.parametrize("name, num_figures", PAGES.items())
def test_page_is_built_with_its_figures(built_site, name, num_figures):
    soup = page_soup(built_site, name)
    assert len(soup.find_all("h1")) == 1
    figures = soup.select("figure.tl-figure") or soup.find_all("img")
    assert len(figures) >= num_figures
    for img in soup.find_all("img"):
        if img.get("src", "").startswith("data:image/png"):
            assert img.get("alt", "").strip(), f"an image on {name} has no alt text"
    assert len(soup.select('img[src^="data:image/png"]')) >= num_figures
    assert "Traceback" not in page_text(soup)


@pytest.mark.site
def test_scratch_accuracy_in_prose_is_plausible_and_from_the_run(built_site):
    text = page_text(page_soup(built_site, "softmax-regression-scratch"))
    test_acc = quoted(text, r"final test accuracy is (\d\.\d{4})")
    assert 0.80 <= test_acc <= 1.0
    # the same number was printed by the training loop of the same run
    last_epoch = re.findall(
        r"epoch 10: loss \d\.\d{4}, train acc \d\.\d{4}, test acc (\d\.\d{4})", text
    )
    assert last_epoch and float(last_epoch[-1]) == test_acc


@pytest.mark.site
def test_concise_and_mnist_accuracies_in_prose_are_plausible(built_site):
    text = page_text(page_soup(built_site, "softmax-regression-concise"))
    concise = quoted(text, r"concise model reaches a Fashion-MNIST test accuracy of (\d\.\d{4})")
    scratch = quoted(text, r"from-scratch model re-run here (\d\.\d{4})")
    mnist = quoted(text, r"On MNIST the same code reaches a test accuracy of (\d\.\d{4})")
    assert 0.80 <= concise <= 1.0
    assert 0.80 <= scratch <= 1.0
    assert 0.90 <= mnist <= 1.0
    # the comparison table quotes the same test accuracies
    table_rows = [
        row.get_text(" ")
        for row in page_soup(built_site, "softmax-regression-concise").find_all("tr")
    ]
    assert any(f"{concise:.4f}" in row and "concise" in row for row in table_rows)
    assert any(f"{scratch:.4f}" in row and "scratch" in row for row in table_rows)
    last_epoch = re.findall(
        r"epoch 10: loss \d\.\d{4}, train acc \d\.\d{4}, test acc (\d\.\d{4})", text
    )
    assert last_epoch and float(last_epoch[0]) == concise
