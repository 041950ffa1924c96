"""The options of the ``executed-pages`` plugin, as ``mkdocs.yml`` sets them."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError


class ExecutedPagesConfig(base.Config):
    """Options of the ``executed-pages`` plugin (paths are relative to ``mkdocs.yml``)."""

    execute = c.Type(bool, default=True)
    include = c.ListOfItems(c.Type(str), default=["*.py"])  # fnmatch patterns of pages
    cache_dir = c.Type(str, default=".cache/executed-pages")
    watch_sources = c.ListOfItems(c.Type(str), default=["src/tutorial_lib"])
    watch_files = c.ListOfItems(c.Type(str), default=["constraints.txt", "pyproject.toml"])
    env_keys = c.ListOfItems(c.Type(str), default=["TUTORIAL_LIB_DATA"])
    kernel_name = c.Type(str, default="python3")
    timeout = c.Type(int, default=300)  # seconds a cell may run
    page_timeout = c.Type((int, float), default=900)  # seconds a whole page may run
    output_limit = c.Type(int, default=2_000_000)  # bytes of output a page may produce
    workers = c.Optional(c.Type(int))  # kernels at once (default: the number of CPUs)
    threads = c.Type(int, default=1)  # threads per kernel
    preload = c.ListOfItems(c.Type(str), default=[])  # modules the zygote imports
    cwd = c.Choice(("page", "project"), default="page")
    budget = c.Type((int, float), default=30)  # seconds of kernel CPU time a page may take
    budgets = c.DictOfItems(c.Type((int, float)), default={})  # per page
    times_page = c.Type(str, default="computation-times.md")  # list it in the nav
    evict_after = c.Type((int, float), default=300)  # spare entries used this recently
    results_marker = c.Type(str, default="<!-- results-table -->")
    downloads = c.Type(bool, default=True)


def check(config: ExecutedPagesConfig, workers: int) -> None:
    """Raise PluginError for options that no type check catches."""
    if workers < 1 or config.threads < 1:
        raise PluginError("executed-pages: 'workers' and 'threads' must be at least 1")
    if config.budget <= 0 or any(v <= 0 for v in config.budgets.values()):
        raise PluginError("executed-pages: budgets must be positive numbers of seconds")
