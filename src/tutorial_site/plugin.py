"""The ``executed-pages`` MkDocs plugin: executes tutorial pages, caches what they computed.

Listed in ``mkdocs.yml`` before ``mkdocs-jupyter`` (which then only renders, with
``execute: false``). In ``on_files`` it finds the tutorial pages (jupytext ``.py`` files),
reuses a cached executed notebook when nothing the page depends on has changed (see
:mod:`tutorial_site.cache`), starts executing the others in parallel in the background, and
points each page's file at its executed notebook, so the page keeps its URL and its ``.py``
source (edit links, downloads). Pages that need no execution results (the API reference,
the glossary) render while the pages execute; the build waits for the executions before the
first page that does. It also generates the computation-times page, fills the home page's
results table, and writes each page's ``.ipynb`` and ``.py`` downloads next to it.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import fnmatch
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from tutorial_site import cache as cache_mod
from tutorial_site import generated, markup
from tutorial_site.downloads import Downloads

log = logging.getLogger("mkdocs.plugins.executed_pages")


class ExecutedPagesConfig(base.Config):
    """Options of the ``executed-pages`` plugin (paths are relative to ``mkdocs.yml``)."""

    execute = c.Type(bool, default=True)
    """Execute the pages; when false they are rendered as code without outputs."""
    include = c.ListOfItems(c.Type(str), default=["*.py"])
    """``fnmatch`` patterns (``*`` also matches ``/``) of tutorial pages in the docs folder."""
    cache_dir = c.Type(str, default=".cache/executed-pages")
    watch_sources = c.ListOfItems(c.Type(str), default=["src/tutorial_lib"])
    """Library folders the pages import: every file in them is part of the cache key."""
    watch_files = c.ListOfItems(c.Type(str), default=["constraints.txt", "pyproject.toml"])
    """Further files in the cache key: the pinned dependency set."""
    env_keys = c.ListOfItems(c.Type(str), default=["TUTORIAL_LIB_DATA"])
    """Environment variables in the cache key (``PYTHONPATH`` always is)."""
    kernel_name = c.Type(str, default="python3")
    timeout = c.Type(int, default=300)
    """Per-cell timeout in seconds: a hung cell fails the build."""
    startup_timeout = c.Type(int, default=60)
    workers = c.Optional(c.Type(int))
    """Pages executed in parallel (default: the number of CPUs)."""
    threads = c.Type(int, default=1)
    """Threads of torch/OpenMP/MKL/OpenBLAS in every kernel, whatever ``workers`` is."""
    preload = c.ListOfItems(c.Type(str), default=[])
    """Modules (e.g. ``torch``, ``matplotlib.pyplot``) imported once per build in a zygote
    that forks every page kernel (:mod:`tutorial_site.zygote`); empty: fresh kernels. Not
    part of the cache key: outputs are the same either way (kernel CPU times are not, as
    the preloaded imports are no longer charged to each page)."""
    cwd = c.Choice(("page", "project"), default="page")
    """Working directory of a page's kernel: the page's folder or the project root."""
    budget = c.Type((int, float), default=30)
    """Default budget of a page: seconds of kernel CPU time (wall time where not measurable)."""
    budgets = c.DictOfItems(c.Type((int, float)), default={})
    """Per-page budgets, keyed by the page's path in the docs folder. Pages start longest
    first: by their last recorded time, or (never run before) by their budget."""
    times_page = c.Type(str, default="computation-times.md")
    times_section = c.Type(str, default="Reference")
    """Nav section the computation-times page is added to, unless the nav already lists it."""
    evict_after = c.Type((int, float), default=3600)
    """Cache entries no page of a build used are removed once unused for this many seconds."""
    results_marker = c.Type(str, default="<!-- results-table -->")
    downloads = c.Type(bool, default=True)


def _relative(path: Path, base_dir: Path) -> str:
    try:
        return path.relative_to(base_dir).as_posix()
    except ValueError:
        return str(path)


class ExecutedPagesPlugin(BasePlugin[ExecutedPagesConfig]):
    """Execute the tutorial pages in parallel, with a cache that follows dependencies."""

    def __init__(self) -> None:
        self._records: list[generated.PageRecord] = []
        self._by_page: dict[str, generated.PageRecord] = {}
        self._used_keys: set[str] = set()
        self._nav_order: dict[str, int] = {}
        self._notebooks: dict[str, Path] = {}
        self._keeper: Any = None
        self._pending: concurrent.futures.Future[None] | None = None
        self._finished = False
        self._times_file: File | None = None

    # -- mkdocs serve ----------------------------------------------------------------------
    # Defining on_startup keeps this plugin instance across the rebuilds of ``mkdocs serve``,
    # and with it the preload zygote: a rebuild forks its kernels without importing anything.

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Under ``mkdocs serve``, keep one preload zygote for all rebuilds; start it now."""
        if command != "serve":
            return
        from tutorial_site.execution import ZygoteKeeper, kernel_environment

        self._keeper = ZygoteKeeper()
        if self.config.execute and self.config.preload:
            self._keeper.start(
                self.config.preload,
                kernel_environment(self.config.threads),
                self.config.startup_timeout,
            )

    def on_shutdown(self) -> None:
        """Stop the zygote kept for ``mkdocs serve`` (it kills the kernels it forked)."""
        if self._keeper is not None:
            self._keeper.close()
            self._keeper = None

    # -- configuration ---------------------------------------------------------------------

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Resolve paths and check the options."""
        self.project_dir = Path(config.config_file_path or ".").resolve().parent
        self.cache = cache_mod.PageCache(self.project_dir / self.config.cache_dir)
        self.workers = self.config.workers or os.cpu_count() or 1
        self.downloads = Downloads(self.project_dir, config.site_url)
        if self.workers < 1 or self.config.threads < 1:
            raise PluginError("executed-pages: 'workers' and 'threads' must be at least 1")
        if self.config.budget <= 0 or any(v <= 0 for v in self.config.budgets.values()):
            raise PluginError("executed-pages: budgets must be positive numbers of seconds")
        return config

    def _watched_paths(self) -> list[Path]:
        names = [*self.config.watch_sources, *self.config.watch_files]
        return [self.project_dir / name for name in names]

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        """Rebuild under ``mkdocs serve`` when the library or the pinned set changes too."""
        for path in self._watched_paths():
            if path.exists():
                server.watch(str(path))
        return server

    # -- execution -------------------------------------------------------------------------

    def _is_page(self, file: File) -> bool:
        if file.abs_src_path is None or not file.src_uri.endswith(".py"):
            return False
        return any(fnmatch.fnmatchcase(file.src_uri, p) for p in self.config.include)

    def _display_path(self, record: generated.PageRecord) -> str:
        return _relative(record.source, self.project_dir)

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        """Execute (or fetch from the cache) every tutorial page; add the times page."""
        pages = sorted((f for f in files if self._is_page(f)), key=lambda f: f.src_uri)
        unknown = sorted(set(self.config.budgets) - {f.src_uri for f in pages})
        if unknown:
            raise PluginError(
                "executed-pages: 'budgets' names pages that do not exist: " + ", ".join(unknown)
            )
        self._records = []
        for file in pages:
            source = Path(file.abs_src_path)
            text = source.read_text(encoding="utf-8")
            self._records.append(
                generated.PageRecord(
                    page=file.src_uri,
                    source=source,
                    title=generated.page_title(text, file.src_uri),
                    budget=float(self.config.budgets.get(file.src_uri, self.config.budget)),
                )
            )
        self._by_page = {r.page: r for r in self._records}
        self._used_keys = set()
        self._pending, self._finished, self._times_file = None, False, None
        if files.get_file_from_path(self.config.times_page) is not None:
            raise PluginError(
                f"executed-pages: {self.config.times_page} is generated; remove it from docs/"
            )
        self._notebooks = self._execute(self._records) if self.config.execute else {}
        if self.config.downloads:
            self.downloads.add_files(files, config, {r.page: r.source for r in self._records})
        # Its content is written once every page has run (see _finish).
        files.append(File.generated(config, self.config.times_page, content=""))
        return files

    def _render_last(self, files: Files) -> None:
        """Move the pages that need the executions' results to the end of ``files``.

        Pages are rendered in this order, so the others render while the pages execute:
        first the times page (where a failed execution is reported), then the pages with
        the results table, then the tutorial pages. Done once the navigation is built, so
        that it cannot depend on this order.
        """
        for file in [
            files.get_file_from_path(self.config.times_page),
            *(f for f in list(files) if self._has_results_marker(f)),
            *(f for f in list(files) if f.src_uri in self._by_page),
        ]:
            if file is not None:
                files.remove(file)
                files.append(file)

    def _has_results_marker(self, file: File) -> bool:
        if file.abs_src_path is None or not file.src_uri.endswith(".md"):
            return False
        try:
            return self.config.results_marker in Path(file.abs_src_path).read_text("utf-8")
        except OSError:
            return False

    def _finish(self) -> None:
        """Wait for the pages being executed, then fill in what needs their results.

        Called before the first page that needs them is rendered (the times page, a page
        with the results table, a tutorial page) and at the end of the build.

        Raises:
            PluginError: If a page failed, went over its budget, or the library changed
                while pages were executing.
        """
        if self._finished:
            return
        self._finished = True
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()
        self._check_unique_results()
        if self._times_file is not None:
            self._times_file.content_string = self._times_markdown()

    @event_priority(100)  # before mkdocs-jupyter reads the executed notebook
    def on_pre_page(self, page: Page, config: MkDocsConfig, files: Files) -> Page:
        """Wait for the executions before a page that shows their results."""
        if page.file.src_uri in self._by_page or page.file.src_uri == self.config.times_page:
            self._finish()
        return page

    def on_build_error(self, *, error: Exception) -> None:
        """Let running pages finish (their results are cached), whatever failed."""
        pending, self._pending = self._pending, None
        if pending is not None:
            with contextlib.suppress(Exception):
                pending.result()

    def _execute(self, records: list[generated.PageRecord]) -> dict[str, Path]:
        """Look each page up in the cache; start executing the others in the background.

        Returns:
            The executed notebook of every page, by page: already in the cache, or where the
            running execution will store it.
        """
        from tutorial_site.execution import PageJob

        settings = {
            "kernel_name": self.config.kernel_name,
            "threads": self.config.threads,
            "cwd": self.config.cwd,
        }
        environment = self._fingerprint(settings)
        hasher = cache_mod.FileHasher()
        notebooks: dict[str, Path] = {}
        keys: dict[str, str] = {}
        jobs = []
        for record in records:
            # One read: the key and the executed notebook come from the same bytes.
            data = record.source.read_bytes()
            key = cache_mod.page_key(environment, record.page, data)
            keys[record.page] = key
            self._used_keys.add(key)
            entry = self.cache.lookup(key, record.page, hasher)
            notebooks[record.page] = self.cache.notebook_path(key, record.page)
            if entry is not None:
                record.seconds, record.cpu_seconds = entry.seconds, entry.cpu_seconds
                record.cached, record.results = True, entry.results
                continue
            cwd = record.source.parent if self.config.cwd == "page" else self.project_dir
            notebook = generated.read_page(record.source, data.decode("utf-8"))
            jobs.append(PageJob(record.page, notebook, cwd))
        jobs = self._longest_first(jobs)
        arguments = (records, jobs, keys, hasher, environment, settings)
        if jobs:
            self._pending = _start_thread(self._run, *arguments)
        else:
            self._run(*arguments)
        return notebooks

    def _run(
        self,
        records: list[generated.PageRecord],
        jobs: list[Any],
        keys: dict[str, str],
        hasher: cache_mod.FileHasher,
        environment: str,
        settings: dict[str, Any],
    ) -> None:
        from tutorial_site.execution import execute_pages
        from tutorial_site.zygote import ZygoteError

        started = time.perf_counter()
        try:
            runs = execute_pages(
                jobs,
                workers=self.workers,
                kernel_name=self.config.kernel_name,
                timeout=self.config.timeout,
                startup_timeout=self.config.startup_timeout,
                threads=self.config.threads,
                preload=self.config.preload,
                keeper=self._keeper,
            )
        except ZygoteError as error:
            raise PluginError(f"executed-pages: {error}") from error
        wall = time.perf_counter() - started
        if runs and self._fingerprint(settings) != environment:
            # The pages may have imported a library that changed under them: storing their
            # results under the key of the previous library would be storing stale results.
            raise PluginError(
                "executed-pages: the library sources, pinned files or environment changed "
                "while pages were executing; nothing was cached, build again"
            )
        failures = []
        for run in sorted(runs, key=lambda run: run.page):
            record = self._by_page[run.page]
            if run.notebook is None:
                failures.append(f"{self._display_path(record)}: {run.error}")
                continue
            try:
                self._store(record, keys[run.page], run, hasher)
            except (ValueError, OSError) as error:
                failures.append(f"{self._display_path(record)}: {error}")
        log.info(
            "executed-pages: %d pages, %d executed in %.1f s (%d workers), %d from the cache",
            len(records),
            len(runs),
            wall,
            min(self.workers, max(len(runs), 1)),
            len(records) - len(runs),
        )
        if failures:
            raise PluginError(
                f"executed-pages: {len(failures)} page(s) failed to execute:\n"
                + "\n".join(f"  {failure}" for failure in failures)
            )
        over = [r for r in records if (r.charged_seconds or 0.0) > r.budget]
        if over:
            raise PluginError(
                "executed-pages: page(s) over their execution-time budget (kernel CPU time):\n"
                + "\n".join(
                    f"  {self._display_path(r)}: {r.charged_seconds:.2f} s > budget "
                    f"{r.budget:g} s (wall time {r.seconds:.2f} s)"
                    for r in over
                )
            )

    def _longest_first(self, jobs: list[Any]) -> list[Any]:
        """Order ``jobs`` so that the longest pages start first (a shorter tail in parallel).

        A page's expected time is its wall time in its latest stored execution (whatever the
        key), else its budget: a page never run before starts early.
        """
        recorded = self.cache.recorded_seconds() if len(jobs) > 1 else {}

        def expected(job: Any) -> float:
            return recorded.get(job.page, self._by_page[job.page].budget)

        return sorted(jobs, key=lambda job: (-expected(job), job.page))

    def _fingerprint(self, settings: dict[str, Any]) -> str:
        try:
            return cache_mod.environment_fingerprint(
                self.project_dir,
                watch_sources=self.config.watch_sources,
                watch_files=self.config.watch_files,
                env_keys=self.config.env_keys,
                settings=settings,
            )
        except FileNotFoundError as error:
            raise PluginError(f"executed-pages: {error}") from error

    def _store(
        self, record: generated.PageRecord, key: str, run: Any, hasher: cache_mod.FileHasher
    ) -> Path:
        from nbformat import writes

        from tutorial_site.outputs import collect_and_strip

        notebook = run.notebook
        collected = collect_and_strip(notebook)
        dependencies = []
        for path in collected.dependencies:
            try:
                dependencies += [
                    cache_mod.Dependency.from_path(file, hasher)
                    for file in cache_mod.expand_dependency(path)
                ]
            except FileNotFoundError as error:
                raise ValueError(f"recorded data dependency {path} does not exist") from error
        entry = cache_mod.CacheEntry(
            key=key,
            page=record.page,
            seconds=round(run.seconds, 3),
            cpu_seconds=None if run.cpu_seconds is None else round(run.cpu_seconds, 3),
            executed_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            results=collected.results,
            dependencies=dependencies,
        )
        record.seconds, record.cpu_seconds = entry.seconds, entry.cpu_seconds
        record.cached, record.results = False, entry.results
        # The render cache of mkdocs-jupyter keys on these bytes: make them carry our key.
        notebook.metadata["executed_pages"] = {
            "key": key,
            "dependencies": entry.dependency_digest(),
        }
        if (record.charged_seconds or 0.0) > record.budget:
            # Not cached: the build fails, and the next build measures the page again.
            return self.cache.notebook_path(key, record.page)
        return self.cache.store(entry, writes(notebook))

    def _check_unique_results(self) -> None:
        seen: dict[str, str] = {}
        for record in self._records:
            for result in record.results:
                if result["key"] in seen:
                    raise PluginError(
                        f"executed-pages: result key {result['key']!r} is recorded by "
                        f"{seen[result['key']]} and {record.page}; keys must be unique "
                        "across the site"
                    )
                seen[result["key"]] = record.page

    def _times_markdown(self) -> str:
        return generated.computation_times_markdown(
            self._ordered(),
            page=self.config.times_page,
            executed=self.config.execute,
            workers=self.workers,
            threads=self.config.threads,
        )

    def _ordered(self) -> list[generated.PageRecord]:
        last = len(self._nav_order)
        return sorted(self._records, key=lambda r: (self._nav_order.get(r.page, last), r.page))

    # -- navigation and pages --------------------------------------------------------------

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        """Add the computation-times page to its nav section unless the nav lists it."""
        times_file = files.get_file_from_path(self.config.times_page)
        page = times_file.page if times_file is not None else None
        if page is not None and page not in nav.pages:
            section = _find_section(nav.items, self.config.times_section)
            if section is None:
                section = Section(self.config.times_section, [])
                nav.items.append(section)
            page.parent = section
            section.children.append(page)
            nav.pages = _pages_of(nav.items)
            for index, item in enumerate(nav.pages):
                item.previous_page = nav.pages[index - 1] if index else None
                item.next_page = nav.pages[index + 1] if index + 1 < len(nav.pages) else None
        self._nav_order = {p.file.src_uri: i for i, p in enumerate(nav.pages)}
        for src_uri, notebook in self._notebooks.items():
            # The page keeps its src_uri (URL, edit link) but renders its executed notebook.
            # Done here, after every plugin's on_files: mkdocs-jupyter wraps the File, and the
            # wrapper would otherwise recompute abs_src_path from src_dir and src_uri.
            file = files.get_file_from_path(src_uri)
            if file is not None:
                file.abs_src_path = str(notebook)
        # Filled in (in site order) once every page has run.
        self._times_file = times_file
        self._render_last(files)
        return nav

    def on_page_markdown(
        self, markdown: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """Replace the results-table marker line with the table of headline results."""
        marker = self.config.results_marker
        if marker not in markdown:
            return markdown
        self._finish()
        table = generated.results_table_markdown(
            self._ordered(), from_page=page.file.src_uri, executed=self.config.execute
        )
        lines = [table if line.strip() == marker else line for line in markdown.splitlines()]
        return "\n".join(lines) + "\n"

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Rework every page's HTML (:mod:`tutorial_site.markup`); link the downloads."""
        html = markup.page_content(html, page, config.site_dir)
        if page.file.src_uri not in self._by_page:
            return html
        if not self.config.downloads:
            return html
        return self.downloads.links(html, page.file.src_uri, self.config.execute)

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        """Write the page's downloads (notebooks and script) next to its HTML."""
        src_uri = page.file.src_uri
        if self.config.downloads and src_uri in self._by_page:
            folder = Path(page.file.abs_dest_path).parent
            self.downloads.write(src_uri, folder, self._notebooks.get(src_uri))
        return output

    def on_post_build(self, config: MkDocsConfig) -> None:
        """Finish the notebook pages' assets; drop cache entries no page of this build used."""
        self._finish()
        markup.finish_site(config.site_dir)
        if self.config.execute:
            removed = self.cache.evict(self._used_keys, unused_for=self.config.evict_after)
            if removed:
                log.info("executed-pages: evicted %d stale cache entries", removed)


def _start_thread(function: Any, *arguments: Any) -> concurrent.futures.Future[None]:
    """Run ``function(*arguments)`` in a new thread; its future holds the outcome."""
    future: concurrent.futures.Future[None] = concurrent.futures.Future()

    def run() -> None:
        try:
            function(*arguments)
        except BaseException as error:
            future.set_exception(error)
        else:
            future.set_result(None)

    # Not a daemon: an interrupted build still waits for the kernels to be shut down.
    threading.Thread(target=run, name="executed-pages", daemon=False).start()
    return future


def _find_section(items: list[Any], title: str) -> Section | None:
    for item in items:
        if isinstance(item, Section):
            if item.title == title:
                return item
            found = _find_section(item.children, title)
            if found is not None:
                return found
    return None


def _pages_of(items: list[Any]) -> list[Page]:
    pages: list[Page] = []
    for item in items:
        if isinstance(item, Page):
            pages.append(item)
        elif isinstance(item, Section):
            pages.extend(_pages_of(item.children))
    return pages
