"""A fork server ("zygote") that starts page kernels with heavy modules already imported.

Starting a kernel and importing torch and matplotlib costs a few seconds of CPU per page.
With the plugin's ``preload`` option, one process (the zygote, :func:`serve`) imports those
modules once, with the kernel environment (thread variables are set before torch is
imported), and then forks one child per page kernel. There is one zygote per build, or one
for a whole ``mkdocs serve`` session, replaced when a module it imported changes on disk
(:class:`tutorial_site.execution.ZygoteKeeper`). A child becomes an ordinary ipykernel,
with the connection file, environment and working directory that jupyter_client's kernel
manager chose for it.

The kernel manager does not start the kernel itself but a tiny launcher (:func:`launch`),
which sends the kernel command, its environment, working directory and standard streams to
the zygote over a UNIX socket, and then stands in for the kernel: it relays signals
(interrupts, terminate) to the child and exits with the child's exit status, so that
nbclient and jupyter_client manage the kernel as usual.

Children never outlive the build (or the ``mkdocs serve`` session):

* a child gets ``PR_SET_PDEATHSIG`` (SIGKILL) on the zygote;
* the zygote kills a child whose launcher went away (killed at shutdown or timeout);
* the zygote exits, killing its children, when the build closes its standard input (or
  dies: the zygote also has ``PR_SET_PDEATHSIG`` on the build).

Forking is only safe from a single-threaded process: the zygote refuses to start if
importing the modules started a thread (torch's thread pools are only created by the first
tensor operation, which the zygote never runs), or if an import printed a warning (a fresh
kernel would have shown it in the page's output).

This module imports only the standard library at the top: the launcher runs it once per
kernel and must start fast.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import io
import json
import os
import select
import signal
import socket
import sys
import time
import traceback
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: Environment variables read when a module is imported or the interpreter starts: a
#: request whose environment differs in one of them gets a plain kernel instead of a fork.
STARTUP_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "PYTHONHASHSEED",
    "MPLBACKEND",
    "PYTHONPATH",
    "PYTHONDONTWRITEBYTECODE",
)
#: Imported by the zygote after the requested modules: what every ipykernel imports.
KERNEL_MODULES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel_launcher")
_PR_SET_PDEATHSIG = 1
_RELAYED_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2")
_POLL_SECONDS = 0.05


class ZygoteError(RuntimeError):
    """The zygote could not start (failed import, warnings) or stopped answering."""


class ZygoteUnsafeError(ZygoteError):
    """Importing the modules started threads (e.g. OpenBLAS with more than one thread)."""


def _die_with_parent() -> None:
    """Ask the kernel for SIGKILL when this process's parent (thread) exits (Linux only)."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def thread_count() -> int:
    """Return the number of OS threads of this process (``/proc``; Python's count elsewhere)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        import threading

        return threading.active_count()


def _send(conn: socket.socket, message: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):
        conn.sendall(json.dumps(message).encode() + b"\n")


def _read_line(conn: socket.socket, fds: list[int] | None = None) -> dict[str, Any] | None:
    """Read one JSON line from ``conn``; file descriptors that came with it go to ``fds``."""
    data = b""
    while not data.endswith(b"\n"):
        if fds is not None:
            chunk, received, _, _ = socket.recv_fds(conn, 1 << 16, 8)
            fds.extend(received)
        else:
            chunk = conn.recv(1 << 16)
        if not chunk:
            return None
        data += chunk
    return json.loads(data)


# -- the zygote ------------------------------------------------------------------------------


def _import_modules(modules: Sequence[str]) -> tuple[str, bool] | None:
    """Import ``modules``; return why forking would be unsafe or change outputs, or None.

    The reason comes with True if it is threads (forking is unsafe, fresh kernels are not).
    """
    import importlib

    before = thread_count()
    captured = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(captured):
        for name in modules:
            importlib.import_module(name)
    if thread_count() > before:
        return f"importing {', '.join(modules)} started {thread_count() - before} thread(s)", True
    if caught:
        first = caught[0]
        message = f"{first.category.__name__}: {first.message}"
        return f"importing {', '.join(modules)} warned: {message}", False
    if captured.getvalue():
        return f"importing {', '.join(modules)} printed {captured.getvalue()[:200]!r}", False
    return None


def file_signature(path: str) -> tuple[int, int] | None:
    """Return ``(mtime_ns, size)`` of ``path``, or None if it cannot be read."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


