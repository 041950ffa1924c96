"""Driving a running ``mkdocs serve`` from outside, as the tests and benchmarks do."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request


def free_address() -> str:
    """Return a ``host:port`` on the loopback interface that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


def fetch(url: str) -> str:
    """Return the page at ``url`` as text, or ``""`` if it cannot be fetched (yet)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


def wait_for_text(
    url: str, text: str, server: subprocess.Popen, *, seconds: float, interval: float
) -> str | None:
    """Poll ``url`` until its page contains ``text``.

    Args:
        url: The page to poll.
        text: What the page must contain.
        server: The ``mkdocs serve`` process (polling stops if it exits).
        seconds: How long to wait at most.
        interval: Seconds between two polls.

    Returns:
        None once the text is there, otherwise why not (for the caller's error message).
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return "mkdocs serve exited"
        if text in fetch(url):
            return None
        time.sleep(interval)
    return f"{text!r} never appeared at {url}"


def stop(server: subprocess.Popen, timeout: float = 60) -> None:
    """Stop ``server`` as Ctrl-C would (its plugins shut down), killing it if it hangs."""
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
