"""Executing pages: each in its own Jupyter kernel (nbclient), several at once, within limits.

A watchdog stops a kernel over its page's CPU budget or wall-clock limit, the output limit
stops even a cell that never ends, and text on stderr (a warning) fails a cell unless it is
tagged ``expected-warning``. :meth:`Runner.cancel` kills every kernel at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import nbformat
import psutil
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from traitlets.config import Config

from tutorial_site.kernel import Zygote
from tutorial_site.record import PageRecord, cell_label

#: Thread-count variables of the numeric libraries (OpenMP, MKL, OpenBLAS...).
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                    "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")
EXPECTED_WARNING = "expected-warning"  # the tag of a cell that warns on purpose
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_WARNING = re.compile(r"\b\w*Warning: .*")

Job = tuple[PageRecord, nbformat.NotebookNode]  # a page and its notebook, to execute


def kernel_environment(threads: int) -> dict[str, str]:
    """The build's environment with fixed threads: a page computes the same bits anywhere.

    Python's own variables are dropped but ``PYTHONPATH`` (part of the cache key): e.g.
    ``PYTHONWARNINGS=ignore`` or ``PYTHONOPTIMIZE=1`` would let a page pass that must fail.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON") or k == "PYTHONPATH"}
    env.update(PYTHONHASHSEED="0", MPLBACKEND="Agg")
    env.update(dict.fromkeys(THREAD_VARIABLES, str(threads)))
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # ipykernel's debugger warns otherwise
    return env


