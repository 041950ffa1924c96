"""Page code: plotting is a small share of the code on the tutorial pages, lines fit.

Run as a script (``python tests/test_page_code.py``) to print the plotting share per page.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted([*DOCS.glob("logistic/*.py"), *DOCS.glob("softmax/*.py")])

#: Target: at most this share of a reader's code lines draw figures.
MAX_PLOTTING_SHARE = 0.15
#: Width of the content column in characters (the box fits about 73 at 1280 px).
MAX_LINE_WIDTH = 72

#: Names of the figure helpers (tutorial_lib.plotting and the older tutorial_lib.curves).
PLOTTING_HELPERS = frozenset(
    {
        "show_figure",
        "make_panels",
        "plot_functions",
        "plot_probability_curve",
        "plot_training",
        "show_images",
        "plot_matrix",
        "plot_confusion_matrix",
        "plot_loss_surface",
        "plot_bars",
        "plot_curves",
        "restyle_dark",
    }
)
#: Variables that hold matplotlib objects: plt, fig, fig_*, ax, ax_*, axes, axs, spine(s).
FIGURE_NAMES = re.compile(r"^(plt|fig\w*|ax|ax_\w+|axes\w*|axs|spines?|contours?|bars?)$")
#: Modules whose import is plotting code.
PLOTTING_MODULES = re.compile(r"^(matplotlib|tutorial_lib\.plotting|tutorial_lib\.curves)\b")


@dataclass
class Share:
    """Plotting lines and all code lines of one page."""

    plotting: int
    total: int

    @property
    def percent(self) -> float:
        return 100 * self.plotting / self.total if self.total else 0.0


def code_cells(path: Path) -> list[tuple[int, str]]:
    """The code cells of a jupytext percent-format page, as (first line number, source).

    Every kind of code cell counts (plain, ``remove_input``, ``solution``, ...); markdown
    and raw cells do not.
    """
    cells: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("# %%"):
            kind = re.match(r"# %%\s*(\[(\w+)\])?", line).group(2)
            current = [] if kind is None else None
            if current is not None:
                cells.append((number + 1, current))
        elif current is not None:
            current.append(line)
    return [(start, "\n".join(lines)) for start, lines in cells]


def _root_name(node: ast.AST) -> str | None:
    """The variable a call chain starts from: ``ax`` for ``ax.xaxis.set_label(...)``."""
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def is_plotting_statement(statement: ast.stmt) -> bool:
    """Whether a simple statement is plotting code: the rule behind the plotting share.

    A statement is plotting code when it
    - imports matplotlib, ``tutorial_lib.plotting`` or ``tutorial_lib.curves``;
    - assigns to a figure variable (``fig, ax = plt.subplots(...)``, ``fig = ...``);
    - calls a method on a figure variable (``plt.``, ``ax.``, ``ax_loss.``, ``axes[0].``,
      ``fig.``, ``spine.``, ...), such as the ``set_*`` calls on axes; (``torch.set_*``
      is not plotting);
    - calls a plotting helper (``show_figure``, ``plot_functions``, ... ``plot_curves``).
    All lines of such a statement count, so keyword arguments and ``alt="..."`` strings
    of a multi-line call are plotting lines too.
    """
    if isinstance(statement, ast.Import):
        return any(PLOTTING_MODULES.match(alias.name) for alias in statement.names)
    if isinstance(statement, ast.ImportFrom):
        return bool(PLOTTING_MODULES.match(statement.module or ""))
    if isinstance(statement, ast.Assign | ast.AnnAssign | ast.AugAssign):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        for target in targets:
            for node in ast.walk(target):
                if isinstance(node, ast.Name) and FIGURE_NAMES.match(node.id):
                    return True
    for node in ast.walk(statement):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in PLOTTING_HELPERS:
            return True
        if isinstance(func, ast.Attribute):
            if func.attr in PLOTTING_HELPERS:
                return True
            root = _root_name(func)
            if root is not None and FIGURE_NAMES.match(root):
                return True
    return False


def _plotting_lines(statements: list[ast.stmt], lines: set[int]) -> bool:
    """Add the line numbers of plotting statements to ``lines``; True if all were plotting.

    A compound statement (``for``, ``if``, ``with``) whose body is all plotting counts as
    plotting with its header line (``for ax in axes:``).
    """
    all_plotting = True
    for statement in statements:
        bodies = [
            getattr(statement, name)
            for name in ("body", "orelse", "finalbody")
            if isinstance(getattr(statement, name, None), list)
        ]
        if bodies and not isinstance(statement, ast.FunctionDef | ast.ClassDef):
            inner = [_plotting_lines(body, lines) for body in bodies if body]
            if all(inner):
                lines.update(range(statement.lineno, statement.end_lineno + 1))
            else:
                all_plotting = False
        elif isinstance(statement, ast.FunctionDef | ast.ClassDef):
            if not _plotting_lines(statement.body, lines):
                all_plotting = False
        elif is_plotting_statement(statement):
            lines.update(range(statement.lineno, statement.end_lineno + 1))
        else:
            all_plotting = False
    return all_plotting


def plotting_share(path: Path) -> Share:
    """Count the plotting lines and all code lines of a page's code cells.

    Code lines are the non-blank lines of code cells that are not only a comment; plotting
    lines are those of them inside a plotting statement (see
    ``is_plotting_statement``).
    """
    plotting = total = 0
    for _, source in code_cells(path):
        source_lines = source.splitlines()
        counted = {
            number
            for number, line in enumerate(source_lines, start=1)
            if line.strip() and not line.strip().startswith("#")
        }
        lines: set[int] = set()
        _plotting_lines(ast.parse(source).body, lines)
        total += len(counted)
        plotting += len(counted & lines)
    return Share(plotting, total)


def display_width(line: str) -> int:
    """Columns ``line`` takes in a monospace font: wide (e.g. Chinese) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def test_there_are_nine_tutorial_pages():
    assert len(PAGES) == 9, PAGES


