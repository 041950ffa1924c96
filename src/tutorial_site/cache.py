"""The cache of executed pages: keys that say what a result depends on, checked entries.

A page's key hashes its named *inputs*: the page, the watched files, the installed packages,
Python, the kernel spec, some environment variables, the settings and the plugin code that
shapes outputs. An entry (``<key>.json`` and ``<key>/<stem>.ipynb``) stores them, so that a
miss can say what changed; a damaged entry is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib.util
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

from tutorial_site.record import PageRecord, collect_results, error_notebook

log = logging.getLogger("mkdocs.plugins.executed_pages")
#: Bump when the layout of entries changes.
FORMAT = 4
#: The plugin's modules whose code shapes an executed notebook.
_OUTPUT_CODE = ("execution.py", "kernel.py", "record.py", "warmup.py")


class Damaged(Exception):
    """A cache entry that cannot be trusted (unreadable, truncated, checksum mismatch)."""


def digest(*parts: bytes | str) -> str:
    """Return the hex SHA-256 of ``parts`` joined by NUL bytes."""
    data = b"\0".join(part.encode() if isinstance(part, str) else part for part in parts)
    return hashlib.sha256(data).hexdigest()


def build_inputs(
    project: Path, watched: Iterable[str], env_keys: Iterable[str], settings: Mapping[str, Any]
) -> dict[str, str]:
    """The inputs every page shares, by name, each a digest.

    Raises:
        FileNotFoundError: If a watched path does not exist (a typo would stop tracking it).
        ImportError: If the pages would import a watched package from another copy.
    """
    inputs = {}
    for name in watched:
        path = project / name
        if not path.exists():
            raise FileNotFoundError(f"watched path {name!r} does not exist at {path}")
        _check_imported_from(path)
        for file in [path] if path.is_file() else sorted(path.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts and file.suffix != ".pyc":
                inputs[file.relative_to(project).as_posix()] = digest(file.read_bytes())
    for key in sorted({*env_keys, "PYTHONPATH"}):
        inputs[f"environment variable {key}"] = digest(os.environ.get(key) or "<unset>")
    installed, metadata = set(), (".dist-info", ".egg-info")
    for entry in sys.path:
        with contextlib.suppress(OSError), os.scandir(entry or ".") as listing:
            installed.update(i.name for i in listing if i.name.endswith(metadata))
    inputs["installed packages"] = digest(*sorted(installed))
    inputs["Python"] = digest(f"{sys.version} {os.path.realpath(sys.executable)}")
    try:
        spec = KernelSpecManager().get_kernel_spec(str(settings.get("kernel_name"))).to_dict()
    except NoSuchKernel:
        spec = None
    inputs["kernel spec"] = digest(json.dumps(spec, sort_keys=True))
    inputs["execution settings"] = digest(json.dumps(dict(settings), sort_keys=True))
    code = [(Path(__file__).parent / name).read_bytes() for name in _OUTPUT_CODE]
    inputs["plugin code"] = digest(str(FORMAT), *code)
    return inputs


def _check_imported_from(package: Path) -> None:
    if not (package / "__init__.py").is_file():
        return
    spec = importlib.util.find_spec(package.name)
    origin = Path(spec.origin).resolve() if spec and spec.origin else None
    if origin is None or not origin.is_relative_to(package.resolve()):
        raise ImportError(
            f"the pages would import {package.name} from {origin or 'nowhere'}, not from the "
            f"watched {package}: install this project (pip install -e .) or set PYTHONPATH"
        )


def key_of(inputs: Mapping[str, str]) -> str:
    """The cache key of a page with these inputs."""
    return digest(json.dumps(dict(inputs), sort_keys=True))


def why_changed(before: Mapping[str, str], now: Mapping[str, str]) -> str:
    """Say which inputs differ, e.g. ``src/tutorial_lib/softmax.py changed``."""
    changed = sorted(name for name in {*before, *now} if before.get(name) != now.get(name))
    if not changed:
        return "no cache entry"
    more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
    return f"{', '.join(changed[:3])}{more} changed"


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file: readers never see half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(handle, 0o644)  # as open() makes it (mkstemp's 0600: a server could not read)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data.encode() if isinstance(data, str) else data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` to ``path`` atomically, with the SHA-256 that :func:`load_json` checks."""
    text = json.dumps(data, sort_keys=True)
    atomic_write(path, json.dumps({**data, "sha256": digest(text)}, indent=1, sort_keys=True))


def load_json(path: Path) -> dict[str, Any] | None:
    """The checked data :func:`save_json` wrote (None: no file); marks it used (:func:`evict`).

    Raises:
        Damaged: If the file is unreadable, cut short or altered.
    """
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        checksum = data.pop("sha256")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise Damaged(f"{type(error).__name__}: {error}") from error
    if checksum != digest(json.dumps(data, sort_keys=True)):
        raise Damaged("its checksum does not match")
    with contextlib.suppress(OSError):
        os.utime(path)
    return data


