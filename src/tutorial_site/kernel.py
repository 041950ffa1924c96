"""The zygote: a process that imports torch once and forks each page kernel (Linux).

It halves the kernels' CPU time of a cold build (about 36 s against 58 s). The kernel
manager starts a small *launcher* in place of the kernel: it hands the kernel command,
environment, folder and standard streams to the zygote over a UNIX socket, relays signals
and exits with the kernel's status, so jupyter_client manages it as it would the kernel.
A kernel dies with the zygote (``PR_SET_PDEATHSIG``); its process group (what the page
started) dies with its launcher or when it ends; the zygote exits when its stdin closes.
Only the standard library is imported here: the launcher must start fast.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

#: Imported after the ``preload`` modules: what every ipykernel imports.
KERNEL_MODULES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel_launcher")
COMMAND = "import sys; from tutorial_site.kernel import main; main(sys.argv[1:])"
_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


class ZygoteError(RuntimeError):
    """The zygote could not import the modules (error or warning)."""


class ZygoteUnsafeError(ZygoteError):
    """Importing the modules started threads: forking would be unsafe."""


def _send(conn: socket.socket, message: dict[str, Any], fds: tuple[int, ...] = ()) -> None:
    socket.send_fds(conn, [json.dumps(message).encode() + b"\n"], list(fds))  # one line each


def _receive(conn: socket.socket, fds: list[int] | None = None) -> dict[str, Any] | None:
    data = b""
    while not data.endswith(b"\n"):
        chunk, received, _, _ = socket.recv_fds(conn, 1 << 16, 3)
        if fds is not None:
            fds.extend(received)
        if not chunk:
            return None
        data += chunk
    return json.loads(data)


class _BecomeKernel(Exception):
    """Raised in a forked child: unwind the zygote's loop, then run the kernel."""


def serve(folder: str, modules: list[str]) -> None:
    """The zygote: import ``modules``, then fork a kernel per request until stdin closes."""
    me, problem, threads = os.getpid(), "", len(os.listdir("/proc/self/task"))
    with warnings.catch_warnings(record=True) as caught:
        try:
            for name in [*modules, *KERNEL_MODULES]:
                importlib.import_module(name)
        except Exception as error:
            problem = f"{type(error).__name__}: {error}"
    if caught and not problem:
        problem = f"warned {caught[0].category.__name__}: {caught[0].message}"
    started = len(os.listdir("/proc/self/task")) - threads
    if problem or started:
        why = problem or f"started {started} thread(s)"
        print(json.dumps({"error": f"importing {', '.join(modules)}: {why}",
                          "threads": not problem}), flush=True)
        return
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(os.path.join(folder, "z"))
    listener.listen(64)
    files = {m.__file__: os.stat(m.__file__).st_mtime_ns for m in list(sys.modules.values())
             if isinstance(getattr(m, "__file__", None), str) and os.path.exists(m.__file__)}
    Path(folder, "modules.json").write_text(json.dumps(files))  # large: not through the pipe
    print(json.dumps({"ready": True}), flush=True)
    children: dict[int, socket.socket] = {}
    try:
        while True:
            readable = select.select([listener, 0, *children.values()], [], [], 0.05)[0]
            if 0 in readable and not os.read(0, 4096):
                return  # the build closed our stdin, or died
            for conn in readable:
                if conn is listener:
                    _fork(listener, folder, children)
                elif conn != 0 and not conn.recv(4096):  # its launcher went away
                    _kill_group(next(p for p, c in children.items() if c is conn))
            while children and (done := os.waitpid(-1, os.WNOHANG))[0]:
                conn = children.pop(done[0])
                _kill_group(done[0])  # what the kernel started and left running
                with contextlib.suppress(OSError):
                    _send(conn, {"exit": os.waitstatus_to_exitcode(done[1])})
                conn.close()
    finally:
        if os.getpid() == me:  # (not in a child becoming a kernel)
            for pid in children:
                _kill_group(pid)
            listener.close()
            shutil.rmtree(folder, ignore_errors=True)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)  # a kernel and what it started (its own group)


def _fork(listener: socket.socket, folder: str, children: dict[int, socket.socket]) -> None:
    conn, _ = listener.accept()
    fds: list[int] = []
    request = _receive(conn, fds)
    if request is None or len(fds) != 3:
        conn.close()
        return
    pid = os.fork()
    if pid == 0:
        listener.close()
        for other in [conn, *children.values()]:
            other.close()
        raise _BecomeKernel(request, fds)
    for fd in fds:
        os.close(fd)
    children[pid] = conn
    Path(folder, f"{request['launcher']}.pid").write_text(str(pid))
    _send(conn, {"pid": pid})