def test_plotting_is_at_most_15_percent_of_page_code():
    shares = {path: plotting_share(path) for path in PAGES}
    plotting = sum(share.plotting for share in shares.values())
    total = sum(share.total for share in shares.values())
    report = "\n".join(
        f"  {path.relative_to(DOCS)}: {s.plotting}/{s.total} = {s.percent:.0f} %"
        for path, s in shares.items()
    )
    assert plotting <= MAX_PLOTTING_SHARE * total, (
        f"plotting is {plotting} of {total} code lines ({100 * plotting / total:.1f} %), "
        f"more than {100 * MAX_PLOTTING_SHARE:.0f} %; per page:\n{report}"
    )


def test_page_lines_fit_the_content_column():
    too_long = [
        f"{path.relative_to(DOCS.parent)}:{number}: {display_width(line)} columns"
        for path in sorted(DOCS.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if display_width(line) > MAX_LINE_WIDTH
    ]
    assert not too_long, (
        f"{len(too_long)} lines in docs/ are wider than {MAX_LINE_WIDTH} columns:\n"
        + "\n".join(too_long[:40])
        + ("\n..." if len(too_long) > 40 else "")
    )


def _count_fixture(tmp_path: Path, text: str) -> Share:
    page = tmp_path / "page.py"
    page.write_text(text, encoding="utf-8")
    return plotting_share(page)


def test_the_counting_rule_on_a_small_page(tmp_path):
    share = _count_fixture(
        tmp_path,
        "# %% [markdown]\n"
        "# plt.plot(x) in prose does not count\n"
        "\n"
        "# %%\n"
        "import matplotlib.pyplot as plt\n"
        "import torch\n"
        "\n"
        "# a comment line does not count\n"
        "x = torch.linspace(0, 1, 5)\n"
        "fig, ax = plt.subplots()\n"
        "for name in ['a', 'b']:\n"
        "    ax.plot(x, x, label=name)\n"
        "ax.legend()\n"
        "\n"
        '# %% tags=["solution"]\n'
        "torch.set_num_threads(1)\n"
        "y = x**2\n"
        "show_figure(\n"
        "    fig,\n"
        '    alt="two lines",\n'
        ")\n",
    )
    # Plotting: the matplotlib import, subplots, the for loop (2 lines), legend, and the
    # 4 lines of show_figure; not: torch import, x = ..., torch.set_num_threads, y = ....
    assert share == Share(plotting=9, total=13)


def test_a_loop_mixing_teaching_and_plotting_keeps_its_teaching_lines(tmp_path):
    share = _count_fixture(
        tmp_path,
        "# %%\nfor epoch in range(3):\n    loss = step()\n    ax.plot([epoch], [loss])\n",
    )
    assert share == Share(plotting=1, total=3)


def test_display_width_counts_wide_characters_twice():
    assert display_width("abc") == 3
    assert display_width("交叉熵") == 6


if __name__ == "__main__":
    import sys

    # Optionally another docs folder, e.g. a checkout of an older commit's pages.
    docs = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else DOCS
    pages = sorted([*docs.glob("logistic/*.py"), *docs.glob("softmax/*.py")])
    all_plotting = all_total = 0
    for page in pages:
        share = plotting_share(page)
        all_plotting += share.plotting
        all_total += share.total
        print(
            f"{str(page.relative_to(docs)):45} {share.plotting:4} / {share.total:4}"
            f" = {share.percent:5.1f} %"
        )
    print(
        f"{'total':45} {all_plotting:4} / {all_total:4} = "
        f"{100 * all_plotting / all_total:5.1f} % (target <= {100 * MAX_PLOTTING_SHARE:.0f} %)"
    )
