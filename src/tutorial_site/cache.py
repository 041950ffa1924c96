"""Cache keys and stored results of executed tutorial pages.

A page's result is reused only if everything it was computed from is unchanged:

* the *key* (:func:`page_key`) hashes the page's bytes and path with the build's
  :func:`environment_fingerprint` (library sources, pinned dependency files, Python and the
  installed distributions, the kernel spec, the plugin's own source and execution settings,
  selected environment variables);
* the data files a page read are only known after it ran, so they are stored in the cache
  entry as :class:`Dependency` records and validated on every lookup.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

#: Bump when the layout of cache entries changes.
CACHE_FORMAT = 2
#: Sub-folder of the cache holding the clean download notebooks.
DOWNLOADS = "downloads"
_CHUNK = 1 << 20
_SKIP_DIRS = {"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
_SKIP_SUFFIXES = (".pyc", ".pyo")


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _stat_signature(stat: os.stat_result) -> tuple[int, int, int, int, int]:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)


class FileHasher:
    """Content hashes of files, computed at most once per build for an unchanged file.

    Several pages read the same data files; hashing each once keeps validation cheap.
    The memo is keyed on the file's full stat signature, so a file modified during the
    build is hashed again.
    """

    def __init__(self) -> None:
        self._memo: dict[tuple[str, tuple[int, int, int, int, int]], str] = {}

    def sha256(self, path: Path, stat: os.stat_result | None = None) -> str:
        """Return the sha256 of ``path``.

        Args:
            path: The file to hash.
            stat: Its ``os.stat`` result if already known.

        Returns:
            The hex digest of the file's bytes.
        """
        stat = stat if stat is not None else path.stat()
        memo_key = (str(path), _stat_signature(stat))
        if memo_key not in self._memo:
            self._memo[memo_key] = sha256_file(path)
        return self._memo[memo_key]


@dataclass(frozen=True)
class Dependency:
    """A data file that an executed page read, as it was when the page's result was stored.

    Validation (:meth:`is_current`) first compares the file's stat signature: size,
    ``mtime_ns``, ``ctime_ns``, inode and device. Every write to a file updates its ctime,
    and ctime cannot be set from user space (unlike mtime, which ``touch -d`` or an archive
    extraction can restore), so an identical signature means the content was not rewritten.
    If any field differs, the content hash decides: a file that was only touched, copied or
    restored with the same bytes still counts as unchanged, a changed byte does not. Large
    data files are thus hashed only when something about them changed.

    Attributes:
        path: Absolute path of the file.
        size: Size in bytes.
        mtime_ns: Modification time in nanoseconds.
        ctime_ns: Inode change time in nanoseconds.
        inode: Inode number.
        device: Device number.
        sha256: Hex digest of the content.
    """

    path: str
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    device: int
    sha256: str

    @classmethod
    def from_path(cls, path: str | os.PathLike[str], hasher: FileHasher) -> Dependency:
        """Record the current state of the file at ``path``.

        Args:
            path: The file a page read.
            hasher: Shared content-hash memo.

        Returns:
            The dependency record.

        Raises:
            FileNotFoundError: If the file does not exist (a page cannot have read it).
        """
        resolved = Path(path).resolve()
        stat = resolved.stat()
        size, mtime_ns, ctime_ns, inode, device = _stat_signature(stat)
        return cls(
            str(resolved), size, mtime_ns, ctime_ns, inode, device, hasher.sha256(resolved, stat)
        )

    def signature_matches(self) -> bool:
        """Return True if the file's stat signature equals the recorded one."""
        try:
            stat = Path(self.path).stat()
        except OSError:
            return False
        recorded = (self.size, self.mtime_ns, self.ctime_ns, self.inode, self.device)
        return _stat_signature(stat) == recorded

    def refreshed(self, hasher: FileHasher) -> Dependency:
        """Return this record with the file's current stat signature and hash."""
        return Dependency.from_path(self.path, hasher)

    def is_current(self, hasher: FileHasher) -> bool:
        """Return True if the file still holds the bytes it held when recorded."""
        path = Path(self.path)
        try:
            stat = path.stat()
        except OSError:
            return False
        if not path.is_file():
            return False
        recorded = (self.size, self.mtime_ns, self.ctime_ns, self.inode, self.device)
        if _stat_signature(stat) == recorded:
            return True
        if stat.st_size != self.size:
            return False
        return hasher.sha256(path, stat) == self.sha256


def expand_dependency(path: str | os.PathLike[str]) -> list[Path]:
    """Return the files a recorded dependency stands for (all files below a directory)."""
    resolved = Path(path).resolve()
    if resolved.is_dir():
        return sorted(p for p in resolved.rglob("*") if p.is_file())
    return [resolved]


def _hash_tree(digest: Any, base: Path, root: Path) -> None:
    """Feed every file below ``root`` (relative path and bytes) into ``digest``."""
    if root.is_file():
        files = [root]
    else:
        files = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
            files.extend(
                Path(dirpath, name)
                for name in sorted(filenames)
                if not name.endswith(_SKIP_SUFFIXES)
            )
    for file in sorted(files):
        relative = file.relative_to(base).as_posix()
        digest.update(f"file {relative} {file.stat().st_size}\n".encode())
        digest.update(file.read_bytes())


