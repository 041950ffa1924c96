"""The library's docstrings are Markdown for mkdocstrings: no Sphinx roles or directives.

The API page renders docstrings as Markdown, where a Sphinx role such as :math:`x` shows up
literally; math is written $...$ (or $$...$$) for the site's arithmatex + KaTeX.
"""

import importlib
import inspect
import pkgutil
import re

import pytest

import tutorial_lib

SPHINX_ROLE = re.compile(r":(?:math|func|class|meth|attr|mod|ref|obj|exc|data|py:\w+):`")
SPHINX_DIRECTIVE = re.compile(r"^\s*\.\. [\w-]+::", re.MULTILINE)
CODE_SPAN = re.compile(r"``.*?``|`[^`]*`", re.DOTALL)
MODULES = [info.name for info in pkgutil.iter_modules(tutorial_lib.__path__)]


def docstrings(module):
    """(qualified name, docstring) of the module and what it defines, methods included."""
    yield module.__name__, module.__doc__ or ""
    for name, obj in vars(module).items():
        if getattr(obj, "__module__", None) != module.__name__ or name.startswith("_"):
            continue
        yield f"{module.__name__}.{name}", inspect.getdoc(obj) or ""
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if inspect.isfunction(member) or isinstance(member, property):
                    yield f"{module.__name__}.{name}.{attr}", inspect.getdoc(member) or ""


@pytest.mark.parametrize("module_name", MODULES)
def test_no_sphinx_markup_and_balanced_math(module_name):
    module = importlib.import_module(f"tutorial_lib.{module_name}")
    for name, doc in docstrings(module):
        assert not SPHINX_ROLE.search(doc), f"{name}: Sphinx role in {doc!r}"
        assert not SPHINX_DIRECTIVE.search(doc), f"{name}: Sphinx directive in {doc!r}"
        prose = CODE_SPAN.sub("", doc)  # a $ in code, e.g. ``$XDG_CACHE_HOME``, is not math
        dollars = len(re.findall(r"(?<!\\)\$", prose))
        assert dollars % 2 == 0, f"{name}: unbalanced $ in {doc!r}"


def test_the_check_finds_a_role():
    assert SPHINX_ROLE.search(r"The logistic function :math:`\sigma(x)`.")
    assert not SPHINX_ROLE.search(r"The logistic function $\sigma(x)$.")
