"""Fashion-MNIST and MNIST splits in memory, found offline first and verified by content.

A split is looked up, in this order, in: the ``root`` argument; the folder named by the
environment variable ``TUTORIAL_LIB_DATA``; the user cache directory
(``$XDG_CACHE_HOME/tutorial_lib``, else ``~/.cache/tutorial_lib``); for Fashion-MNIST, the Debian
package ``dataset-fashion-mnist`` (decompressed into the user cache); and finally torchvision's
download into the user cache. Every folder uses torchvision's layout
(``<folder>/FashionMNIST/raw/train-images-idx3-ubyte`` ...) and counts only when all four files
of the dataset are there. The files read are checked against the sha256 of the uncompressed
IDX files, so a corrupt or truncated file raises `CorruptDataError` instead of giving a
wrong answer.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import socket
import tempfile
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tutorial_lib.idx import (
    IMAGES_MAGIC,
    LABELS_MAGIC,
    IdxFormatError,
    IdxHeader,
    read_idx,
    read_idx_header,
)

#: Environment variable naming a folder in torchvision's layout that holds the datasets.
DATA_ENV = "TUTORIAL_LIB_DATA"
#: Environment variable that, set to a non-empty value other than ``0``/``false``/``no``,
#: disables all downloads.
NO_DOWNLOAD_ENV = "TUTORIAL_LIB_NO_DOWNLOAD"
#: Name of the Debian package that ships Fashion-MNIST.
DEBIAN_PACKAGE = "dataset-fashion-mnist"
#: Where the Debian package puts its four ``.gz`` files (a flat folder, not torchvision's layout).
DEBIAN_FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
#: Seconds to wait for a TCP connection to a download mirror before giving up on the download.
PROBE_TIMEOUT = 3.0
#: Socket timeout (seconds per blocking operation) while torchvision downloads.
DOWNLOAD_SOCKET_TIMEOUT = 30.0

#: The four IDX files of a dataset, by split: ``(images, labels)``.
SPLIT_FILES: dict[bool, tuple[str, str]] = {
    True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
ALL_FILES: tuple[str, ...] = SPLIT_FILES[True] + SPLIT_FILES[False]

#: sha256 of the uncompressed IDX files, by torchvision folder name and file name.
SHA256: dict[str, dict[str, str]] = {
    "FashionMNIST": {
        "train-images-idx3-ubyte": (
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"
        ),
        "train-labels-idx1-ubyte": (
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"
        ),
        "t10k-images-idx3-ubyte": (
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"
        ),
        "t10k-labels-idx1-ubyte": (
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"
        ),
    },
    "MNIST": {
        "train-images-idx3-ubyte": (
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"
        ),
        "train-labels-idx1-ubyte": (
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"
        ),
        "t10k-images-idx3-ubyte": (
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
        ),
        "t10k-labels-idx1-ubyte": (
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
        ),
    },
}

#: The mirrors torchvision's dataset classes download from (their ``mirrors`` attribute),
#: kept here so that an offline machine is detected without importing torchvision.
MIRRORS: dict[str, tuple[str, ...]] = {
    "FashionMNIST": ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
    "MNIST": (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ),
}

IMAGE_SIZE = (28, 28)

if TYPE_CHECKING:  # torch is imported only when a split is loaded, so errors come fast
    import torch

# Memoised sha256 digests: (real path, size, mtime_ns, inode) -> hex digest.
_SHA_MEMO: dict[tuple[str, int, int, int], str] = {}


class DataNotFoundError(FileNotFoundError):
    """No complete copy of the dataset was found, and it could not be fetched."""


class CorruptDataError(ValueError):
    """A data file is corrupt or truncated (bad header, wrong size or wrong content)."""


@dataclass(frozen=True, repr=False)
class ImageSplit:
    """One split of an image classification dataset, held in memory.

    Attributes:
        images: ``uint8`` tensor of shape ``N x 28 x 28``.
        labels: ``int64`` tensor of shape ``N`` with class indices.
        classes: Class names; ``classes[k]`` names label ``k``.
        name: Dataset name, e.g. ``"Fashion-MNIST"``.
        train: True for the training split, False for the test split.
        source: Where the files were found, e.g. ``"TUTORIAL_LIB_DATA: /data"``.
    """

    images: torch.Tensor
    labels: torch.Tensor
    classes: tuple[str, ...]
    name: str
    train: bool
    source: str

    def __post_init__(self) -> None:
        import torch

        if self.images.dtype != torch.uint8 or self.images.dim() != 3:
            raise ValueError(
                f"images must be a uint8 tensor N x H x W, got {self.images.dtype} "
                f"of shape {tuple(self.images.shape)}"
            )
        if self.labels.dtype != torch.int64 or self.labels.dim() != 1:
            raise ValueError(
                f"labels must be an int64 tensor of shape N, got {self.labels.dtype} "
                f"of shape {tuple(self.labels.shape)}"
            )
        if self.images.shape[0] != self.labels.shape[0]:
            raise ValueError(f"{self.images.shape[0]} images but {self.labels.shape[0]} labels")

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def __repr__(self) -> str:
        split = "train" if self.train else "test"
        return (
            f"ImageSplit(name={self.name!r}, {split}, {len(self)} images of "
            f"{tuple(self.images.shape[1:])}, {len(self.classes)} classes, source={self.source!r})"
        )


@dataclass(frozen=True)
class _Spec:
    """What the loader needs to know about one dataset."""

    folder: str  # torchvision's class name, also its folder name under the root
    title: str
    debian: bool  # whether the Debian package dataset-fashion-mnist ships it
    classes: tuple[str, ...]  # the class names, as torchvision's class has them


_FASHION_MNIST = _Spec(
    folder="FashionMNIST",
    title="Fashion-MNIST",
    debian=True,
    classes=(
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ),
)
_MNIST = _Spec(
    folder="MNIST",
    title="MNIST",
    debian=False,
    classes=tuple(
        f"{d} - {n}"
        for d, n in enumerate("zero one two three four five six seven eight nine".split())
    ),
)


def user_cache_dir() -> Path:
    """Return the user cache directory of tutorial_lib.

    Returns:
        ``$XDG_CACHE_HOME/tutorial_lib`` when ``XDG_CACHE_HOME`` is an absolute path, else
        ``~/.cache/tutorial_lib``. The folder may not exist yet.
    """
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "tutorial_lib"


def load_fashion_mnist(
    root: str | os.PathLike[str] | None = None, *, train: bool = True, download: bool = True
) -> ImageSplit:
    """Load a whole Fashion-MNIST split into memory.

    Looks in ``root``, then ``$TUTORIAL_LIB_DATA``, then the user cache, then the Debian
    package ``dataset-fashion-mnist``, then downloads with torchvision into the user cache.

    Args:
        root: Optional folder in torchvision's layout (``<root>/FashionMNIST/raw/...``),
            tried first.
        train: True for the 60,000 training images, False for the 10,000 test images.
        download: Whether a download may be tried when no local copy is found. Downloads are
            also disabled when the environment variable ``TUTORIAL_LIB_NO_DOWNLOAD`` is set.

    Returns:
        The split: ``uint8`` images ``N x 28 x 28``, ``int64`` labels, the 10 class names.

    Raises:
        DataNotFoundError: If no complete copy is found and none can be fetched; the message
            names every place tried and the ways to fix it.
        CorruptDataError: If a file of the split is corrupt or truncated.
        ValueError: If ``train`` or ``download`` is not a bool.
    """
    return _load(_FASHION_MNIST, root, train=train, download=download)


def load_mnist(
    root: str | os.PathLike[str] | None = None, *, train: bool = True, download: bool = True
) -> ImageSplit:
    """Load a whole MNIST split into memory.

    Looks in ``root``, then ``$TUTORIAL_LIB_DATA``, then the user cache, then downloads with
    torchvision into the user cache (there is no Debian package for MNIST).

    Args:
        root: Optional folder in torchvision's layout (``<root>/MNIST/raw/...``), tried first.
        train: True for the 60,000 training images, False for the 10,000 test images.
        download: Whether a download may be tried when no local copy is found. Downloads are
            also disabled when the environment variable ``TUTORIAL_LIB_NO_DOWNLOAD`` is set.

    Returns:
        The split: ``uint8`` images ``N x 28 x 28``, ``int64`` labels, the 10 class names.

    Raises:
        DataNotFoundError: If no complete copy is found and none can be fetched; the message
            names every place tried and the ways to fix it.
        CorruptDataError: If a file of the split is corrupt or truncated.
        ValueError: If ``train`` or ``download`` is not a bool.
    """
    return _load(_MNIST, root, train=train, download=download)


def _load(
    spec: _Spec, root: str | os.PathLike[str] | None, *, train: bool, download: bool
) -> ImageSplit:
    """Find, verify and load one split of ``spec`` (see `load_fashion_mnist`)."""
    if not isinstance(train, bool):
        raise ValueError(f"train must be True or False, got {train!r}")
    if not isinstance(download, bool):
        raise ValueError(f"download must be True or False, got {download!r}")

    cache = user_cache_dir()
    tried: list[str] = []
    places: list[tuple[str, Path | None]] = []
    if root is not None:
        places.append(("root argument", Path(root).expanduser()))
    env_root = os.environ.get(DATA_ENV, "")
    places.append((DATA_ENV, Path(env_root).expanduser() if env_root else None))
    places.append(("user cache", cache))

    seen: set[Path] = set()
    for label, base in places:
        if base is None:
            tried.append(f"{label}: not set")
            continue
        raw = base / spec.folder / "raw"
        if raw.resolve() in seen:
            tried.append(f"{label}: {raw} - same folder as above")
            continue
        seen.add(raw.resolve())
        missing = _describe_missing(raw, ALL_FILES)
        if missing is None:
            return _read(spec, base, train, source=f"{label}: {base}")
        tried.append(f"{label}: {raw} - {missing}")

    if spec.debian:
        deb_dir = DEBIAN_FASHION_MNIST_DIR
        gz_names = tuple(f"{name}.gz" for name in ALL_FILES)
        missing = _describe_missing(deb_dir, gz_names)
        deb_label = f"Debian package {DEBIAN_PACKAGE}: {deb_dir}"
        if missing is None:
            try:
                _unpack_debian(spec, deb_dir, cache / spec.folder / "raw")
            except OSError as error:
                tried.append(
                    f"{deb_label} - found, but could not decompress it into the user cache "
                    f"{cache}: {error}"
                )
            else:
                source = f"Debian package {DEBIAN_PACKAGE} ({deb_dir}), decompressed into {cache}"
                return _read(spec, cache, train, source=source)
        else:
            hint = " (package not installed?)" if missing == "no such folder" else ""
            tried.append(f"{deb_label} - {missing}{hint}")

    no_download = os.environ.get(NO_DOWNLOAD_ENV, "")
    if not download:
        tried.append("download: disabled by the caller (download=False)")
    elif no_download.strip().lower() not in ("", "0", "false", "no"):
        tried.append(
            f"download: disabled by the environment variable {NO_DOWNLOAD_ENV}={no_download}"
        )
    else:
        failure = _download(spec, cache, train)
        if failure is None:
            return _read(spec, cache, train, source=f"download into the user cache: {cache}")
        tried.append(f"download into the user cache {cache}: failed - {failure}")

    raise DataNotFoundError(_not_found_message(spec, train, tried, cache))


def _describe_missing(folder: Path, names: tuple[str, ...]) -> str | None:
    """Return None when ``folder`` holds all ``names`` as files, else say what is missing."""
    if not folder.is_dir():
        return "no such folder"
    missing = [name for name in names if not (folder / name).is_file()]
    if not missing:
        return None
    return "missing " + ", ".join(missing)


def _not_found_message(spec: _Spec, train: bool, tried: list[str], cache: Path) -> str:
    """The message of `DataNotFoundError`: every place tried and the ways to fix it."""
    split = "train" if train else "test"
    lines = [f"{spec.title} ({split} split) was not found. Places tried, in order:"]
    lines += [f"  {i}. {place}" for i, place in enumerate(tried, start=1)]
    lines += [
        "To fix it, do one of:",
        f"  - set the environment variable {DATA_ENV} to a folder holding "
        f"{spec.folder}/raw/ with the four files {', '.join(ALL_FILES)} "
        f"(torchvision's layout), e.g. export {DATA_ENV}=/path/to/data;",
    ]
    if spec.debian:
        lines.append(
            f"  - install the Debian package {DEBIAN_PACKAGE} "
            f"(sudo apt-get install {DEBIAN_PACKAGE}; it ships Fashion-MNIST only);"
        )
    lines.append(
        f"  - allow the download (download=True and {NO_DOWNLOAD_ENV} unset) on a machine with "
        f"internet access; the files go to {cache / spec.folder / 'raw'}."
    )
    return "\n".join(lines)


def _fix_hint(spec: _Spec) -> str:
    """How to repair a corrupt file, for the message of `CorruptDataError`."""
    refetch = (
        f"from the Debian package {DEBIAN_PACKAGE} or by download" if spec.debian else "by download"
    )
    return (
        f"To fix it, delete the file and load again (a fresh copy is then fetched {refetch} "
        f"into the user cache {user_cache_dir()}), or point {DATA_ENV} to a folder with intact "
        f"files in torchvision's layout (<folder>/{spec.folder}/raw/...)."
    )


def _read(spec: _Spec, base: Path, train: bool, *, source: str) -> ImageSplit:
    """Verify the two files of the split under ``base`` and load them."""
    raw = base / spec.folder / "raw"
    image_path, label_path = (raw / name for name in SPLIT_FILES[train])
    image_header = _check_file(spec, image_path, IMAGES_MAGIC)
    label_header = _check_file(spec, label_path, LABELS_MAGIC)
    if image_header.shape[1:] != IMAGE_SIZE:
        raise CorruptDataError(
            f"{image_path} is corrupt: its images are {image_header.shape[1:]} pixels, expected "
            f"{IMAGE_SIZE}. {_fix_hint(spec)}"
        )
    if image_header.shape[0] != label_header.shape[0]:
        raise CorruptDataError(
            f"{image_path} holds {image_header.shape[0]} images but {label_path} holds "
            f"{label_header.shape[0]} labels. {_fix_hint(spec)}"
        )
    for path in (image_path, label_path):
        _check_sha256(spec, path)

    # Read directly, as torchvision's dataset class does (a test checks they agree): importing
    # torchvision takes about a second, more than reading the files.
    images = read_idx(image_path, image_header)
    labels = read_idx(label_path, label_header).long()
    classes = spec.classes
    if len(labels) and not 0 <= int(labels.min()) <= int(labels.max()) < len(classes):
        raise CorruptDataError(
            f"{label_path} is corrupt: labels range from {int(labels.min())} to "
            f"{int(labels.max())}, expected 0 to {len(classes) - 1}. {_fix_hint(spec)}"
        )
    return ImageSplit(
        images=images, labels=labels, classes=classes, name=spec.title, train=train, source=source
    )


def _check_file(spec: _Spec, path: Path, magic: int) -> IdxHeader:
    """Check the IDX header of ``path`` against its size, raising `CorruptDataError`."""
    try:
        return read_idx_header(path, magic)
    except IdxFormatError as error:
        raise CorruptDataError(f"{path} is corrupt: {error}. {_fix_hint(spec)}") from error


def _check_sha256(spec: _Spec, path: Path) -> None:
    """Compare the sha256 of ``path`` with `SHA256`, raising `CorruptDataError`."""
    expected = SHA256[spec.folder][path.name]
    found = _sha256_file(path)
    if found != expected:
        raise CorruptDataError(
            f"{path} is corrupt: its sha256 is {found}, expected {expected} for "
            f"{spec.title} {path.name}. {_fix_hint(spec)}"
        )


def _memo_key(path: Path) -> tuple[str, int, int, int]:
    """Identify the current content of ``path`` by its real path, size, mtime and inode."""
    stat = os.stat(path)
    return (os.path.realpath(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)


def _sha256_file(path: Path) -> str:
    """Return the sha256 hex digest of ``path``, memoised per (path, size, mtime_ns, inode)."""
    key = _memo_key(path)
    digest = _SHA_MEMO.get(key)
    if digest is None:
        sha = hashlib.sha256()
        buffer = bytearray(1 << 20)
        view = memoryview(buffer)
        with open(path, "rb", buffering=0) as f:
            while count := f.readinto(view):
                sha.update(view[:count])
        digest = sha.hexdigest()
        _SHA_MEMO[key] = digest
    return digest


def _unpack_debian(spec: _Spec, deb_dir: Path, raw: Path) -> None:
    """Decompress the Debian package's ``.gz`` files into ``raw`` (torchvision's layout).

    Files already in ``raw`` are kept. Each file is verified against `SHA256` while it
    is decompressed and only then moved into place, so ``raw`` never holds a partial file.

    Raises:
        CorruptDataError: If a ``.gz`` file is not valid gzip or its content has the wrong sha256.
        OSError: If ``raw`` cannot be written.
    """
    raw.mkdir(parents=True, exist_ok=True)
    for name in ALL_FILES:
        target = raw / name
        if target.exists():
            continue
        source = deb_dir / f"{name}.gz"
        fd, tmp_name = tempfile.mkstemp(dir=raw, prefix=f".{name}.", suffix=".part")
        tmp = Path(tmp_name)
        try:
            sha = hashlib.sha256()
            with os.fdopen(fd, "wb") as out, gzip.open(source, "rb") as f:
                while True:
                    try:
                        chunk = f.read(1 << 20)
                    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
                        raise CorruptDataError(
                            f"{source} is corrupt: it is not a complete gzip file ({error}). "
                            f"Reinstall the package (sudo apt-get install --reinstall "
                            f"{DEBIAN_PACKAGE}), or point {DATA_ENV} to a folder with intact "
                            f"files in torchvision's layout (<folder>/{spec.folder}/raw/...)."
                        ) from error
                    if not chunk:
                        break
                    sha.update(chunk)
                    out.write(chunk)
            expected = SHA256[spec.folder][name]
            if sha.hexdigest() != expected:
                raise CorruptDataError(
                    f"{source} is corrupt: its decompressed content has sha256 "
                    f"{sha.hexdigest()}, expected {expected} for {spec.title} {name}. "
                    f"Reinstall the package (sudo apt-get install --reinstall {DEBIAN_PACKAGE}), "
                    f"or point {DATA_ENV} to a folder with intact files in torchvision's layout "
                    f"(<folder>/{spec.folder}/raw/...)."
                )
            os.chmod(tmp, 0o644)  # mkstemp makes it private; the data is not
            os.replace(tmp, target)
            _SHA_MEMO[_memo_key(target)] = expected
        finally:
            tmp.unlink(missing_ok=True)


@functools.cache
def _torchvision_class(folder: str) -> Any:
    """Return torchvision's dataset class ``folder``, reading only the raw IDX files.

    torchvision would prefer a legacy ``processed/`` folder of ``.pt`` files when present; the
    subclass ignores it, so what is loaded is always the files that were verified.
    """
    from torchvision import datasets

    base = getattr(datasets, folder)

    class RawOnly(base):  # type: ignore[misc, valid-type]
        @property
        def raw_folder(self) -> str:
            return os.path.join(self.root, folder, "raw")

        def _check_legacy_exist(self) -> bool:
            return False

    RawOnly.__name__ = RawOnly.__qualname__ = f"RawOnly{folder}"
    return RawOnly


def _probe(hosts: list[tuple[str, int]], timeout: float) -> str | None:
    """Try a TCP connection to each host; return None on success, else why it failed.

    Name resolution cannot be given a timeout, so the attempt runs in a daemon thread and is
    abandoned after ``timeout`` seconds in all.
    """
    result: dict[str, Any] = {}

    def attempt() -> None:
        errors = []
        for host, port in hosts:
            try:
                with socket.create_connection((host, port), timeout=timeout):
                    result["ok"] = True
                    return
            except Exception as error:  # noqa: BLE001 - any failure means "unreachable"
                errors.append(f"{host}:{port}: {error}")
        result["errors"] = errors

    thread = threading.Thread(target=attempt, name="tutorial_lib-probe", daemon=True)
    thread.start()
    thread.join(timeout)
    if result.get("ok"):
        return None
    if "errors" in result:
        return "cannot connect to " + "; ".join(result["errors"])
    names = ", ".join(f"{host}:{port}" for host, port in hosts)
    return f"no answer from {names} within {timeout:g} s (offline?)"


def _download(spec: _Spec, cache: Path, train: bool) -> str | None:
    """Download the dataset with torchvision into ``cache``; return None or why it failed."""
    hosts = []
    for mirror in MIRRORS[spec.folder]:
        parts = urlsplit(mirror)
        default_port = 443 if parts.scheme == "https" else 80
        if parts.hostname:
            hosts.append((parts.hostname, parts.port or default_port))
    failure = _probe(hosts, PROBE_TIMEOUT)
    if failure is not None:
        return failure
    dataset_class = _torchvision_class(spec.folder)
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_SOCKET_TIMEOUT)
    try:
        dataset_class(str(cache), train=train, download=True)
    except Exception as error:  # noqa: BLE001 - reported in DataNotFoundError
        return f"{type(error).__name__}: {error}".strip()
    finally:
        socket.setdefaulttimeout(previous)
    return None
