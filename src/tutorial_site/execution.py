"""Executing pages: each in its own Jupyter kernel (nbclient), several at once, within limits.

One event loop drives every kernel. A watchdog polls the CPU time of each kernel and of the
processes it started, and stops it over the page's budget or wall-clock limit; outputs are
counted as they arrive, so a page is stopped at its output limit even inside a cell that
never ends; a hook after each cell checks for unexpected warnings. Everything a run creates
lives in one temporary folder, and :meth:`Runner.cancel` kills every process at once (each
kernel with its process group: what a page started goes with it).
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import psutil
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from traitlets import List, Unicode

from tutorial_site.kernel import WARNING_HOOK, WARNING_MIME, Zygote
from tutorial_site.record import cell_label, invisible

#: Thread-count variables of the numeric libraries (OpenMP, MKL, OpenBLAS...).
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                    "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")
#: Tag of a cell that shows a warning (or other text on stderr) on purpose; it fails if the
#: warning goes away. Untagged, a warning or any stderr text fails the page.
EXPECTED_WARNING = "expected-warning"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_POLL = 0.25


class ForkingKernelManager(AsyncKernelManager):  # type: ignore[misc]
    """A kernel manager that starts its kernel through a zygote's launcher."""

    launcher = List(Unicode(), help="Command prefix from Zygote.launcher().").tag(config=True)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """The kernel command, behind the launcher."""
        return [*self.launcher, *super().format_kernel_cmd(extra_arguments)]


def kernel_environment(threads: int) -> dict[str, str]:
    """The build's environment with fixed threads: a page computes the same bits anywhere.

    Python's own variables are dropped but ``PYTHONPATH`` (part of the cache key): e.g.
    ``PYTHONWARNINGS=ignore`` or ``PYTHONOPTIMIZE=1`` would let a page pass that must fail.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON") or k == "PYTHONPATH"}
    env.update(PYTHONHASHSEED="0", MPLBACKEND="Agg")
    env.update({name: str(threads) for name in THREAD_VARIABLES})
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # ipykernel's debugger warns otherwise
    return env


def cpu_seconds(pid: int) -> float | None:
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


def kill(pids: Sequence[int]) -> None:
    """Kill each process with its process group when it leads one (a kernel does)."""
    for pid in pids:
        with contextlib.suppress(OSError):
            if os.getpgid(pid) == pid:
                os.killpg(pid, signal.SIGKILL)
            else:
                os.kill(pid, signal.SIGKILL)


class _Client(NotebookClient):  # type: ignore[misc]
    """nbclient's client, handing each output to ``counter`` before keeping it."""

    counter: Callable[[dict[str, Any], int], bool] = staticmethod(lambda msg, cell: True)

    def output(self, outs: list[Any], msg: dict[str, Any], display_id: str | None,
               cell_index: int) -> Any:
        """Keep an output unless ``counter`` says the page is over its output limit."""
        if not self.counter(msg, cell_index):
            outs[:] = []  # not even on the error page
            return None
        return super().output(outs, msg, display_id, cell_index)


@dataclass
class Job:
    """One page to execute: its path (for messages), notebook, kernel folder and budget."""

    page: str
    notebook: nbformat.NotebookNode
    cwd: Path
    budget: float


@dataclass
class Outcome:
    """How a page's run ended (the notebook is executed up to the failing cell, if any)."""

    notebook: nbformat.NotebookNode
    seconds: float
    cpu_seconds: float | None = None
    error: str | None = None
    cell: int | None = None


def schedule(jobs: list[Job], times: dict[str, float], workers: int) -> dict[str, float]:
    """Sort ``jobs`` longest first (by ``times``, else budgets); say when each should end."""
    jobs.sort(key=lambda job: (-times.get(job.page, job.budget), job.page))
    free, ends = [0.0] * workers, {}  # when each worker is free
    for job in jobs:
        free.sort()
        free[0] = ends[job.page] = free[0] + times.get(job.page, job.budget)
    return ends


class _Stop(Exception):
    """Raised by the hook after a cell: the page must stop (message in ``args[0]``)."""


