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
    "softmax-regression-scratch": 4,
    "softmax-regression-concise": 2,
}

NUMBER = r"(\d+\.\d+)"
LAST_EPOCH = r"epoch 10: loss (\d\.\d{4}), train acc (\d\.\d{4}), test acc (\d\.\d{4})"


def page_soup(site, name):
    path = site / "softmax" / name / "index.html"
    assert path.is_file(), f"{path} was not built"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def page_text(soup):
    return re.sub(r"\s+", " ", soup.get_text(" "))


def quoted(text, pattern, group=1):
    match = re.search(pattern, text)
    assert match, f"no match for {pattern!r} in the page's text"
    return float(match.group(group).replace(",", ""))


def is_figure_image(img):
    src = img.get("src", "")
    return src.startswith("data:image/png") or src.split("?")[0].endswith(".png")


@pytest.mark.site
@pytest.mark.parametrize("name, num_figures", PAGES.items())
def test_page_is_built_with_its_figures(built_site, name, num_figures):
    soup = page_soup(built_site, name)
    assert len(soup.find_all("h1")) == 1
    images = [img for img in soup.find_all("img") if is_figure_image(img)]
    for img in images:
        assert img.get("alt", "").strip(), f"an image on {name} has no alt text"
    # each figure is drawn for the light and the dark scheme, so count the figures
    figures = soup.select("figure.tl-figure")
    assert len(figures) >= num_figures
    assert all(fig.find("img") is not None for fig in figures)
    assert len(images) >= num_figures
    assert "Traceback" not in page_text(soup)


@pytest.mark.site
def test_scratch_accuracy_in_prose_is_plausible_and_from_the_run(built_site):
    text = page_text(page_soup(built_site, "softmax-regression-scratch"))
    test_acc = quoted(text, r"final test accuracy is (\d\.\d{4})")
    assert 0.80 <= test_acc <= 1.0
    # the same number was printed by the training loop of the same run
    last_epoch = re.findall(LAST_EPOCH, text)
    assert last_epoch and float(last_epoch[-1][2]) == test_acc
    # the exercise continued the same training for five more epochs
    assert re.search(r"epoch 15: loss \d\.\d{4}, train acc \d\.\d{4}, test acc \d\.\d{4}", text)


@pytest.mark.site
def test_scratch_untrained_model_is_explained_with_its_numbers(built_site):
    text = page_text(page_soup(built_site, "softmax-regression-scratch"))
    initial = quoted(text, r"Before training, the model's test accuracy is (\d\.\d{4})")
    ratio = quoted(text, r"test accuracy is \d\.\d{4} , (\d\.\d{2}) times the 0\.1 of guessing")
    assert initial < 0.1, "the page explains an accuracy below chance"
    assert ratio == pytest.approx(initial / 0.1, abs=0.006)
    share = quoted(text, r"win for (\d+)% of the test images") / 100
    assert share > 0.5
    # the bar chart of the predicted classes gives its counts in its alt text
    soup = page_soup(built_site, "softmax-regression-scratch")
    alts = [img.get("alt", "") for img in soup.find_all("img")]
    assert any(alt.startswith("Classes predicted by the untrained model") for alt in alts)


@pytest.mark.site
def test_concise_and_mnist_accuracies_in_prose_are_plausible(built_site):
    soup = page_soup(built_site, "softmax-regression-concise")
    text = page_text(soup)
    concise = quoted(text, r"concise model reaches a Fashion-MNIST test accuracy of (\d\.\d{4})")
    scratch = quoted(text, r"from-scratch model re-run here (\d\.\d{4})")
    mnist = quoted(text, r"On MNIST the same code reaches a test accuracy of (\d\.\d{4})")
    assert 0.80 <= concise <= 1.0
    assert 0.80 <= scratch <= 1.0
    assert 0.90 <= mnist <= 1.0
    # the comparison table quotes the same test accuracies
    table_rows = [row.get_text(" ") for row in soup.find_all("tr")]
    assert any(f"{concise:.4f}" in row and "concise" in row for row in table_rows)
    assert any(f"{scratch:.4f}" in row and "scratch" in row for row in table_rows)
    last_epoch = re.findall(LAST_EPOCH, text)
    assert last_epoch and float(last_epoch[0][2]) == concise


@pytest.mark.site
def test_concise_rerun_repeats_the_scratch_page(built_site):
    """The concise page says its re-run repeats the scratch page's training: same numbers."""
    scratch_text = page_text(page_soup(built_site, "softmax-regression-scratch"))
    loss, train_acc, test_acc = map(float, re.findall(LAST_EPOCH, scratch_text)[0])
    soup = page_soup(built_site, "softmax-regression-concise")
    row = next(row.get_text(" ") for row in soup.find_all("tr") if "from scratch" in row.get_text())
    row_numbers = [float(x) for x in re.findall(r"\d\.\d{4}", row)]
    assert row_numbers[:3] == pytest.approx([loss, train_acc, test_acc], abs=0.002)


@pytest.mark.site
def test_concise_shows_the_train_ch3_bookkeeping_factor(built_site):
    text = page_text(page_soup(built_site, "softmax-regression-concise"))
    true_loss = quoted(text, r"reported training loss is (\d\.\d{4}) with note 001's")
    shown_loss = quoted(text, r"and (\d\.\d{6}) with note 003's default mean")
    factor = quoted(text, r"default mean: " + NUMBER + " times smaller")
    assert factor == pytest.approx(256, rel=1e-3)
    assert true_loss / shown_loss == pytest.approx(factor, rel=1e-3)
    # the notes are quoted by file name, and the invented snippet is gone
    assert "001_f3c756109ef103f7.txt" in text and "003_caa373518ddb2a8d.txt" in text
    assert "super(Net)" not in text
