"""Parallel execution of tutorial pages, each in its own fresh Jupyter kernel."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from queue import Empty
from typing import Any

import nbformat
from jupyter_client.asynchronous import AsyncKernelClient

from tutorial_site.zygote import COMMAND as ZYGOTE_COMMAND
from tutorial_site.zygote import Zygote, ZygoteUnsafeError

#: Thread-count variables of the numeric libraries a page may use (OpenMP, MKL, OpenBLAS...).
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)
log = logging.getLogger("mkdocs.plugins.executed_pages")
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
        cpu_seconds: CPU time of the kernel process at the end of the last cell, or None
            where it cannot be read (no ``/proc``). Unlike the wall time it hardly depends
            on how busy the machine is. For a fresh kernel it counts the interpreter and
            kernel start-up and every import; for a kernel forked by the preload zygote
            (see :mod:`tutorial_site.zygote`) it counts from the fork: the kernel start-up
            and the page's cells, but not the preloaded imports, which the zygote paid once
            for the whole build.
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


def _kernel_pid(client: Any, zygote: Zygote | None = None) -> int | None:
    process = getattr(getattr(getattr(client, "km", None), "provisioner", None), "process", None)
    pid = getattr(process, "pid", None)
    if pid is not None and zygote is not None:
        # The managed process is the launcher; the kernel is the zygote's child.
        return zygote.kernel_pid(pid)
    return pid


class ReadyKernelClient(AsyncKernelClient):  # type: ignore[misc]
    """A kernel client whose ``wait_for_ready`` ends as soon as the kernel is ready.

    jupyter_client ends its wait by reading IOPub until nothing came for 0.2 s: a fixed
    delay for every page. Nothing needs flushing here, as nbclient only takes the IOPub
    messages that answer its own requests. What matters is kept: a ``kernel_info`` reply
    on shell, then a message on IOPub (so it is connected and no output of the first cell
    can be missed).
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        """Wait for the kernel's ``kernel_info`` reply and a first IOPub message."""
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                pass
            else:
                if reply["msg_type"] == "kernel_info_reply":
                    try:
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(reply)
                        return
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")


def _zygote_kernel_manager() -> type:
    """The kernel manager class that starts kernels through a zygote's launcher."""
    global _ZYGOTE_KM
    if _ZYGOTE_KM is None:
        from jupyter_client.manager import AsyncKernelManager
        from traitlets import Unicode

        class ZygoteKernelManager(AsyncKernelManager):  # type: ignore[misc]
            """Starts ``zygote.launch SOCKET <kernel command>`` instead of the kernel."""

            zygote_socket = Unicode("", help="The zygote's UNIX socket.").tag(config=True)

            def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
                command = super().format_kernel_cmd(extra_arguments)
                if not self.zygote_socket:
                    return command
                return [
                    sys.executable,
                    "-c",
                    ZYGOTE_COMMAND,
                    "launch",
                    self.zygote_socket,
                    *command,
                ]

        _ZYGOTE_KM = ZygoteKernelManager
    return _ZYGOTE_KM