class Store:
    """The entries under one folder (see the module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def notebook_path(self, key: str, page: str) -> Path:
        """Where the executed notebook of ``page`` under ``key`` is kept."""
        return self.root / key / f"{Path(page).stem}.ipynb"

    def load(self, key: str, page: str) -> dict[str, Any] | None:
        """Return the checked entry for ``key``, or None if there is none.

        Raises:
            Damaged: If the entry or its notebook is unreadable or does not match.
        """
        entry = load_json(self.root / f"{key}.json")
        if entry is None:
            return None
        try:
            notebook = self.notebook_path(key, page).read_bytes()
        except OSError as error:
            raise Damaged(f"{type(error).__name__}: {error}") from error
        if [entry.get("format"), entry.get("page"), entry.get("notebook_sha256")] != [
            FORMAT, page, digest(notebook)
        ]:
            raise Damaged("it does not match its notebook")
        return entry

    def save(self, key: str, page: str, notebook: str, **fields: Any) -> Path:
        """Store an executed notebook and its entry (the entry last: it vouches for both)."""
        path = self.notebook_path(key, page)
        atomic_write(path, notebook)
        entry = {"format": FORMAT, "page": page, "notebook_sha256": digest(notebook), **fields}
        save_json(self.root / f"{key}.json", entry)
        return path

    def entries(self) -> list[dict[str, Any]]:
        """Every readable entry, oldest first (for the last times and the reasons)."""
        found = []
        for path in self.root.glob("*.json") if self.root.is_dir() else ():
            with contextlib.suppress(OSError, ValueError):
                entry = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(entry, dict) and "page" in entry:
                    found.append(entry)
        return sorted(found, key=lambda entry: str(entry.get("executed_at")))


def evict(folder: Path, keep: Collection[str], grace: float) -> int:
    """Remove what ``folder`` holds unless named in ``keep`` or used in the last ``grace`` s.

    ``<name>.json`` and the folder ``<name>`` go together, judged by the ``.json`` (which
    each use touches). Returns how many ``.json`` files were removed.
    """
    removed, deadline = 0, time.time() - grace
    for path in list(folder.iterdir()) if folder.is_dir() else ():
        name = path.name.removesuffix(".json")
        entry = folder / f"{name}.json"
        with contextlib.suppress(OSError):
            if name in keep or (entry if entry.exists() else path).stat().st_mtime >= deadline:
                continue
            removed += path.suffix == ".json"
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    return removed


def lookup(store: Store, records: list[PageRecord], inputs: dict[str, str]) -> dict[str, Any]:
    """Fill each record from its entry, or set the ``reason`` it must execute.

    Returns:
        The inputs of each page, by page (what its entry will store).
    """
    previous = {entry["page"]: entry.get("inputs") for entry in store.entries()}
    page_inputs = {}
    for r in records:
        mine = page_inputs[r.page] = {**inputs, r.display: digest(r.source.read_bytes())}
        r.key = key_of(mine)
        try:
            entry = store.load(r.key, r.page)
        except Damaged as error:
            log.info("executed-pages: cache entry for %s damaged (%s), executing again",
                     r.display, error)
            (store.root / f"{r.key}.json").unlink(missing_ok=True)
            shutil.rmtree(store.root / r.key, ignore_errors=True)
            r.reason = "damaged cache entry"
            continue
        if entry is not None:
            r.notebook = store.notebook_path(r.key, r.page)
            r.seconds, r.cpu_seconds = entry["seconds"], entry["cpu_seconds"]
            r.results = entry["results"]
        elif isinstance(previous.get(r.page), dict):
            r.reason = why_changed(previous[r.page], mine)
        else:
            r.reason = "no cache entry"
    return page_inputs


def store_outcome(store: Store, r: PageRecord, notebook: Any, cell: int | None,
                  inputs: dict[str, str]) -> None:
    """Save a page's successful run as an entry; write a failed run's error page (no entry)."""
    r.seconds = round(r.seconds or 0.0, 3)
    r.cpu_seconds = None if r.cpu_seconds is None else round(r.cpu_seconds, 3)
    if r.error is None:
        try:
            r.results = collect_results(notebook)
            r.notebook = store.save(
                r.key, r.page, nbformat.writes(notebook), seconds=r.seconds,
                cpu_seconds=r.cpu_seconds, results=r.results, inputs=inputs,
                executed_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            )
            return
        except ValueError as error:
            r.error = f"after the last cell: {error}"
        except OSError as error:
            r.error = f"after the last cell: the cache could not be written: {error}"
    r.notebook = store.root / f"failed-{r.key}" / f"{Path(r.page).stem}.ipynb"
    atomic_write(r.notebook, nbformat.writes(error_notebook(notebook, r, cell)))


def snapshot(folder: Path) -> set[tuple[str, int, int]]:
    """Each file under ``folder``: its relative path, modification time and size."""
    found = set()
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):  # (one removed meanwhile)
            if path.is_file():
                stat = path.stat()
                found.add((path.relative_to(folder).as_posix(), stat.st_mtime_ns, stat.st_size))
    return found


def changed_since(before: set[tuple[str, int, int]] | None, folder: Path) -> list[str]:
    """The files under ``folder`` that changed since its :func:`snapshot` ``before``, if any."""
    return sorted({name for name, *_ in before ^ snapshot(folder)}) if before is not None else []