def _run_kernel(request: dict[str, Any], fds: list[int]) -> None:
    """In a forked child: become the kernel ``request["argv"]`` asked for."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: die with the zygote
    os.setsid()
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    for number in _SIGNALS:
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    import ipykernel_launcher

    argv = request["argv"][3:]  # after `python -m ipykernel_launcher`
    sys.argv = [ipykernel_launcher.__file__, *argv]
    if sys.path and sys.path[0] == "":
        del sys.path[0]  # as `python -m` does; IPython adds the working directory back
    import random

    random.seed()  # fresh random states, as a fresh kernel has
    for name in ("numpy.random", "torch"):
        if name in sys.modules:
            sys.modules[name].seed()
    from ipykernel import kernelapp

    # ipykernel read JPY_PARENT_PID when the zygote imported it: pass it as a fresh kernel.
    parent = f"--IPKernelApp.parent_handle={int(request['env'].get('JPY_PARENT_PID') or 0)}"
    kernelapp.launch_new_instance(argv=[*argv, parent])


def launch(socket_path: str, argv: list[str]) -> None:
    """The launcher: start kernel ``argv`` through the zygote and stand in for it."""
    conn = socket.socket(socket.AF_UNIX)
    try:
        conn.connect(socket_path)
    except OSError:
        os.execvp(argv[0], argv)  # no zygote (any more): a plain kernel
    request = {"argv": argv, "env": dict(os.environ), "cwd": os.getcwd(), "launcher": os.getpid()}
    _send(conn, request, (0, 1, 2))
    reply = _receive(conn)
    child = int(reply["pid"]) if reply else 0

    def relay(number: int, _frame: Any) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, number)

    for number in _SIGNALS:
        signal.signal(number, relay)
    outcome = _receive(conn) if child else None
    sys.exit(1 if outcome is None else abs(int(outcome["exit"])))


def main(args: list[str]) -> None:
    """Entry point of ``python -c COMMAND``: ``serve FOLDER MODULE...`` or ``launch ...``."""
    if args[0] == "launch":
        return launch(args[1], args[2:])
    try:
        serve(args[1], args[2:])
    except _BecomeKernel as child:
        _run_kernel(*child.args)


class Zygote:
    """The build's handle on one zygote process, with its private folder.

    Args:
        modules: Modules to import once (e.g. ``torch``, ``matplotlib.pyplot``).
        env: The kernel environment; the zygote imports with it.
    """

    def __init__(self, modules: list[str], env: dict[str, str]) -> None:
        self.modules = list(modules)
        self.folder = tempfile.mkdtemp(prefix="xz-")
        self.process = subprocess.Popen(
            [sys.executable, "-c", COMMAND, "serve", self.folder, *modules],
            env=env, cwd=self.folder, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            start_new_session=True,
        )
        self._files: dict[str, int] | None = None

    @staticmethod
    def can_fork() -> bool:
        """Whether kernels are forked here: on Linux, unless ``TUTORIAL_SITE_FORK=0``."""
        return sys.platform.startswith("linux") and os.environ.get("TUTORIAL_SITE_FORK") != "0"

    def wait(self, timeout: float) -> None:
        """Wait until the modules are imported.

        Raises:
            ZygoteError: If an import failed, warned or started threads.
        """
        if self._files is not None:
            return
        out = self.process.stdout
        line = out.readline() if out and select.select([out], [], [], timeout)[0] else b""
        status = json.loads(line) if line.startswith(b"{") else {"error": "no answer"}
        if "error" in status:
            self.close()
            error = ZygoteUnsafeError if status.get("threads") else ZygoteError
            raise error(f"preload zygote: {status['error']}")
        self._files = json.loads(Path(self.folder, "modules.json").read_text())

    def is_current(self) -> bool:
        """Whether it runs and no file of a module it imported changed since."""
        if self.process.poll() is not None:
            return False
        with contextlib.suppress(OSError):
            return all(os.stat(f).st_mtime_ns == t for f, t in (self._files or {}).items())
        return False

    def launcher(self) -> list[str]:
        """The command prefix that starts a kernel command through this zygote."""
        return [sys.executable, "-c", COMMAND, "launch", os.path.join(self.folder, "z")]

    def kernel_pid(self, launcher_pid: int) -> int | None:
        """The pid of the kernel forked for the launcher ``launcher_pid``, once known."""
        with contextlib.suppress(OSError, ValueError):  # not written yet, or half-written
            return int(Path(self.folder, f"{launcher_pid}.pid").read_text())
        return None

    def close(self, kill: bool = False) -> None:
        """Stop the zygote (closing its stdin, or killing it) with its kernels and folder."""
        with contextlib.suppress(OSError):
            self.process.kill() if kill else self.process.stdin.close()  # type: ignore[union-attr]
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                stream.close()  # type: ignore[union-attr]
        shutil.rmtree(self.folder, ignore_errors=True)
