"""The ``executed-pages`` MkDocs plugin: the hooks that execute, cache and show the pages.

One page's way: ``on_files`` reads it (:mod:`~tutorial_site.record`) and looks it up in the
cache (:mod:`~tutorial_site.cache`); on a miss it is executed (:mod:`~tutorial_site.execution`)
in a background thread while other pages render. ``on_pre_page`` waits for its run and
points mkdocs-jupyter at the executed notebook, or at its error page: ``mkdocs build`` then
fails in ``on_env``, ``mkdocs serve`` keeps serving.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from tutorial_site import cache, generated, markup, options, stylesheet
from tutorial_site.downloads import Downloads
from tutorial_site.execution import Job, Runner, kernel_environment, schedule
from tutorial_site.kernel import Zygote, ZygoteUnsafeError
from tutorial_site.options import ExecutedPagesConfig
from tutorial_site.record import PageRecord, read_page

log = logging.getLogger("mkdocs.plugins.executed_pages")


class ExecutedPagesPlugin(BasePlugin[ExecutedPagesConfig]):
    """Execute the tutorial pages in parallel kernels, with a self-checking cache."""

    def __init__(self) -> None:
        self.serving = False  # under mkdocs serve, a failed page does not fail the build
        self.zygote: Zygote | None = None  # under mkdocs serve, kept between rebuilds
        self.runner: Any = None
        self.records: dict[str, PageRecord] = {}
        self.ordered: list[PageRecord] = []  # in the order of the site
        self.ends: dict[str, float] = {}  # when each page's run should end
        self.handlers: dict[int, Any] = {}  # the signal handlers ours replaced
        self.docs_before: set[tuple[str, int, int]] | None = None
        self.done = threading.Event()
        self.done.set()  # nothing is running

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Note whether this is ``mkdocs serve`` (this instance then serves every rebuild)."""
        self.serving = command == "serve"

    def on_shutdown(self) -> None:
        """Stop the kernels and the zygote when ``mkdocs serve`` stops."""
        if self.runner is not None:
            self.runner.cancel()
        if self.zygote is not None:
            self.zygote.close()

    @event_priority(100)  # before the search plugin's: it makes jieba load its dictionary
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Resolve paths, check the options, quiet the renderer's per-page lines and jieba's."""
        self.project = Path(config.config_file_path or ".").resolve().parent
        self.store = cache.Store(self.project / self.config.cache_dir)
        self.markup_cache = self.store.root.parent / "markup"
        self.docs = Path(config.docs_dir)
        if self.config.downloads:
            self.downloads = Downloads(self.project, config.site_url)
        self.workers = self.config.workers or os.cpu_count() or 1
        options.check(self.config, self.workers)
        self.rendered = markup.renderer_cache(config)
        if logging.getLogger("mkdocs").getEffectiveLevel() > logging.DEBUG:
            for name in ("mkdocs.mkdocs-jupyter", "mkdocs.plugins.mkdocs_jupyter", "jieba"):
                logging.getLogger(name).setLevel(logging.WARNING)
        return config

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        """Rebuild under ``mkdocs serve`` when the library or the pinned files change."""
        for name in [*self.config.watch_sources, *self.config.watch_files]:
            if (self.project / name).exists():
                server.watch(str(self.project / name))
        return server

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        """Read the pages, take what the cache has, start executing the rest."""
        times_page = self.config.times_page
        if files.get_file_from_path(times_page) is not None:
            raise PluginError(f"executed-pages: {times_page} is generated")
        for name in markup.check_rendered(self.rendered):
            log.info("executed-pages: mkdocs-jupyter's cache entry %s damaged, removed", name)
        self.records = {}
        for file in sorted(files, key=lambda f: f.src_uri):
            page = file.src_uri
            if file.abs_src_path and any(fnmatch.fnmatchcase(page, p) for p in self.config.include):
                budget = float(self.config.budgets.get(page, self.config.budget))
                self.records[page] = PageRecord.read(page, Path(file.abs_src_path), budget)
        unknown = sorted(set(self.config.budgets) - set(self.records))
        if unknown:
            raise PluginError(f"executed-pages: 'budgets' names unknown pages: {unknown}")
        files.append(File.generated(config, times_page, content="",
                                    inclusion=InclusionLevel.NOT_IN_NAV))
        self.used: set[str] = set()  # the cache entries this build used
        self.ends, self.docs_before = {}, None  # (set when pages run)
        if self.config.execute:
            self._start(self._lookup())
        else:
            for r in self.records.values():
                r.ready.set()
        if self.config.downloads:  # (while the pages execute)
            pages = {r.page: r.source for r in self.records.values()}
            try:
                self.downloads.add_files(files, config, pages)
            except OSError as error:
                raise PluginError(f"executed-pages: downloads: {error}") from error
        return files

    def _lookup(self) -> list[Job]:
        """Look every page up in the cache; return the jobs of those to execute, in order."""
        settings = {k: self.config[k] for k in ("kernel_name", "threads", "cwd")}
        watched = [*self.config.watch_sources, *self.config.watch_files]
        try:
            inputs = cache.build_inputs(self.project, watched, self.config.env_keys, settings)
        except (FileNotFoundError, ImportError) as error:
            raise PluginError(f"executed-pages: {error}") from error
        self.page_inputs = cache.lookup(self.store, list(self.records.values()), inputs)
        jobs = []
        for r in self.records.values():
            self.used.add(r.key)
            if r.reason is None:
                r.ready.set()
            else:
                log.info("executed-pages: executing %s: %s", r.display, r.reason)
                jobs.append((r, read_page(r)))
        times = {entry["page"]: entry["seconds"] for entry in self.store.entries()}
        self.ends = schedule(jobs, times, self.workers)
        return jobs

    def _start(self, jobs: list[Job]) -> None:
        """Start the zygote if needed (under serve: for the next edit) and the pages' runs."""
        modules = self.config.preload if Zygote.can_fork() else []
        if self.zygote and (not self.zygote.is_current() or self.zygote.modules != modules):
            log.info("executed-pages: restarting the zygote (a module it imported changed)")
            self.zygote.close()
            self.zygote = None
        if modules and self.zygote is None and (jobs or self.serving):
            self.zygote = Zygote(modules, kernel_environment(self.config.threads))
        if not jobs:
            return
        self.runner = Runner(self.config, self.workers, self.zygote, self.project)
        if threading.current_thread() is threading.main_thread() and not self.serving:
            for number in (signal.SIGINT, signal.SIGTERM):
                self.handlers[number] = signal.signal(number, self._interrupt)
        self.done.clear()
        self.docs_before = cache.snapshot(self.docs)  # pages must not write there: on_env
        threading.Thread(target=self._run, args=(jobs,), daemon=True).start()

    def _interrupt(self, number: int, _frame: Any) -> None:
        """Ctrl-C or SIGTERM during a build: kill every kernel, the zygote and pip, then exit."""
        self.runner.cancel()
        if self.config.downloads:
            self.downloads.stop()
        log.error("executed-pages: %s: stopped every kernel", signal.Signals(number).name)
        os._exit(128 + number)  # (the log's handler flushed the line)

    def _run(self, jobs: list[Job]) -> None:
        """Execute the jobs (runner thread); a failure before the pages ran fails them all."""
        started = time.monotonic()
        try:
            try:
                if self.zygote is not None:
                    self.zygote.wait(timeout=120)
            except ZygoteUnsafeError as error:
                log.info("executed-pages: %s; using fresh kernels", error)
                self.zygote = self.runner.zygote = None
            self.runner.run(jobs, self._finished)
        except Exception as error:  # noqa: BLE001 (the failure of every page not run yet)
            for r, notebook in jobs:
                if not r.ready.is_set():
                    r.error = f"before the first cell: {type(error).__name__}: {error}"
                    self._finished(r, notebook, None)
        finally:
            if not self.serving and self.zygote is not None:
                self.zygote.close()
                self.zygote = None
            log.info("executed-pages: %d pages, %d executed in %.1f s (%d workers), %d from the "
                     "cache", len(self.records), len(jobs), time.monotonic() - started,
                     min(self.workers, len(jobs)), len(self.records) - len(jobs))
            self.done.set()

    def _finished(self, r: PageRecord, notebook: Any, cell: int | None) -> None:
        """Store a page's result, or record and report its failure (runner thread)."""
        if self.runner.cancelled:
            return
        try:
            cache.store_outcome(self.store, r, notebook, cell, self.page_inputs[r.page])
        except OSError as error:  # not even the error page could be written
            r.error, r.notebook = r.error or f"the cache could not be written: {error}", None
        if r.error is not None:
            if r.notebook is not None:
                self.used.add(r.notebook.parent.name)  # the error page (not an entry)
            (log.info if self.serving else log.error)("%s, %s", r.display, r.error)
        r.ready.set()

    def _wait(self, ready: threading.Event | None = None) -> None:
        """Wait for one page's run (``ready``), or for all and give the signals back."""
        while not (ready or self.done).wait(0.1):  # short: a signal handler runs in between
            pass
        while ready is None and self.handlers:  # all done: give the signals back
            signal.signal(*self.handlers.popitem())

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        """Render the tutorial pages as their runs should end, then the pages of all results."""
        order = {p.file.src_uri: i for i, p in enumerate(nav.pages)}
        self.ordered = sorted(self.records.values(), key=lambda r: (order.get(r.page, 1e9), r.page))
        tutorials = sorted((f for f in files if f.src_uri in self.records),
                           key=lambda f: (self.ends.get(f.src_uri, 0.0), f.src_uri))
        marker = self.config.results_marker
        tables = [f for f in files if f.src_uri.endswith(".md") and f.abs_src_path
                  and marker in Path(f.abs_src_path).read_text("utf-8")]
        for file in [*tutorials, files.get_file_from_path(self.config.times_page), *tables]:
            files.remove(file)
            files.append(file)
        return nav

    @event_priority(100)  # before mkdocs-jupyter reads the notebook
    def on_pre_page(self, page: Page, config: MkDocsConfig, files: Files) -> Page:
        """Wait for a tutorial page's run (the times page: all); point it at its notebook."""
        r = self.records.get(page.file.src_uri)
        if r is not None:
            self._wait(r.ready)
            if r.notebook is not None:
                page.file.abs_src_path = str(r.notebook)
        elif page.file.src_uri == self.config.times_page:
            self._wait()
            page.file.content_string = generated.times_markdown(
                self.ordered, page=self.config.times_page, executed=self.config.execute,
                workers=self.workers, threads=self.config.threads)
        return page

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig,
                         files: Files) -> str:
        """Replace the results-table marker with the table of headline results."""
        if self.config.results_marker not in markdown or page.file.src_uri in self.records:
            return markdown
        self._wait()
        table = generated.results_markdown(
            self.ordered, from_page=page.file.src_uri, executed=self.config.execute)
        return markdown.replace(self.config.results_marker, table)

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Rework every page's HTML (:mod:`~tutorial_site.markup`); link the downloads."""
        html = markup.page_content(html, page, config.site_dir, self.markup_cache)
        if not self.config.downloads or page.file.src_uri not in self.records:
            return html
        return self.downloads.links(html, page.file.src_uri, self.config.execute)

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        """Write a tutorial page's downloads next to its HTML."""
        r = self.records.get(page.file.src_uri)
        if self.config.downloads and r is not None:
            executed = r.notebook if self.config.execute and not r.error else None
            self.downloads.write(r.page, Path(page.file.abs_dest_path).parent, executed)
        return output

    def on_env(self, env: Any, config: MkDocsConfig, files: Files) -> Any:
        """Fail ``mkdocs build`` if a page failed (named when it failed) or broke a rule."""
        self._wait()
        failed = [r.display for r in self.records.values() if r.error]
        changed = cache.changed_since(self.docs_before, self.docs)
        if failed:
            problem = f"failed: {', '.join(failed)}"
        elif changed:
            problem = (f"files in docs/ changed while the pages ran: {', '.join(changed[:5])} "
                       "(a page must not write there, it would be published)")
        else:
            problem = generated.duplicate_results(self.ordered)
        if problem and not self.serving:
            raise PluginError(f"executed-pages: {problem}")
        return env

    def on_post_build(self, config: MkDocsConfig) -> None:
        """Finish the pages' assets; drop the cache entries no page of this build used."""
        stylesheet.finish_site(config.site_dir, self.markup_cache)
        markup.note_rendered(self.rendered)
        cache.evict(self.markup_cache, (), self.config.evict_after)
        if self.config.execute and not any(r.error for r in self.records.values()):
            removed = cache.evict(self.store.root, self.used, self.config.evict_after)
            if removed:
                log.info("executed-pages: removed %d unused cache entries", removed)

    def on_build_error(self, *, error: Exception) -> None:
        """Let running pages finish: their results are cached."""
        self._wait()  # (Ctrl-C and SIGTERM do not get here: see _interrupt)