_ZYGOTE_KM: type | None = None


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
    zygote: Zygote | None = None,
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
            pid = _kernel_pid(client, zygote)
            if pid is not None:
                cpu["seconds"] = process_cpu_seconds(pid)

        config = Config({"KernelManager": {"transport": "ipc", "ip": f"{sockets}/k"}})
        config["AsyncKernelManager"] = Config(
            {"client_class": f"{__name__}.{ReadyKernelClient.__name__}"}
        )
        extra: dict[str, Any] = {}
        if zygote is not None:
            config["ZygoteKernelManager"] = Config({"zygote_socket": zygote.socket_path})
            extra["kernel_manager_class"] = _zygote_kernel_manager()
        client = NotebookClient(
            notebook,
            kernel_name=kernel_name,
            timeout=timeout,
            startup_timeout=startup_timeout,
            allow_errors=False,
            record_timing=False,
            # Every output has arrived when the last cell is done: killing the kernel then
            # frees the worker at once (a graceful shutdown takes a few tenths of a second).
            shutdown_kernel="immediate",
            resources={"metadata": {"path": str(job.cwd)}},
            on_cell_error=remember,
            on_cell_execute=remember_start,
            on_cell_executed=measure_cpu,
            # IPC sockets in a private folder: no TCP port races between parallel kernels.
            config=config,
            **extra,
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


def _zygote_folder() -> str:
    return tempfile.mkdtemp(prefix="zy-", dir="/tmp" if os.path.isdir("/tmp") else None)


class ZygoteKeeper:
    """Keeps one preload zygote between the builds of ``mkdocs serve``.

    A rebuild then forks its kernels at once instead of importing the preloaded modules
    again. The zygote is replaced when the modules or the kernel environment asked for
    differ, or when it is no longer current (:meth:`Zygote.is_current`: it died, or a file
    of a module it imported changed). Zygotes are started from one long-lived thread: the
    zygote is killed when the thread that started it ends (``PR_SET_PDEATHSIG``).
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zygote-keeper")
        self._zygote: Zygote | None = None
        self._key: tuple[Any, ...] | None = None
        self._folder: str | None = None
        self._unsafe: tuple[tuple[Any, ...], ZygoteUnsafeError] | None = None

    def acquire(self, modules: Sequence[str], env: dict[str, str], timeout: float) -> Zygote:
        """Return a current zygote for ``modules`` and ``env``, starting one if needed.

        Raises:
            ZygoteUnsafeError: If importing the modules starts threads (remembered: the
                same request is refused at once next time).
            ZygoteError: If the modules cannot be imported.
        """
        return self._pool.submit(self._acquire, tuple(modules), dict(env), timeout).result()

    def start(self, modules: Sequence[str], env: dict[str, str], timeout: float) -> None:
        """Start a zygote in the background, so that the first rebuild does not wait for it.

        Errors are not raised here; :meth:`acquire` raises them when a build needs it.
        """
        future = self._pool.submit(self._acquire, tuple(modules), dict(env), timeout)
        future.add_done_callback(lambda done: done.exception())

    def _acquire(self, modules: tuple[str, ...], env: dict[str, str], timeout: float) -> Zygote:
        key = (modules, tuple(sorted(env.items())))
        if self._unsafe is not None and self._unsafe[0] == key:
            raise self._unsafe[1]
        if self._zygote is not None and (self._key != key or not self._zygote.is_current()):
            log.info("executed-pages: restarting the preload zygote (stopped, or stale)")
            self._close()
        if self._zygote is None:
            folder = _zygote_folder()
            try:
                self._zygote = Zygote(modules, env, folder, timeout=timeout)
            except ZygoteUnsafeError as error:
                self._unsafe = (key, error)
                shutil.rmtree(folder, ignore_errors=True)
                raise
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            self._key, self._folder = key, folder
        return self._zygote

    def _close(self) -> None:
        if self._zygote is not None:
            self._zygote.close()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
        self._zygote = self._key = self._folder = None

    def close(self) -> None:
        """Stop the zygote (it kills the kernels it forked) and the keeper's thread."""
        with contextlib.suppress(RuntimeError):  # already shut down
            self._pool.submit(self._close).result()
        self._pool.shutdown(wait=True)


def execute_pages(
    jobs: Sequence[PageJob],
    *,
    workers: int,
    kernel_name: str,
    timeout: int,
    startup_timeout: int,
    threads: int,
    preload: Sequence[str] = (),
    keeper: ZygoteKeeper | None = None,
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
        preload: Modules to import once in a zygote that forks the kernels (see
            :mod:`tutorial_site.zygote`); empty: every kernel is a fresh process.
        keeper: Where the zygote is kept between builds (``mkdocs serve``); None: the
            zygote is started for this call and stopped at its end.

    Returns:
        One :class:`PageRun` per job, in the order of ``jobs``.

    Raises:
        ZygoteError: If the ``preload`` modules cannot be imported (error, or a warning a
            fresh kernel would have shown in the page). If importing them starts threads
            (e.g. OpenBLAS with ``threads`` > 1), forking would be unsafe: the pages then
            run in fresh kernels.
    """
    if not jobs:
        return []
    env = kernel_environment(threads)
    options: dict[str, Any] = {
        "kernel_name": kernel_name,
        "timeout": timeout,
        "startup_timeout": startup_timeout,
        "env": env,
    }
    with contextlib.ExitStack() as stack:
        if preload:
            try:
                if keeper is not None:
                    zygote = keeper.acquire(preload, env, startup_timeout)
                else:
                    folder = _zygote_folder()
                    stack.callback(shutil.rmtree, folder, ignore_errors=True)
                    zygote = Zygote(preload, env, folder, timeout=startup_timeout)
                    stack.callback(zygote.close)
            except ZygoteUnsafeError as error:
                # Forking a threaded process is unsafe; fresh kernels give the same outputs.
                log.info("executed-pages: %s; using fresh kernels", error)
            else:
                options["zygote"] = zygote
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="executed-pages") as pool:
            run = _execute_all(jobs, max(1, workers), **options)
            return pool.submit(asyncio.run, run).result()
    raise AssertionError("unreachable")