def module_files() -> list[list[Any]]:
    """Return ``[path, mtime_ns, size]`` of the file of every imported module."""
    files = []
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        signature = file_signature(path) if isinstance(path, str) else None
        if signature is not None:
            files.append([path, *signature])
    return sorted(files)


def serve(socket_path: str, modules: Sequence[str]) -> None:
    """Run the zygote: import ``modules``, then fork kernels on request until stdin closes.

    Prints one JSON line on stdout when ready: ``{"ready": true, "cpu": seconds, "files":
    [[path, mtime_ns, size], ...]}`` (the source files of every imported module, so that
    the build can tell when the zygote's modules changed on disk) or ``{"error": "..."}``.

    Args:
        socket_path: Path of the UNIX socket to listen on.
        modules: Modules to import before forking (e.g. ``torch``, ``matplotlib.pyplot``).
    """
    _die_with_parent()
    try:
        # The kernel machinery too: every forked kernel then skips importing IPython.
        problem = _import_modules([*modules, *KERNEL_MODULES])
    except Exception as error:  # an import error is reported to the build, named
        problem = f"importing the preload modules failed: {type(error).__name__}: {error}", False
    if problem is not None:
        print(json.dumps({"error": problem[0], "threads": problem[1]}), flush=True)
        return
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(64)
    cpu = time.process_time()
    files = module_files()
    print(json.dumps({"ready": True, "cpu": cpu, "pid": os.getpid(), "files": files}), flush=True)
    _Server(listener).run()