def installed_distributions() -> list[str]:
    """Names (with versions) of the distributions importable from ``sys.path``.

    Read from the ``*.dist-info`` / ``*.egg-info`` folder names, which encode name and
    version: cheap, and it follows what is really installed, not only what the constraints
    file says.
    """
    names: set[str] = set()
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as listing:
                names.update(
                    item.name for item in listing if item.name.endswith((".dist-info", ".egg-info"))
                )
        except OSError:
            continue
    return sorted(names)


def kernel_spec_text(kernel_name: str) -> str:
    """Return the ``kernel.json`` text of the kernel that would be started, or ``"native"``."""
    from jupyter_core.paths import jupyter_path

    for directory in jupyter_path("kernels"):
        spec = Path(directory, kernel_name, "kernel.json")
        if spec.is_file():
            return spec.read_text(encoding="utf-8")
    return "native"


@functools.cache
def plugin_source_hash() -> str:
    """Hash of this package's own source files (a change to the plugin invalidates results)."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    _hash_tree(digest, package, package)
    return digest.hexdigest()


def environment_fingerprint(
    project_dir: Path,
    *,
    watch_sources: Sequence[str],
    watch_files: Sequence[str],
    env_keys: Sequence[str],
    settings: Mapping[str, Any],
) -> str:
    """Hash everything except the page itself that a page's result depends on.

    Args:
        project_dir: Folder of ``mkdocs.yml``; the watched paths are relative to it.
        watch_sources: Library folders (or files) whose every file is hashed with its path.
        watch_files: Further files, e.g. ``constraints.txt`` and ``pyproject.toml``.
        env_keys: Environment variables whose values the result depends on.
        settings: Execution settings (kernel, threads, working directory...).

    Returns:
        The hex digest.

    Raises:
        FileNotFoundError: If a watched path does not exist (a typo would otherwise
            silently stop tracking a dependency).
    """
    digest = hashlib.sha256()
    digest.update(f"format {CACHE_FORMAT}\n".encode())
    for label, paths in (("source", watch_sources), ("file", watch_files)):
        for name in paths:
            path = (project_dir / name).resolve()
            if not path.exists():
                raise FileNotFoundError(f"watched {label} {name!r} does not exist at {path}")
            digest.update(f"{label} {name}\n".encode())
            _hash_tree(digest, path if path.is_dir() else path.parent, path)
    environment = {key: os.environ.get(key) for key in sorted({*env_keys, "PYTHONPATH"})}
    facts = {
        "python": sys.version,
        # The interpreter, not the name it was started by (python, python3, the mkdocs script).
        "executable": os.path.realpath(sys.executable),
        "prefix": sys.prefix,
        "platform": sys.platform,
        "distributions": installed_distributions(),
        "kernel_spec": kernel_spec_text(str(settings.get("kernel_name", "python3"))),
        "plugin": plugin_source_hash(),
        "settings": dict(settings),
        "environment": environment,
    }
    digest.update(json.dumps(facts, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def page_key(environment: str, src_uri: str, page_bytes: bytes) -> str:
    """Return the cache key of a page: its path and bytes with the environment fingerprint."""
    digest = hashlib.sha256()
    digest.update(f"{environment}\n{src_uri}\n".encode())
    digest.update(page_bytes)
    return digest.hexdigest()


@dataclass
class CacheEntry:
    """What one execution of a page produced, stored next to its executed notebook.

    Attributes:
        key: The page key the result belongs to.
        page: The page's path relative to the docs folder.
        seconds: Wall time of the execution, kernel start included.
        cpu_seconds: CPU time of the page's kernel, or None where it cannot be measured.
        executed_at: UTC time of the execution (ISO 8601).
        results: Headline results the page recorded (``report.record_result`` payloads).
        dependencies: Data files the page read.
    """

    key: str
    page: str
    seconds: float
    cpu_seconds: float | None
    executed_at: str
    results: list[dict[str, Any]] = field(default_factory=list)
    dependencies: list[Dependency] = field(default_factory=list)

    def to_json(self) -> str:
        """Serialize the entry."""
        data = asdict(self)
        data["format"] = CACHE_FORMAT
        return json.dumps(data, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> CacheEntry:
        """Parse an entry written by :meth:`to_json`.

        Raises:
            ValueError: If the text is not an entry of the current format.
        """
        data = json.loads(text)
        if data.pop("format", None) != CACHE_FORMAT:
            raise ValueError("cache entry of another format")
        data["dependencies"] = [Dependency(**item) for item in data.get("dependencies", [])]
        return cls(**data)

    def dependency_digest(self) -> str:
        """Hash of the content of every dependency (goes into the stored notebook)."""
        digest = hashlib.sha256()
        for dependency in self.dependencies:
            digest.update(f"{dependency.path}\n{dependency.sha256}\n".encode())
        return digest.hexdigest()


def atomic_write(path: Path, data: str) -> None:
    """Write ``data`` to ``path`` through a temporary file, so readers never see half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class PageCache:
    """Executed notebooks and their entries under one folder.

    Layout: ``<root>/<key>.json`` (the :class:`CacheEntry`) and
    ``<root>/<key>/<page stem>.ipynb`` (the executed notebook, invisible outputs removed).
    The notebook keeps the page's stem so that the renderer names downloads after the page.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def entry_path(self, key: str) -> Path:
        """Path of the entry for ``key``."""
        return self.root / f"{key}.json"

    def notebook_path(self, key: str, page: str) -> Path:
        """Path of the executed notebook of ``page`` under ``key``."""
        return self.root / key / f"{Path(page).stem}.ipynb"

    def lookup(self, key: str, page: str, hasher: FileHasher) -> CacheEntry | None:
        """Return the stored entry for ``key`` if it is complete and its data is unchanged.

        Args:
            key: The page key.
            page: The page's path relative to the docs folder.
            hasher: Shared content-hash memo.

        Returns:
            The entry, or None on a miss (no entry, unreadable entry, missing notebook, or a
            dependency whose content changed).
        """
        try:
            entry = CacheEntry.from_json(self.entry_path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError, KeyError):
            return None
        if entry.key != key or entry.page != page:
            return None
        if not self.notebook_path(key, page).is_file():
            return None
        if not all(dependency.is_current(hasher) for dependency in entry.dependencies):
            return None
        with contextlib.suppress(OSError):
            os.utime(self.entry_path(key))  # last used: eviction spares recently used entries
        refreshed = [
            d if d.signature_matches() else d.refreshed(hasher) for d in entry.dependencies
        ]
        if refreshed != entry.dependencies:
            # Same bytes, new stat signature (touched or copied): remember the new signature
            # so the next lookup takes the fast path again.
            entry.dependencies = refreshed
            atomic_write(self.entry_path(key), entry.to_json())
        return entry

    def store(self, entry: CacheEntry, notebook_json: str) -> Path:
        """Write the executed notebook, then its entry (so an entry never lacks its notebook).

        Returns:
            The notebook's path.
        """
        notebook = self.notebook_path(entry.key, entry.page)
        atomic_write(notebook, notebook_json)
        atomic_write(self.entry_path(entry.key), entry.to_json())
        return notebook

    def recorded_seconds(self) -> dict[str, float]:
        """Return each page's wall time in its most recent stored execution.

        Any key counts (an entry of an older library version still tells how long the page
        takes); unreadable entries are skipped.

        Returns:
            Seconds by page path (relative to the docs folder).
        """
        latest: dict[str, tuple[str, float]] = {}
        if not self.root.is_dir():
            return {}
        for path in self.root.glob("*.json"):
            try:
                entry = CacheEntry.from_json(path.read_text(encoding="utf-8"))
            except (OSError, ValueError, TypeError, KeyError):
                continue
            if entry.page not in latest or entry.executed_at > latest[entry.page][0]:
                latest[entry.page] = (entry.executed_at, float(entry.seconds))
        return {page: seconds for page, (_, seconds) in latest.items()}

    def evict(self, keep: Iterable[str], *, unused_for: float = 0.0) -> int:
        """Remove the entries (and notebooks) not in ``keep`` and unused for a while.

        An entry's last use is its file's mtime (refreshed by every lookup that hits), so
        entries that another build running at the same time relies on are kept.

        Args:
            keep: Keys used by the current build.
            unused_for: Only remove entries last used more than this many seconds ago.

        Returns:
            The number of entries removed.
        """
        kept = set(keep)
        if not self.root.is_dir():
            return 0
        removed = 0
        deadline = time.time() - unused_for
        for entry in self.root.glob("*.json"):
            key = entry.stem
            try:
                stale = key not in kept and entry.stat().st_mtime <= deadline
            except OSError:
                continue
            if stale:
                entry.unlink(missing_ok=True)
                shutil.rmtree(self.root / key, ignore_errors=True)
                removed += 1
        for folder in self.root.iterdir():
            # Notebooks whose entry is gone (e.g. a build that failed before storing it).
            if folder.name in kept or folder.name == DOWNLOADS or folder.name.startswith("."):
                continue
            if folder.is_dir() and not (self.root / f"{folder.name}.json").exists():
                with contextlib.suppress(OSError):
                    if folder.stat().st_mtime <= deadline:
                        shutil.rmtree(folder, ignore_errors=True)
        downloads = self.root / DOWNLOADS
        if downloads.is_dir():
            for item in downloads.iterdir():
                with contextlib.suppress(OSError):
                    if item.name not in kept and item.stat().st_mtime <= deadline:
                        item.unlink()
        return removed

    def download_path(self, name: str) -> Path:
        """Path of a cached download notebook (``name`` is its file name)."""
        return self.root / DOWNLOADS / name
