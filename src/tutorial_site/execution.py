"""Parallel execution of tutorial pages, each in its own fresh Jupyter kernel."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

#: Thread-count variables of the numeric libraries a page may use (OpenMP, MKL, OpenBLAS...).
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class PageJob:
    """One page to execute.

    Attributes:
        page: Path relative to the docs folder (used in messages).
        notebook: The page as a notebook (read with jupytext), without outputs.
        cwd: Working directory of the page's kernel.
    """

    page: str
    notebook: nbformat.NotebookNode
    cwd: Path


@dataclass
class PageRun:
    """Outcome of executing one page.

    Attributes:
        page: Path relative to the docs folder.
        seconds: Wall time from kernel start to the end of the last cell.
        cpu_seconds: CPU time of the kernel process (start-up included) at the end of the
            last cell, or None where it cannot be read (no ``/proc``). Unlike the wall time
            it hardly depends on how busy the machine is.
        notebook: The executed notebook, or None if execution failed.
        error: What went wrong, naming the cell and the exception, or None.
    """

    page: str
    seconds: float
    cpu_seconds: float | None = None
    notebook: nbformat.NotebookNode | None = None
    error: str | None = None


def process_cpu_seconds(pid: int) -> float | None:
    """Return the user + system CPU seconds of process ``pid`` and its waited children.

    Reads ``/proc/<pid>/stat`` (Linux); returns None where that is not available.
    """
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # Fields 14-17 of proc(5): utime, stime, cutime, cstime (after "pid (comm)" come field 3+).
    ticks = sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def _kernel_pid(client: Any) -> int | None:
    process = getattr(getattr(getattr(client, "km", None), "provisioner", None), "process", None)
    return getattr(process, "pid", None)


def kernel_environment(threads: int, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment of every page kernel: the build's own, with fixed thread settings.

    Every kernel gets the same thread counts whatever the number of parallel workers, so a
    page computes bit-identical numbers in a serial and in a parallel build (torch takes its
    intra-op thread count from ``OMP_NUM_THREADS``).

    Args:
        threads: Threads per kernel for torch, OpenMP, MKL and OpenBLAS.
        base: Starting environment (default: ``os.environ``).

    Returns:
        The environment for the kernel processes.
    """
    env = dict(os.environ if base is None else base)
    env.update({name: str(threads) for name in THREAD_VARIABLES})
    env["PYTHONHASHSEED"] = "0"
    env["MPLBACKEND"] = "Agg"
    # ipykernel's debugger otherwise warns about frozen modules on every kernel start.
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


def _cell_label(notebook: nbformat.NotebookNode, index: int | None) -> str:
    if index is None or not 0 <= index < len(notebook.cells):
        return "a cell"
    cell = notebook.cells[index]
    number = sum(1 for c in notebook.cells[: index + 1] if c.cell_type == "code")
    first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
    if len(first_line) > 70:
        first_line = first_line[:67] + "..."
    return f"code cell {number} (notebook cell {index + 1}: `{first_line}`)"


@contextlib.asynccontextmanager
async def _socket_folder() -> AsyncIterator[str]:
    # Short path: Unix socket paths are limited to about 100 characters.
    folder = tempfile.mkdtemp(prefix="xp-", dir="/tmp" if os.path.isdir("/tmp") else None)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def _execute_one(
    job: PageJob,
    semaphore: asyncio.Semaphore,
    *,
    kernel_name: str,
    timeout: int,
    startup_timeout: int,
    env: dict[str, str],
) -> PageRun:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from traitlets.config import Config

    async with semaphore, _socket_folder() as sockets:
        notebook = nbformat.from_dict(job.notebook)
        failed: dict[str, int] = {}

        def remember(cell: Any, cell_index: int, **_: Any) -> None:
            failed["index"] = cell_index

        started: dict[str, int] = {}
        cpu: dict[str, float | None] = {"seconds": None}

        def remember_start(cell: Any, cell_index: int, **_: Any) -> None:
            started["index"] = cell_index

        def measure_cpu(cell: Any, cell_index: int, **_: Any) -> None:
            pid = _kernel_pid(client)
            if pid is not None:
                cpu["seconds"] = process_cpu_seconds(pid)

        client = NotebookClient(
            notebook,
            kernel_name=kernel_name,
            timeout=timeout,
            startup_timeout=startup_timeout,
            allow_errors=False,
            record_timing=False,
            resources={"metadata": {"path": str(job.cwd)}},
            on_cell_error=remember,
            on_cell_execute=remember_start,
            on_cell_executed=measure_cpu,
            # IPC sockets in a private folder: no TCP port races between parallel kernels.
            config=Config({"KernelManager": {"transport": "ipc", "ip": f"{sockets}/k"}}),
        )
        start = time.perf_counter()
        try:
            executed = await client.async_execute(env=env)
        except CellExecutionError as error:
            where = _cell_label(notebook, failed.get("index", started.get("index")))
            traceback = _ANSI.sub("", error.traceback).strip().splitlines()
            tail = "\n".join("    " + line for line in traceback[-6:])
            message = f"{where} raised {error.ename}: {error.evalue}\n{tail}"
            return PageRun(job.page, time.perf_counter() - start, error=message)
        except CellTimeoutError:
            where = _cell_label(notebook, started.get("index"))
            message = f"{where} did not finish within the per-cell timeout of {timeout} s"
            return PageRun(job.page, time.perf_counter() - start, error=message)
        except DeadKernelError as error:
            where = _cell_label(notebook, started.get("index"))
            message = f"the kernel died while running {where}: {error}"
            return PageRun(job.page, time.perf_counter() - start, error=message)
        except Exception as error:  # kernel start-up failures, timeouts waiting for replies
            message = f"execution failed: {type(error).__name__}: {error}"
            return PageRun(job.page, time.perf_counter() - start, error=message)
        seconds = time.perf_counter() - start
        return PageRun(job.page, seconds, cpu_seconds=cpu["seconds"], notebook=executed)


async def _execute_all(jobs: Sequence[PageJob], workers: int, **options: Any) -> list[PageRun]:
    semaphore = asyncio.Semaphore(workers)
    return list(await asyncio.gather(*(_execute_one(job, semaphore, **options) for job in jobs)))


def execute_pages(
    jobs: Sequence[PageJob],
    *,
    workers: int,
    kernel_name: str,
    timeout: int,
    startup_timeout: int,
    threads: int,
) -> list[PageRun]:
    """Execute pages, up to ``workers`` at a time, each in a fresh kernel.

    Kernels are separate processes, so one event loop drives them all concurrently. It runs
    in its own thread, so this works whether or not the caller already has an event loop.
    A failing page does not stop the others: their results are still worth caching.

    Args:
        jobs: The pages to execute.
        workers: Maximum number of kernels running at once.
        kernel_name: Jupyter kernel to start (e.g. ``python3``).
        timeout: Per-cell timeout in seconds.
        startup_timeout: Seconds to wait for a kernel to start.
        threads: Thread count given to every kernel (see :func:`kernel_environment`).

    Returns:
        One :class:`PageRun` per job, in the order of ``jobs``.
    """
    if not jobs:
        return []
    options = {
        "kernel_name": kernel_name,
        "timeout": timeout,
        "startup_timeout": startup_timeout,
        "env": kernel_environment(threads),
    }
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="executed-pages") as pool:
        return pool.submit(asyncio.run, _execute_all(jobs, max(1, workers), **options)).result()