def schedule(jobs: list[Job], times: dict[str, float], workers: int) -> dict[str, float]:
    """Sort ``jobs`` longest first (by ``times``, else budgets); say when each should end."""
    jobs.sort(key=lambda job: (-times.get(job[0].page, job[0].budget), job[0].page))
    free, ends = [0.0] * workers, {}  # when each worker is free
    for r, _ in jobs:
        free.sort()
        free[0] = ends[r.page] = free[0] + times.get(r.page, r.budget)
    return ends


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` and of every process it started."""
    try:
        process = psutil.Process(pid)
        processes = [process, *process.children(recursive=True)]
    except psutil.Error:
        return None
    total = 0.0
    for each in processes:
        with contextlib.suppress(psutil.Error):  # (one that has just ended)
            total += sum(each.cpu_times()[:4])  # its own, and its waited children's
    return total


def _stderr_problem(cell: Any) -> str | None:
    """Why a cell's stderr fails it: a warning or text not expected, or no expected warning."""
    text = "".join(o.text for o in cell.outputs if o.get("name") == "stderr")
    warning = _WARNING.search(text)
    if EXPECTED_WARNING in cell.metadata.get("tags", []):
        return None if warning else f"is tagged {EXPECTED_WARNING!r} but no warning occurred"
    if warning:
        return f"warned {warning[0][:300]}"
    lines = [line for line in text.splitlines() if line.strip()]
    return f"wrote to stderr: {lines[0][:300]}" if lines else None


class _KernelManager(AsyncKernelManager):  # type: ignore[misc]
    """Starts its kernel behind ``launcher`` (a zygote's, if any)."""

    launcher: list[str] = []

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        return [*self.launcher, *super().format_kernel_cmd(extra_arguments)]


class _Stop(Exception):
    """Raised after a cell: the page must stop (why: ``_Page.stop``)."""


class _Page(NotebookClient):  # type: ignore[misc]
    """The execution of one page: nbclient's client, watching the page's limits."""

    def __init__(self, runner: Runner, r: PageRecord, notebook: nbformat.NotebookNode,
                 name: str) -> None:
        options = runner.options
        config = Config({"KernelManager": {"transport": "ipc", "ip": name,
                                           "connection_file": f"{name}.json"}})
        cwd = r.source.parent if options.cwd == "page" else runner.project
        super().__init__(
            notebook, kernel_name=options.kernel_name, timeout=options.timeout,
            allow_errors=False, record_timing=False, shutdown_kernel="immediate",
            resources={"metadata": {"path": str(cwd)}}, config=config,
            on_cell_execute=self._starting, on_cell_executed=self._executed,
            kernel_manager_class=_KernelManager,
        )
        self.runner, self.r = runner, r
        self.cell: int | None = None  # the cell running (then the one that failed)
        self.size = 0  # bytes of output so far
        self.stop: str | None = None  # why the page must stop
        self.start = time.monotonic()
        self.km = self.create_kernel_manager()
        self.km.launcher = runner.zygote.launcher() if runner.zygote else []

    async def run(self) -> int | None:
        """Execute the page; fill in its record; return the index of the cell that failed."""
        r, options = self.r, self.runner.options
        watchdog = asyncio.create_task(self._watch())
        try:
            await self.async_execute(env=self.runner.env)
        except (_Stop, DeadKernelError):
            r.error = self.stop or "the kernel died"
        except CellExecutionError as failure:
            lines = [line for line in _ANSI.sub("", failure.traceback).splitlines()
                     if line.strip(" -")]
            starts = [i for i, line in enumerate(lines) if "Traceback" in line]
            tail = lines[starts[-1] if starts else 0 :][-6:]
            r.error = f"raised {failure.ename}: {failure.evalue[:1000]}\n" + "\n".join(
                "    " + line[:300] for line in tail)
        except CellTimeoutError:
            r.error = f"did not finish within the cell timeout of {options.timeout} s"
        except Exception as failure:  # kernel start-up failures, lost replies
            r.error = f"execution failed: {type(failure).__name__}: {failure}"
        finally:
            watchdog.cancel()
        r.seconds = time.monotonic() - self.start
        if self.runner.cancelled:
            r.error = "the build was interrupted"
        if r.error is None:
            return None
        r.error = f"{cell_label(self.nb, self.cell)}: {r.error}"
        return self.cell

    def pid(self) -> int | None:
        """The kernel's pid (its launcher's until the zygote forked it); None if none runs."""
        process = getattr(self.km.provisioner, "process", None) if self.km else None
        if process is None:
            return None
        kernel = self.runner.zygote.kernel_pid(process.pid) if self.runner.zygote else None
        return kernel or process.pid

    def kill(self) -> None:
        """Kill the kernel with its process group (what its page started)."""
        pid = self.pid()
        if pid is not None:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)  # (jupyter_client and the zygote make groups)

    def output(self, outs: list[Any], msg: dict[str, Any], display_id: str | None,
               cell_index: int) -> Any:
        """Keep an output, unless the page is over its output limit: then stop the kernel."""
        self.size += len(str(msg["content"]))
        limit = self.runner.options.output_limit
        if self.size > limit and not self.stop:
            self.stop = (f"brought the page's output to {self.size / 1e6:.1f} MB, "
                         f"over the limit of {limit / 1e6:g} MB")
            self.cell = cell_index
            self.kill()  # the cell may never end
        if self.stop:
            outs[:] = []  # not even on the error page
            return None
        return super().output(outs, msg, display_id, cell_index)

    def _starting(self, cell_index: int, **_: Any) -> None:
        self.cell = cell_index

    def _executed(self, cell: Any, execute_reply: Any, **_: Any) -> None:
        failed = execute_reply and execute_reply["content"]["status"] != "ok"
        if not self._over_limits() and not failed:  # (nbclient reports an exception)
            self.stop = _stderr_problem(cell)
        if self.stop:
            raise _Stop

    def _over_limits(self) -> bool:
        """Measure the kernel's CPU time; say whether the page must stop (why: ``stop``)."""
        r, limit = self.r, self.runner.options.page_timeout
        pid = self.pid()
        cpu = None if pid is None else _cpu_seconds(pid)
        r.cpu_seconds = r.cpu_seconds if cpu is None else cpu
        if not self.stop and r.cpu_seconds is not None and r.cpu_seconds > r.budget:
            self.stop = f"went over the page's budget of {r.budget:g} s of CPU time"
        if not self.stop and time.monotonic() - self.start > limit:
            self.stop = f"went over the page's limit of {limit:g} s"
        return bool(self.stop)

    async def _watch(self) -> None:
        """Stop the kernel once the page is over its limits (polled four times a second)."""
        while not self._over_limits():
            await asyncio.sleep(0.25)
        self.kill()


class Runner:
    """Executes jobs, ``workers`` at a time, with the plugin's ``options``, forked by ``zygote``.

    The options used: ``kernel_name``, ``threads``, ``cwd``, ``timeout`` (per cell),
    ``page_timeout`` (per page, wall clock) and ``output_limit`` (bytes of output per page).
    """

    def __init__(self, options: Any, workers: int, zygote: Zygote | None, project: Path) -> None:
        self.options, self.workers, self.zygote = options, workers, zygote
        self.project, self.env = project, kernel_environment(options.threads)
        self.folder = tempfile.mkdtemp(prefix="xp-")
        self.cancelled = False
        self._pages: set[_Page] = set()  # running
        self._lock = threading.Lock()

    def run(self, jobs: Sequence[Job], done: Callable[[PageRecord, Any, int | None], None]) -> None:
        """Execute ``jobs`` in order of start; as each ends, ``done(record, notebook, cell)``.

        The record's ``seconds``, ``cpu_seconds`` and ``error`` are set; the notebook is
        executed up to the cell that failed (``cell``, None if none did).
        """

        async def run_all() -> None:
            semaphore = asyncio.Semaphore(self.workers)

            async def one(index: int, r: PageRecord, notebook: nbformat.NotebookNode) -> None:
                async with semaphore:
                    if self.cancelled:
                        return
                    page = _Page(self, r, notebook, os.path.join(self.folder, str(index)))
                    with self._lock:
                        self._pages.add(page)
                    cell = await page.run()
                    with self._lock:
                        self._pages.discard(page)
                    done(r, notebook, cell)

            await asyncio.gather(*(one(i, *job) for i, job in enumerate(jobs)))

        try:
            asyncio.run(run_all())
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def cancel(self) -> None:
        """Kill every kernel (and the zygote) now; from any thread, or a signal handler."""
        self.cancelled = True
        with self._lock:
            for page in self._pages:
                page.kill()
        if self.zygote is not None:
            self.zygote.close(kill=True)
        shutil.rmtree(self.folder, ignore_errors=True)
