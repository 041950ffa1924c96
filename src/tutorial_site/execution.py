"""Executing pages: each in its own Jupyter kernel (nbclient), several at once, within limits.

One event loop drives every kernel. A watchdog stops a kernel over its page's CPU budget
(the kernel and the processes it started) or wall-clock limit; outputs are counted as they
arrive, so the output limit stops even a cell that never ends; after each cell, text on
stderr (a warning) fails the page unless the cell is tagged ``expected-warning``.
:meth:`Runner.cancel` kills every kernel with its process group at once.
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
from traitlets import List, Unicode
from traitlets.config import Config

from tutorial_site.kernel import Zygote
from tutorial_site.record import PageRecord, cell_label

#: Thread-count variables of the numeric libraries (OpenMP, MKL, OpenBLAS...).
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                    "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")
#: Tag of a cell that shows a warning (text on stderr) on purpose; it fails without one.
EXPECTED_WARNING = "expected-warning"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_WARNING = re.compile(r"\b\w*Warning: .*")

Job = tuple[PageRecord, nbformat.NotebookNode]  # a page and its notebook, to execute


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


def schedule(jobs: list[Job], times: dict[str, float], workers: int) -> dict[str, float]:
    """Sort ``jobs`` longest first (by ``times``, else budgets); say when each should end."""
    jobs.sort(key=lambda job: (-times.get(job[0].page, job[0].budget), job[0].page))
    free, ends = [0.0] * workers, {}  # when each worker is free
    for r, _ in jobs:
        free.sort()
        free[0] = ends[r.page] = free[0] + times.get(r.page, r.budget)
    return ends


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


class _Stop(Exception):
    """Raised by the hook after a cell: the page must stop (message in ``args[0]``)."""


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
        self._managers: set[Any] = set()
        self._lock = threading.Lock()

    def run(self, jobs: Sequence[Job], done: Callable[[PageRecord, Any, int | None], None]) -> None:
        """Execute ``jobs`` in order of start; as each ends, ``done(record, notebook, cell)``.

        The record's ``seconds``, ``cpu_seconds`` and ``error`` are set; the notebook is
        executed up to the cell that failed (``cell``, None if none did).
        """

        async def run_all() -> None:
            semaphore = asyncio.Semaphore(self.workers)

            async def one(r: PageRecord, notebook: nbformat.NotebookNode) -> None:
                async with semaphore:
                    if not self.cancelled:
                        cell = await self._execute(r, notebook)
                        done(r, notebook, cell)

            await asyncio.gather(*(one(*job) for job in jobs))

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
        """The kernel's pid, then its launcher's (when forked by the zygote)."""
        process = getattr(km.provisioner, "process", None) if km.provisioner else None
        if process is None:
            return []
        kernel = self.zygote.kernel_pid(process.pid) if self.zygote else process.pid
        return [pid for pid in (kernel, process.pid) if pid]

    async def _execute(self, r: PageRecord, notebook: nbformat.NotebookNode) -> int | None:
        """Run one page; fill in its record; return the index of the cell that failed."""
        options, folder = self.options, tempfile.mkdtemp(dir=self.folder)
        config = Config({"KernelManager": {"transport": "ipc", "ip": f"{folder}/k",
                                           "connection_file": f"{folder}/k.json"}})
        launcher = self.zygote.launcher() if self.zygote else []
        config["ForkingKernelManager"] = Config({"launcher": launcher})
        state: dict[str, Any] = {"cell": None, "size": 0, "stop": None, "start": time.monotonic()}

        def count(msg: dict[str, Any], cell_index: int) -> bool:
            state["size"] += len(str(msg["content"]))
            if state["size"] > options.output_limit and not state["stop"]:
                state["stop"] = (f"brought the page's output to {state['size'] / 1e6:.1f} MB, "
                                 f"over the limit of {options.output_limit / 1e6:g} MB")
                state["cell"] = cell_index
                kill(self._pids(client.km))  # the cell may never end
            return not state["stop"]

        def after(cell: Any, cell_index: int, execute_reply: Any, **_: Any) -> None:
            if self._over_limits(client.km, r, state):
                raise _Stop(state["stop"])
            if execute_reply and execute_reply["content"]["status"] != "ok":
                return  # nbclient reports the exception
            stderr = [line for o in cell.outputs if o.get("name") == "stderr"
                      for line in "".join(o.get("text", "")).splitlines() if line.strip()]
            warning = next((m[0] for line in stderr if (m := _WARNING.search(line))), None)
            if EXPECTED_WARNING not in cell.metadata.get("tags", []):
                if warning or stderr:
                    raise _Stop(f"warned {warning}" if warning else
                                f"wrote to stderr: {stderr[0][:300]}")
            elif not warning:
                raise _Stop(f"is tagged {EXPECTED_WARNING!r} but no warning occurred")

        cwd = r.source.parent if options.cwd == "page" else self.project
        client = _Client(
            notebook, kernel_name=options.kernel_name, timeout=options.timeout,
            allow_errors=False, record_timing=False, shutdown_kernel="immediate",
            resources={"metadata": {"path": str(cwd)}}, config=config,
            on_cell_execute=lambda cell_index, **_: state.update(cell=cell_index),
            on_cell_executed=after, kernel_manager_class=ForkingKernelManager,
        )
        client.counter = count
        client.km = client.create_kernel_manager()
        with self._lock:
            self._managers.add(client.km)
        watchdog = asyncio.create_task(self._watch(client.km, r, state))
        try:
            await client.async_execute(env=self.env)
        except _Stop as stop:
            r.error = stop.args[0]
        except CellExecutionError as failure:
            lines = [line for line in _ANSI.sub("", failure.traceback).splitlines()
                     if line.strip(" -")]
            starts = [i for i, line in enumerate(lines) if "Traceback" in line]
            tail = lines[starts[-1] if starts else 0 :][-6:]
            r.error = f"raised {failure.ename}: {failure.evalue[:1000]}\n" + "\n".join(
                "    " + line[:300] for line in tail)
        except CellTimeoutError:
            r.error = f"did not finish within the cell timeout of {options.timeout} s"
        except DeadKernelError:
            r.error = state["stop"] or "the kernel died"
        except Exception as failure:  # kernel start-up failures, lost replies
            r.error = f"execution failed: {type(failure).__name__}: {failure}"
        finally:
            watchdog.cancel()
            with self._lock:
                self._managers.discard(client.km)
            shutil.rmtree(folder, ignore_errors=True)
        r.seconds = time.monotonic() - state["start"]
        if self.cancelled:
            r.error = "the build was interrupted"
        if r.error is None:
            return None
        r.error = f"{cell_label(notebook, state['cell'])}: {r.error}"
        return state["cell"]

    def _over_limits(self, km: Any, r: PageRecord, state: dict[str, Any]) -> bool:
        """Measure the kernel's CPU time; say whether the page must stop (why: ``stop``)."""
        pids = self._pids(km)
        cpu = cpu_seconds(pids[0]) if pids else None
        r.cpu_seconds = r.cpu_seconds if cpu is None else cpu
        if state["stop"]:
            pass  # (the output limit)
        elif r.cpu_seconds is not None and r.cpu_seconds > r.budget:
            state["stop"] = f"went over the page's budget of {r.budget:g} s of CPU time"
        elif time.monotonic() - state["start"] > self.options.page_timeout:
            state["stop"] = f"went over the page's limit of {self.options.page_timeout:g} s"
        return bool(state["stop"])

    async def _watch(self, km: Any, r: PageRecord, state: dict[str, Any]) -> None:
        """Stop the kernel once the page is over its limits (polled four times a second)."""
        while not self._over_limits(km, r, state):
            await asyncio.sleep(0.25)
        kill(self._pids(km))
