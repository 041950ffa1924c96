"""The zygote: a process that imports torch once and forks each page kernel (Linux).

jupyter_client starts a *launcher* in place of the kernel: it sends its command, environment,
folder and standard streams to the zygote, relays signals and exits with the kernel's status.
A kernel dies with the zygote, and its process group (what its page started) with its launcher
or when it ends. Only the standard library is imported here: the launcher must start fast.
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

#: Imported after the preloaded modules: what every ipykernel imports.
KERNEL_MODULES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel_launcher")
COMMAND = "import sys; from tutorial_site.kernel import main; main(sys.argv[1:])"
_RELAYED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)

Request = tuple[dict[str, Any], list[int]]  # a launcher's kernel request and its streams


class ZygoteError(RuntimeError):
    """The zygote could not import the modules (error or warning)."""


class ZygoteUnsafeError(ZygoteError):
    """Importing the modules started threads: forking would be unsafe."""


def _receive(conn: socket.socket) -> Request:
    """One JSON message and its file descriptors (SOCK_SEQPACKET: each arrives whole)."""
    data, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
    return (json.loads(data) if data else {}), fds


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)  # a kernel and what it started (its own group)


def serve(folder: str, modules: list[str]) -> Request | None:
    """The zygote: import ``modules``, then fork a kernel per request until stdin closes.

    In a forked child, it returns the request to run as a kernel.
    """
    threads = len(os.listdir("/proc/self/task"))
    problem = ""
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
                          "unsafe": not problem}), flush=True)
        return None
    paths = [getattr(module, "__file__", None) for module in list(sys.modules.values())]
    files = {p: os.stat(p).st_mtime_ns for p in paths if isinstance(p, str) and os.path.isfile(p)}
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(os.path.join(folder, "z"))
    listener.listen(64)
    Path(folder, "modules.json").write_text(json.dumps(files))  # large: not through the pipe
    print(json.dumps({"ready": True}), flush=True)
    zygote = os.getpid()
    children: dict[int, socket.socket] = {}  # kernel pid: its launcher's connection
    try:
        while True:
            readable = select.select([listener, 0, *children.values()], [], [], 0.05)[0]
            if 0 in readable and not os.read(0, 4096):
                return None  # the build closed our stdin, or died
            if listener in readable and (request := _fork(listener, folder, children)):
                return request
            for pid, conn in list(children.items()):
                if conn in readable and not conn.recv(16):
                    _kill_group(pid)  # its launcher was killed
                ended, status = os.waitpid(pid, os.WNOHANG)
                if ended:
                    _kill_group(pid)  # what the kernel started and left running
                    with contextlib.suppress(OSError):
                        conn.send(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode())
                    conn.close()
                    del children[pid]
    finally:
        if os.getpid() == zygote:  # (not in a child about to become a kernel)
            for pid in children:
                _kill_group(pid)
            shutil.rmtree(folder, ignore_errors=True)


def _fork(listener: socket.socket, folder: str, children: dict[int, Any]) -> Request | None:
    """Fork the kernel a launcher asks for; return its request in the child, None here."""
    conn, _ = listener.accept()
    request, fds = _receive(conn)
    if len(fds) != 3:  # (a launcher killed at once)
        conn.close()
        return None
    pid = os.fork()
    if pid == 0:
        listener.close()
        for other in [conn, *children.values()]:
            other.close()
        return request, fds
    for fd in fds:
        os.close(fd)
    children[pid] = conn
    Path(folder, f"{request['launcher']}.pid").write_text(str(pid))
    conn.send(json.dumps({"pid": pid}).encode())
    return None


def _run_kernel(request: dict[str, Any], fds: list[int]) -> None:
    """In a forked child: become the kernel ``request["argv"]``, as a fresh one would be."""
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: die with the zygote
    os.setsid()
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    import random

    import ipykernel_launcher
    from ipykernel import kernelapp

    argv = request["argv"][3:]  # after `python -m ipykernel_launcher`
    sys.argv = [ipykernel_launcher.__file__, *argv]
    if sys.path and sys.path[0] == "":
        del sys.path[0]  # as `python -m` does; IPython adds the working directory back
    random.seed()  # fresh random states, as a fresh kernel has
    for name in ("numpy.random", "torch"):
        if name in sys.modules:
            sys.modules[name].seed()
    # ipykernel read JPY_PARENT_PID when the zygote imported it: pass it as a fresh kernel.
    parent = f"--IPKernelApp.parent_handle={int(request['env'].get('JPY_PARENT_PID') or 0)}"
    kernelapp.launch_new_instance(argv=[*argv, parent])


def launch(socket_path: str, argv: list[str]) -> None:
    """The launcher: start kernel ``argv`` through the zygote and stand in for it."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        conn.connect(socket_path)
    except OSError:
        os.execvp(argv[0], argv)  # no zygote (any more): a plain kernel
    request = {"argv": argv, "env": dict(os.environ), "cwd": os.getcwd(), "launcher": os.getpid()}
    socket.send_fds(conn, [json.dumps(request).encode()], [0, 1, 2])
    kernel = _receive(conn)[0].get("pid")
    if kernel is None:
        sys.exit(1)

    def relay(number: int, _frame: Any) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(kernel, number)

    for number in _RELAYED:
        signal.signal(number, relay)
    sys.exit(abs(_receive(conn)[0].get("exit", 1)))


def main(args: list[str]) -> None:
    """Entry point of ``python -c COMMAND``: ``serve FOLDER MODULE...`` or ``launch ...``."""
    if args[0] == "launch":
        launch(args[1], args[2:])
    elif request := serve(args[1], args[2:]):
        _run_kernel(*request)


class Zygote:
    """The build's handle on a zygote importing ``modules`` in the kernel environment ``env``."""

    def __init__(self, modules: list[str], env: dict[str, str]) -> None:
        self.modules = list(modules)
        self.folder = tempfile.mkdtemp(prefix="xz-")
        self.process = subprocess.Popen(
            [sys.executable, "-c", COMMAND, "serve", self.folder, *modules],
            env=env, cwd=self.folder, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            start_new_session=True,
        )
        self.files: dict[str, int] | None = None  # once ready: what it imported, their mtimes

    @staticmethod
    def can_fork() -> bool:
        """Whether kernels are forked here: on Linux, unless ``TUTORIAL_SITE_FORK=0``."""
        return sys.platform.startswith("linux") and os.environ.get("TUTORIAL_SITE_FORK") != "0"

    def wait(self, timeout: float) -> None:
        """Wait until the modules are imported; raise ZygoteError if that failed or warned."""
        if self.files is not None:
            return
        out = self.process.stdout
        line = out.readline() if select.select([out], [], [], timeout)[0] else b""
        status = json.loads(line) if line.startswith(b"{") else {"error": "no answer"}
        if "error" in status:
            self.close()
            error = ZygoteUnsafeError if status.get("unsafe") else ZygoteError
            raise error(f"preload zygote: {status['error']}")
        self.files = json.loads(Path(self.folder, "modules.json").read_text())

    def is_current(self) -> bool:
        """Whether it runs and no file of a module it imported changed since."""
        try:
            unchanged = all(os.stat(f).st_mtime_ns == t for f, t in (self.files or {}).items())
        except OSError:
            return False
        return unchanged and self.process.poll() is None

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
            self.process.stdin.close()  # type: ignore[union-attr]
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=0 if kill else 5)
        self.process.kill()  # (if it has not exited)
        self.process.wait()
        self.process.stdout.close()  # type: ignore[union-attr]
        shutil.rmtree(self.folder, ignore_errors=True)
