"""The Python versions the project and its downloads promise are ones the pinned set supports."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from tutorial_site.downloads import README, REQUIREMENTS

PROMISE = re.compile(r"Python (\d+\.\d+(?:\.\d+)?) or newer")


def promised(text: str) -> set[str]:
    """The versions ``text`` promises ("Python X.Y or newer")."""
    return set(PROMISE.findall(" ".join(text.split())))


def refusing(names: list[str], version: str) -> list[str]:
    """Which installed distributions of ``names`` do not run on Python ``version``."""
    refused = []
    for name in names:
        requires = metadata.metadata(name).get("Requires-Python")
        if requires and not SpecifierSet(requires).contains(version):
            refused.append(f"{name} needs Python {requires}")
    return refused


def test_the_pinned_set_supports_the_python_the_readme_promises(root):
    [version] = promised((root / "README.md").read_text())
    pins = [line.split(";")[0] for line in (root / "constraints.txt").read_text().splitlines()]
    names = [Requirement(pin).name for pin in pins if "==" in pin and not pin.startswith("#")]
    installed = [name for name in names if _installed(name)]
    assert len(installed) > len(names) / 2  # the test environment holds the pinned set
    assert not refusing(installed, version)


def test_the_downloads_run_on_the_python_the_package_and_pages_promise(root):
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    version = re.fullmatch(r">=(\d+\.\d+)", project["requires-python"]).group(1)
    # requirements.txt takes the pinned versions of these as lower bounds.
    assert not refusing(list(REQUIREMENTS), f"{version}.0")
    assert promised(README) == promised((root / "docs/index.md").read_text()) == {version}


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True