class Runner:
    """Executes jobs, ``workers`` at a time, with the plugin's ``options``, forked by ``zygote``.

    The options used: ``kernel_name``, ``threads``, ``timeout`` (per cell), ``page_timeout``
    (per page, wall clock) and ``output_limit`` (bytes of output per page).
    """

    def __init__(self, options: Any, workers: int, zygote: Zygote | None = None) -> None:
        self.kernel_name, self.workers, self.timeout = options.kernel_name, workers, options.timeout
        self.page_timeout, self.output_limit = options.page_timeout, options.output_limit
        self.zygote, self.env = zygote, kernel_environment(options.threads)
        self.folder = tempfile.mkdtemp(prefix="xp-")
        self.cancelled = False
        self._managers: set[Any] = set()
        self._lock = threading.Lock()

    def run(self, jobs: Sequence[Job], done: Callable[[Job, Outcome], None]) -> None:
        """Execute ``jobs`` in order of start; call ``done`` as each one ends."""

        async def run_all() -> None:
            semaphore = asyncio.Semaphore(self.workers)

            async def one(job: Job) -> None:
                async with semaphore:
                    if not self.cancelled:
                        done(job, await self._execute(job))

            await asyncio.gather(*(one(job) for job in jobs))

        try:
            asyncio.run(run_all())
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def cancel(self) -> None:
        """Kill every kernel (and the zygote) now; from any thread, or a signal handler."""
        self.cancelled = True
        with self._lock:
            kill([pid for km in self._managers for pid in self._pids(km)])
        if self.zygote is not None:
            self.zygote.close(kill=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    def _pids(self, km: Any) -> list[int]:
        process = getattr(km.provisioner, "process", None) if km.provisioner else None
        if process is None:
            return []
        kernel = self.zygote.kernel_pid(process.pid) if self.zygote else process.pid
        return [pid for pid in (kernel, process.pid) if pid]

    async def _execute(self, job: Job) -> Outcome:
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
        from traitlets.config import Config

        folder = tempfile.mkdtemp(dir=self.folder)
        config = Config({"KernelManager": {"transport": "ipc", "ip": f"{folder}/k",
                                           "connection_file": f"{folder}/k.json"}})
        launcher = self.zygote.launcher() if self.zygote else []
        config["ForkingKernelManager"] = Config({"launcher": launcher})
        notebook = nbformat.from_dict(job.notebook)
        state: dict[str, Any] = {"cell": None, "cpu": None, "size": 0, "stop": None}

        def before(cell: Any, cell_index: int, **_: Any) -> None:
            state["cell"] = cell_index

        def count(msg: dict[str, Any], cell_index: int) -> bool:
            state["size"] += len(str(msg["content"]))
            if state["size"] > self.output_limit and not state["stop"]:
                state["stop"] = (f"brought the page's output to {state['size'] / 1e6:.1f} MB, "
                                 f"over the limit of {self.output_limit / 1e6:g} MB")
                state["cell"] = cell_index
                kill(self._pids(client.km))  # the cell may never end
            return not state["stop"]

        def after(cell: Any, cell_index: int, execute_reply: Any, **_: Any) -> None:
            pids = self._pids(client.km)
            state["cpu"] = cpu_seconds(pids[0]) if pids else None
            if state["cpu"] is not None and state["cpu"] > job.budget:
                state["stop"] = state["stop"] or self._over_budget(job)
            if state["stop"]:
                raise _Stop(state["stop"])
            if execute_reply and execute_reply["content"]["status"] != "ok":
                return  # nbclient reports the exception
            warned = [w["text"] for o in cell.outputs for w in invisible(o, WARNING_MIME)]
            expected = EXPECTED_WARNING in cell.metadata.get("tags", [])
            if warned and not expected:
                raise _Stop(f"warned {warned[0]}")
            stderr = [line for o in cell.outputs if o.get("name") == "stderr"
                      for line in "".join(o.get("text", "")).splitlines() if line.strip()]
            if stderr and not expected:  # e.g. a warning in a child process
                raise _Stop(f"wrote to stderr: {stderr[0][:300]}")
            if expected and not warned:
                raise _Stop(f"is tagged {EXPECTED_WARNING!r} but no warning occurred")

        client = _Client(
            notebook, kernel_name=self.kernel_name, timeout=self.timeout, allow_errors=False,
            record_timing=False, shutdown_kernel="immediate", extra_arguments=[WARNING_HOOK],
            resources={"metadata": {"path": str(job.cwd)}}, on_cell_execute=before,
            on_cell_executed=after, kernel_manager_class=ForkingKernelManager, config=config,
        )
        client.counter = count
        client.km = client.create_kernel_manager()
        with self._lock:
            self._managers.add(client.km)
        start = time.monotonic()
        watchdog = asyncio.create_task(self._watch(client.km, job, state, start))
        error = None
        try:
            await client.async_execute(env=self.env)
        except _Stop as stop:
            error = stop.args[0]
        except CellExecutionError as failure:
            lines = [line for line in _ANSI.sub("", failure.traceback).splitlines()
                     if line.strip(" -")]
            starts = [i for i, line in enumerate(lines) if "Traceback" in line]
            tail = lines[starts[-1] if starts else 0 :][-6:]
            error = f"raised {failure.ename}: {failure.evalue[:1000]}\n" + "\n".join(
                "    " + line[:300] for line in tail)
        except CellTimeoutError:
            error = f"did not finish within the cell timeout of {self.timeout} s"
        except DeadKernelError:
            error = state["stop"] or "the kernel died"
        except Exception as failure:  # kernel start-up failures, lost replies
            error = f"execution failed: {type(failure).__name__}: {failure}"
        finally:
            watchdog.cancel()
            with self._lock:
                self._managers.discard(client.km)
            shutil.rmtree(folder, ignore_errors=True)
        seconds = time.monotonic() - start
        if self.cancelled:
            error = "the build was interrupted"
        if error is None:
            return Outcome(notebook, seconds, state["cpu"])
        where = cell_label(notebook, state["cell"])
        return Outcome(notebook, seconds, state["cpu"], f"{where}: {error}", state["cell"])

    async def _watch(self, km: Any, job: Job, state: dict[str, Any], start: float) -> None:
        """Stop the kernel once it is over the page's CPU budget or wall-clock limit."""
        while True:
            await asyncio.sleep(_POLL)
            pids = self._pids(km)
            cpu = cpu_seconds(pids[0]) if pids else None
            if state["stop"]:
                pass  # (the output limit)
            elif cpu is not None and cpu > job.budget:
                state["stop"] = self._over_budget(job)
            elif time.monotonic() - start > self.page_timeout:
                state["stop"] = f"went over the page's limit of {self.page_timeout:g} s"
            if state["stop"]:
                kill(pids)
                return

    @staticmethod
    def _over_budget(job: Job) -> str:
        return f"went over the page's budget of {job.budget:g} s of CPU time"
