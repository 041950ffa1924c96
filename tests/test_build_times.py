"""The generated computation-times page, and execution-time budgets that fail the build."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

FAST = 'print("fast")'
#: Burns 1.5 s of CPU time (the budget counts the kernel's CPU time, not sleeping).
SLOW = """
    import time

    start = time.process_time()
    while time.process_time() - start < 1.5:
        pass
"""


def check(result) -> None:
    assert result.returncode == 0, f"build failed:\n{result.stdout}\n{result.stderr}"


def times_table(site) -> dict[str, dict[str, str]]:
    soup = BeautifulSoup(
        (site.site / "computation-times" / "index.html").read_text(), "html.parser"
    )
    table = soup.find("table")
    header = [th.get_text(strip=True) for th in table.find_all("th")]
    rows = {}
    for tr in table.find("tbody").find_all("tr"):
        cells = dict(zip(header, (td for td in tr.find_all("td")), strict=True))
        link = cells["Page"].find("a")
        rows[link["href"]] = {name: td.get_text(strip=True) for name, td in cells.items()}
    return rows


@pytest.fixture
def site(mini_site):
    mini_site.write_page("chapter/fast.py", "Fast page", FAST)
    mini_site.write_page("chapter/slow.py", "Slow page", SLOW)
    return mini_site


def test_times_page_lists_every_page_with_time_cache_state_and_budget(site):
    site.configure(budget=45, budgets={"chapter/slow.py": 50})
    check(site.build())
    rows = times_table(site)
    assert set(rows) == {"../chapter/fast/", "../chapter/slow/"}
    fast, slow = rows["../chapter/fast/"], rows["../chapter/slow/"]
    assert fast["Page"] == "Fast page"
    assert fast["From cache"] == slow["From cache"] == "no"
    assert fast["Executed because"] == slow["Executed because"] == "no cache entry"
    assert fast["Budget (CPU s)"] == "45" and slow["Budget (CPU s)"] == "50"
    assert float(slow["CPU time (s)"]) >= 1.5  # the page burns 1.5 s of CPU
    assert float(slow["Wall time (s)"]) >= 1.5
    assert float(fast["CPU time (s)"]) < float(slow["CPU time (s)"]) - 1.0

    check(site.build())
    cached = times_table(site)
    assert {row["From cache"] for row in cached.values()} == {"yes"}
    assert {row["Executed because"] for row in cached.values()} == {""}
    # A cached page shows the time of the run that produced its result.
    assert cached["../chapter/slow/"]["CPU time (s)"] == slow["CPU time (s)"]
    assert cached["../chapter/slow/"]["Wall time (s)"] == slow["Wall time (s)"]


def test_times_page_is_where_the_nav_lists_it(site):
    site.configure()
    check(site.build())
    soup = BeautifulSoup(site.html("index.md"), "html.parser")
    toggle = next(
        a for a in soup.select("a.dropdown-toggle") if a.get_text(strip=True) == "Reference"
    )
    entries = [a.get_text(strip=True) for a in toggle.find_next("ul").select("a.dropdown-item")]
    assert entries == ["About", "Computation times"]


def test_page_over_its_budget_fails_the_build_naming_it(site):
    site.write_page("chapter/slow.py", "Slow page", SLOW.replace("1.5", "8"))
    site.configure(budgets={"chapter/slow.py": 4})
    result = site.build()
    assert result.returncode != 0
    text = result.stdout + result.stderr
    assert "docs/chapter/slow.py, code cell 2" in text
    assert "budget of 4 s of CPU time" in text
    assert "docs/chapter/fast.py," not in text
    # The over-budget result is not cached: with a sensible budget the page runs again.
    site.configure()
    check(site.build())
    assert sorted(site.runs()) == ["fast", "slow", "slow"]


def test_budget_for_an_unknown_page_is_an_error(site):
    site.configure(budgets={"chapter/typo.py": 10})
    result = site.build()
    assert result.returncode != 0
    assert "chapter/typo.py" in result.stdout + result.stderr
    assert site.runs() == []


def test_times_page_listed_in_the_nav_by_hand_stays_where_it_is(site):
    site.configure()
    config_path = site.root / "mkdocs.yml"
    config = json.loads(config_path.read_text())
    config["nav"] = [
        {"Home": "index.md"},
        {"Timing": [{"Build times": "computation-times.md"}]},
        {"Chapter": ["chapter/fast.py", "chapter/slow.py"]},
        {"Reference": [{"About": "about.md"}]},
    ]
    config_path.write_text(json.dumps(config))
    check(site.build())
    soup = BeautifulSoup(site.html("index.md"), "html.parser")
    toggles = {a.get_text(strip=True): a for a in soup.select("a.dropdown-toggle")}
    timing = [a.get_text(strip=True) for a in toggles["Timing"].find_next("ul").select("a")]
    reference = [a.get_text(strip=True) for a in toggles["Reference"].find_next("ul").select("a")]
    assert timing == ["Build times"]
    assert reference == ["About"]


def test_times_page_not_in_the_nav_is_built_but_not_listed(site):
    site.configure(nav=False)
    check(site.build())
    assert "<h1" in (site.site / "computation-times" / "index.html").read_text()
    assert "computation-times/" not in site.html("index.md")