class _Server:
    """The zygote's event loop: single-threaded, ``select`` over the listener and launchers."""

    def __init__(self, listener: socket.socket) -> None:
        self.listener = listener
        self.children: dict[int, socket.socket] = {}  # child pid -> its launcher's connection
        self.by_launcher: dict[int, int] = {}  # launcher pid -> child pid
        self.startup_env = {name: os.environ.get(name) for name in STARTUP_VARIABLES}
        self.python = os.path.realpath(sys.executable)

    def run(self) -> None:
        stdin = sys.stdin.fileno()
        try:
            while True:
                watched = [self.listener, stdin, *self.children.values()]
                readable, _, _ = select.select(watched, [], [], _POLL_SECONDS)
                if stdin in readable and not os.read(stdin, 4096):
                    return  # the build closed our stdin (or died)
                for conn in readable:
                    if conn is self.listener:
                        self._accept()
                    elif isinstance(conn, socket.socket):
                        self._launcher_readable(conn)
                self._reap()
        finally:
            self._kill_all()

    def _launcher_readable(self, conn: socket.socket) -> None:
        try:
            data = conn.recv(4096)
        except OSError:
            data = b""
        if data:
            return
        # The launcher went away (killed by the kernel manager): the kernel goes too.
        for pid, other in self.children.items():
            if other is conn:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def _reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.children.pop(pid, None)
            self.by_launcher = {k: v for k, v in self.by_launcher.items() if v != pid}
            if conn is not None:
                _send(conn, {"exit": os.waitstatus_to_exitcode(status)})
                conn.close()

    def _kill_all(self) -> None:
        for pid in list(self.children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for pid in list(self.children):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        self.children.clear()

    def _accept(self) -> None:
        conn, _ = self.listener.accept()
        fds: list[int] = []
        try:
            request = _read_line(conn, fds)
        except (OSError, ValueError):
            request = None
        if request is None:
            conn.close()
            return
        if request.get("op") == "pid":
            _send(conn, {"pid": self.by_launcher.get(int(request["launcher"]))})
            conn.close()
            return
        reason = self._refusal(request)
        if reason is not None or len(fds) != 3:
            _send(conn, {"exec": reason or "no standard streams were passed"})
            conn.close()
            for fd in fds:
                os.close(fd)
            return
        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
        launcher_pid = int.from_bytes(creds[:4], sys.byteorder)
        pid = os.fork()
        if pid == 0:
            self._become_kernel(conn, fds, request)  # never returns
        for fd in fds:
            os.close(fd)
        self.children[pid] = conn
        self.by_launcher[launcher_pid] = pid
        _send(conn, {"pid": pid})

    def _refusal(self, request: dict[str, Any]) -> str | None:
        """Why this kernel cannot be forked (a plain kernel is started instead), or None."""
        argv = request.get("argv") or []
        env = request.get("env") or {}
        if len(argv) < 3 or argv[1:3] != ["-m", "ipykernel_launcher"]:
            return "not an ipykernel command"
        program = argv[0]
        if os.sep not in program:
            import shutil

            program = shutil.which(program, path=env.get("PATH")) or program
        if os.path.realpath(program) != self.python:
            return f"kernel interpreter {program} is not the zygote's {self.python}"
        changed = [n for n in STARTUP_VARIABLES if env.get(n) != self.startup_env[n]]
        if changed:
            return f"environment differs from the zygote's in {', '.join(changed)}"
        return None

    def _become_kernel(self, conn: socket.socket, fds: list[int], request: dict[str, Any]) -> None:
        """In the forked child: turn into the requested ipykernel, then exit."""
        code = 1
        try:
            zygote = os.getppid()
            _die_with_parent()
            if os.getppid() != zygote:
                os._exit(1)
            os.setsid()  # like a kernel started by jupyter_client: its own session
            self.listener.close()
            for other in self.children.values():
                other.close()
            conn.close()
            for target, fd in enumerate(fds):
                os.dup2(fd, target)
                os.close(fd)
            for name in ("SIGCHLD", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"):
                signal.signal(getattr(signal, name), signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            code = run_kernel(request["argv"], request["env"], request["cwd"])
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        except BaseException:
            traceback.print_exc()
        finally:
            _exit_like_interpreter(code)


def _reseed() -> None:
    """Give the child fresh random states, as a freshly started kernel would have.

    Python's ``random``, numpy's global generator and torch's default generator are seeded
    from the OS at import: inherited from the zygote, every page would share one state.
    """
    import random

    random.seed()
    if "numpy.random" in sys.modules:
        sys.modules["numpy.random"].seed()
    if "torch" in sys.modules:
        sys.modules["torch"].seed()


def run_kernel(argv: Sequence[str], env: dict[str, str], cwd: str) -> int:
    """Become the kernel ``argv`` (``python -m ipykernel_launcher ...``) in ``cwd`` with ``env``.

    Args:
        argv: The kernel command the kernel manager formatted.
        env: The kernel's environment.
        cwd: The kernel's working directory.

    Returns:
        The exit code.
    """
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    import ipykernel_launcher

    # As `python -m ipykernel_launcher` would see it; ipykernel_launcher then drops
    # sys.path[0] (our `-c` entry) and IPython adds the working directory back.
    sys.argv = [ipykernel_launcher.__file__, *argv[3:]]
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    _reseed()
    from ipykernel import kernelapp

    # ipykernel reads JPY_PARENT_PID (set by jupyter_client) when it is imported, which was
    # in the zygote, before any launch: read it now, as a fresh kernel would. Without it the
    # kernel prints a note about Ctrl-C into the build's output and does not watch its parent.
    parent = [f"--IPKernelApp.parent_handle={int(env.get('JPY_PARENT_PID') or 0)}"]
    kernelapp.launch_new_instance(argv=[*argv[3:], *parent])
    return 0


def _exit_like_interpreter(code: int) -> None:
    """Run the exit handlers and flush the streams, then exit without unwinding the zygote."""
    import atexit

    with contextlib.suppress(BaseException):
        atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):
            stream.flush()
    os._exit(code)


# -- the launcher ----------------------------------------------------------------------------


def launch(socket_path: str, argv: Sequence[str]) -> None:
    """Start kernel ``argv`` through the zygote and stand in for it until it exits.

    Relays signals to the kernel and exits with its status. If the zygote declines (not an
    ipykernel, other interpreter or environment), ``argv`` is executed in place: a plain
    kernel, as without preload.

    Args:
        socket_path: The zygote's UNIX socket.
        argv: The kernel command formatted by the kernel manager.
    """
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(socket_path)
    request = {"op": "fork", "argv": list(argv), "env": dict(os.environ), "cwd": os.getcwd()}
    socket.send_fds(conn, [json.dumps(request).encode() + b"\n"], [0, 1, 2])
    reply = _read_line(conn)
    if reply is None or "exec" in reply:
        conn.close()
        os.execvp(argv[0], list(argv))
    child = int(reply["pid"])

    def relay(signum: int, _frame: Any) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signum)

    for name in _RELAYED_SIGNALS:
        signal.signal(getattr(signal, name), relay)
    outcome = _read_line(conn)
    code = 1 if outcome is None else int(outcome["exit"])
    if code < 0:
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    sys.exit(code)


def _main(args: Sequence[str]) -> None:
    if args and args[0] == "serve":
        serve(args[1], args[2:])
    elif args and args[0] == "launch":
        launch(args[1], args[2:])
    else:
        sys.exit("usage: zygote serve SOCKET MODULE... | zygote launch SOCKET KERNEL-COMMAND...")


#: Runs the zygote or the launcher with ``python -c``: the working directory is then ``""``
#: in ``sys.path``, which the kernel drops exactly as ``python -m ipykernel_launcher`` does.
COMMAND = "import sys; from tutorial_site.zygote import _main; _main(sys.argv[1:])"


class Zygote:
    """The build's handle on one zygote process.

    Args:
        modules: Modules to import once in the zygote.
        env: The kernel environment (the zygote imports with it; kernels must match it).
        folder: Private folder for the zygote's socket.
        timeout: Seconds to wait for the zygote to import the modules.

    Raises:
        ZygoteUnsafeError: If importing the modules started threads.
        ZygoteError: If the zygote could not import the modules (error or warning).
    """

    def __init__(
        self, modules: Sequence[str], env: dict[str, str], folder: str, timeout: float = 120
    ) -> None:
        import subprocess

        self.socket_path = os.path.join(folder, "zygote.sock")
        self.process = subprocess.Popen(
            [sys.executable, "-c", COMMAND, "serve", self.socket_path, *modules],
            env=env,
            cwd=folder,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else b""
        try:
            status = json.loads(line) if line else {"error": "no answer (it died or hung)"}
        except ValueError:
            status = {"error": f"unexpected answer {line[:200]!r}"}
        if "error" in status:
            self.close()
            error = ZygoteUnsafeError if status.get("threads") else ZygoteError
            raise error(f"preload zygote ({', '.join(modules)}): {status['error']}")
        #: CPU seconds the zygote spent importing the modules (once per build).
        self.cpu_seconds: float = float(status["cpu"])
        self.pid: int = self.process.pid
        self._files = [(path, (mtime, size)) for path, mtime, size in status.get("files", [])]

    def is_current(self) -> bool:
        """Whether the zygote is running and no file of a module it imported has changed.

        A zygote kept between builds (``mkdocs serve``) must not fork kernels with modules
        that are no longer those on disk, e.g. after a ``pip install`` or an edit to a
        preloaded module of the project.
        """
        if self.process.poll() is not None:
            return False
        return all(file_signature(path) == signature for path, signature in self._files)

    def launcher_command(self, kernel_cmd: Sequence[str]) -> list[str]:
        """Return the command that starts ``kernel_cmd`` through this zygote."""
        return [sys.executable, "-c", COMMAND, "launch", self.socket_path, *kernel_cmd]

    def kernel_pid(self, launcher_pid: int) -> int | None:
        """Return the pid of the kernel forked for the launcher ``launcher_pid``, if any."""
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(5)
                conn.connect(self.socket_path)
                _send(conn, {"op": "pid", "launcher": launcher_pid})
                reply = _read_line(conn)
        except (OSError, ValueError):
            return None
        pid = None if reply is None else reply.get("pid")
        return None if pid is None else int(pid)

    def close(self) -> None:
        """Stop the zygote; it kills the kernels it forked that are still running."""
        import subprocess

        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
