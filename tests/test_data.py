"""Tests of tutorial_lib.data: every source, their order, corrupt files, offline errors."""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.error import URLError

import numpy as np
import pytest
import torch
from idx_files import (
    ALL_FILES,
    FakeDataset,
    images_bytes,
    labels_bytes,
    make_dataset,
    sha256,
    torchvision_raw,
)

from tutorial_lib import data
from tutorial_lib.data import (
    CorruptDataError,
    DataNotFoundError,
    ImageSplit,
    load_fashion_mnist,
    load_mnist,
    user_cache_dir,
)

# The real data, when the test run was started with TUTORIAL_LIB_DATA set.
REAL_DATA = os.environ.get(data.DATA_ENV, "")


def _no_network(*args, **kwargs):
    raise OSError(101, "Network is unreachable (blocked by the tests)")


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No real data, cache, Debian package or network: each test sets up what it needs."""
    monkeypatch.delenv(data.DATA_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv(data.NO_DOWNLOAD_ENV, "1")
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST_DIR", tmp_path / "no-debian")
    monkeypatch.setattr(data, "_SHA_MEMO", {})
    monkeypatch.setattr(socket, "create_connection", _no_network)


@pytest.fixture
def fake(monkeypatch) -> FakeDataset:
    """A small fake dataset whose checksums replace the real ones for both datasets."""
    dataset = make_dataset()
    monkeypatch.setitem(data.SHA256, "FashionMNIST", dataset.sha256)
    monkeypatch.setitem(data.SHA256, "MNIST", dataset.sha256)
    return dataset


def assert_split_equals(split: ImageSplit, dataset: FakeDataset, train: bool) -> None:
    images, labels = (
        (dataset.train_images, dataset.train_labels)
        if train
        else (dataset.test_images, dataset.test_labels)
    )
    assert isinstance(split, ImageSplit)
    assert split.images.dtype == torch.uint8
    assert split.labels.dtype == torch.int64
    assert split.images.shape == (len(labels), 28, 28)
    assert len(split) == len(labels)
    assert split.train is train
    torch.testing.assert_close(split.images, torch.from_numpy(images))
    torch.testing.assert_close(split.labels, torch.from_numpy(labels.astype(np.int64)))


# --- the test helper writes the real format ------------------------------------------------


def test_helper_files_are_read_by_torchvision(tmp_path, fake):
    from torchvision.datasets.mnist import read_image_file, read_label_file

    fake.write(tmp_path)
    images_file = tmp_path / "train-images-idx3-ubyte"
    labels_file = tmp_path / "train-labels-idx1-ubyte"
    assert images_file.read_bytes()[:8] == bytes([0, 0, 8, 3, 0, 0, 0, 12])
    assert labels_file.read_bytes()[:8] == bytes([0, 0, 8, 1, 0, 0, 0, 12])
    assert images_file.stat().st_size == 16 + 12 * 28 * 28
    np.testing.assert_array_equal(read_image_file(str(images_file)).numpy(), fake.train_images)
    np.testing.assert_array_equal(read_label_file(str(labels_file)).numpy(), fake.train_labels)

    fake.write(tmp_path / "gz", gz=True)
    with gzip.open(tmp_path / "gz" / "t10k-images-idx3-ubyte.gz") as f:
        assert f.read() == fake.contents["t10k-images-idx3-ubyte"]


@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize(
    ("folder", "load"), [("FashionMNIST", load_fashion_mnist), ("MNIST", load_mnist)]
)
def test_split_is_what_torchvisions_class_reads(tmp_path, fake, folder, load, train):
    from torchvision import datasets

    root = tmp_path / "root"
    fake.write(torchvision_raw(root, folder))
    split = load(root, train=train, download=False)
    reference = getattr(datasets, folder)(str(root), train=train, download=False)
    assert torch.equal(split.images, reference.data)
    assert torch.equal(split.labels, reference.targets)
    assert split.labels.dtype == reference.targets.dtype == torch.int64
    assert split.classes == tuple(reference.classes)


def test_read_idx_refuses_a_file_that_changed_after_its_header_was_checked(tmp_path, fake):
    from tutorial_lib.idx import IMAGES_MAGIC, IdxFormatError, read_idx, read_idx_header

    fake.write(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte"
    header = read_idx_header(path, IMAGES_MAGIC)
    np.testing.assert_array_equal(read_idx(path, header).numpy(), fake.train_images)
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(IdxFormatError, match="expected 9408"):
        read_idx(path, header)


# --- each source ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, magic_name, shape",
    [
        (labels_bytes(np.zeros(0, dtype=np.uint8)), "LABELS_MAGIC", (0,)),
        (images_bytes(np.zeros((0, 28, 28), dtype=np.uint8)), "IMAGES_MAGIC", (0, 28, 28)),
    ],
    ids=["labels", "images"],
)
def test_read_idx_of_a_file_with_no_samples_is_an_empty_tensor(
    tmp_path, content, magic_name, shape
):
    # Regression: torch.frombuffer raised "both buffer length (0) and count (-1) must not be
    # 0" for this valid file.
    from tutorial_lib import idx

    path = tmp_path / "empty-idx-ubyte"
    path.write_bytes(content)
    header = idx.read_idx_header(path, getattr(idx, magic_name))
    tensor = idx.read_idx(path, header)
    assert tensor.shape == shape and tensor.dtype == torch.uint8
    assert torch.equal(tensor, torch.from_numpy(np.zeros(shape, dtype=np.uint8)))


@pytest.mark.parametrize("train", [True, False])
def test_explicit_root(tmp_path, fake, train):
    root = tmp_path / "mine"
    fake.write(torchvision_raw(root))
    split = load_fashion_mnist(root, train=train, download=False)
    assert_split_equals(split, fake, train)
    assert split.name == "Fashion-MNIST"
    assert split.classes[0] == "T-shirt/top" and len(split.classes) == 10
    assert split.source == f"root argument: {root}"


@pytest.mark.parametrize("train", [True, False])
def test_environment_variable(tmp_path, monkeypatch, fake, train):
    root = tmp_path / "shared"
    fake.write(torchvision_raw(root, "MNIST"))
    monkeypatch.setenv(data.DATA_ENV, str(root))
    split = load_mnist(train=train, download=False)
    assert_split_equals(split, fake, train)
    assert split.name == "MNIST"
    assert split.source == f"{data.DATA_ENV}: {root}"


def test_user_cache_from_xdg_cache_home(tmp_path, fake):
    cache = tmp_path / "xdg-cache" / "tutorial_lib"
    assert user_cache_dir() == cache
    fake.write(torchvision_raw(cache))
    split = load_fashion_mnist(download=False)
    assert_split_equals(split, fake, True)
    assert split.source == f"user cache: {cache}"


def test_user_cache_defaults_to_home(tmp_path, monkeypatch, fake):
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    cache = tmp_path / "home" / ".cache" / "tutorial_lib"
    assert user_cache_dir() == cache
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    assert user_cache_dir() == cache
    fake.write(torchvision_raw(cache))
    assert load_fashion_mnist(train=False, download=False).source == f"user cache: {cache}"


@pytest.mark.parametrize("train", [True, False])
def test_debian_package_is_decompressed_into_the_cache(tmp_path, monkeypatch, fake, train):
    debian = tmp_path / "usr-share-datasets" / "fashion-mnist"
    fake.write(debian, gz=True, gzip_mtime=1591347900)  # other .gz bytes, same content
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST_DIR", debian)
    raw = torchvision_raw(tmp_path / "xdg-cache" / "tutorial_lib")

    split = load_fashion_mnist(train=train, download=False)
    assert_split_equals(split, fake, train)
    assert "Debian package dataset-fashion-mnist" in split.source
    assert str(debian) in split.source
    assert sorted(p.name for p in raw.iterdir()) == sorted(ALL_FILES)  # no .part left over
    for name in ALL_FILES:
        assert (raw / name).read_bytes() == fake.contents[name]

    again = load_fashion_mnist(train=train, download=False)
    assert again.source.startswith("user cache: ")
    assert_split_equals(again, fake, train)


def test_debian_package_with_wrong_content(tmp_path, monkeypatch, fake):
    debian = tmp_path / "debian"
    fake.write(debian, gz=True)
    bad = bytearray(fake.contents["train-labels-idx1-ubyte"])
    bad[-1] = (bad[-1] + 1) % 10
    (debian / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(bytes(bad)))
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST_DIR", debian)

    with pytest.raises(CorruptDataError) as info:
        load_fashion_mnist(download=False)
    message = str(info.value)
    assert str(debian / "train-labels-idx1-ubyte.gz") in message
    assert "sha256" in message and "apt-get install --reinstall dataset-fashion-mnist" in message
    raw = torchvision_raw(tmp_path / "xdg-cache" / "tutorial_lib")
    assert not (raw / "train-labels-idx1-ubyte").exists()
    assert not list(raw.glob("*.part"))


def test_debian_package_with_truncated_gzip(tmp_path, monkeypatch, fake):
    debian = tmp_path / "debian"
    fake.write(debian, gz=True)
    gz = debian / "train-images-idx3-ubyte.gz"
    gz.write_bytes(gz.read_bytes()[:-200])
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST_DIR", debian)
    with pytest.raises(CorruptDataError, match="not a complete gzip file") as info:
        load_fashion_mnist(download=False)
    assert str(gz) in str(info.value)


def test_mnist_does_not_use_the_fashion_mnist_debian_package(tmp_path, monkeypatch, fake):
    debian = tmp_path / "debian"
    fake.write(debian, gz=True)
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST_DIR", debian)
    with pytest.raises(DataNotFoundError) as info:
        load_mnist(download=False)
    assert "Debian" not in str(info.value)
    assert "dataset-fashion-mnist" not in str(info.value)


# --- order of the sources --------------------------------------------------------------------

PLACES = ["root", "env", "cache", "debian"]


@pytest.mark.parametrize("winner", PLACES)
def test_order_of_sources(tmp_path, monkeypatch, fake, winner):
    """The first complete place wins; incomplete ones before it are skipped, and the places
    after it are never read (they hold other content, which would fail the sha256 check)."""
    other = make_dataset(seed=1)
    folders = {
        "root": torchvision_raw(tmp_path / "root"),
        "env": torchvision_raw(tmp_path / "env"),
        "cache": torchvision_raw(tmp_path / "xdg-cache" / "tutorial_lib"),
        "debian": tmp_path / "debian",
    }
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path / "env"))
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST_DIR", folders["debian"])
    position = PLACES.index(winner)
    for place, folder in folders.items():
        index = PLACES.index(place)
        dataset = fake if index <= position else other
        dataset.write(folder, gz=place == "debian")
        if index < position:  # incomplete: a test file is missing, the train split is not
            suffix = ".gz" if place == "debian" else ""
            (folder / f"t10k-labels-idx1-ubyte{suffix}").unlink()

    split = load_fashion_mnist(tmp_path / "root", download=False)
    assert_split_equals(split, fake, True)
    expected = {
        "root": "root argument: ",
        "env": f"{data.DATA_ENV}: ",
        "cache": "user cache: ",
        "debian": "Debian package dataset-fashion-mnist",
    }[winner]
    assert split.source.startswith(expected)


# --- corrupt files ---------------------------------------------------------------------------


@pytest.fixture
def shared_root(tmp_path, monkeypatch, fake) -> Path:
    """A complete fake Fashion-MNIST in TUTORIAL_LIB_DATA; returns its raw folder."""
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path / "shared"))
    return fake.write(torchvision_raw(tmp_path / "shared"))


def assert_corrupt_error(error: CorruptDataError, path: Path, reason: str) -> None:
    message = str(error)
    assert isinstance(error, ValueError)
    assert str(path) in message
    assert reason in message
    assert "delete the file and load again" in message
    assert data.DATA_ENV in message


def test_truncated_file(shared_root):
    path = shared_root / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(CorruptDataError) as info:
        load_fashion_mnist(download=False)
    assert_corrupt_error(info.value, path, "truncated")


def test_file_shorter_than_its_header(shared_root):
    path = shared_root / "train-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes()[:6])
    with pytest.raises(CorruptDataError) as info:
        load_fashion_mnist(download=False)
    assert_corrupt_error(info.value, path, "too short")


def test_file_too_long(shared_root):
    path = shared_root / "t10k-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(CorruptDataError) as info:
        load_fashion_mnist(train=False, download=False)
    assert_corrupt_error(info.value, path, "too long")


def test_bad_magic_number(shared_root):
    path = shared_root / "train-labels-idx1-ubyte"
    content = bytearray(path.read_bytes())
    content[3] = 0x03  # claims three dimensions: an images file where labels belong
    path.write_bytes(bytes(content))
    with pytest.raises(CorruptDataError) as info:
        load_fashion_mnist(download=False)
    assert_corrupt_error(info.value, path, "bad magic number 0x00000803")


def test_sha256_mismatch(shared_root):
    path = shared_root / "train-images-idx3-ubyte"
    content = bytearray(path.read_bytes())
    content[-1] ^= 0xFF  # same size and header, one pixel differs
    path.write_bytes(bytes(content))
    with pytest.raises(CorruptDataError) as info:
        load_fashion_mnist(download=False)
    assert_corrupt_error(info.value, path, "sha256")


def test_images_and_labels_disagree_on_count(shared_root, monkeypatch):
    path = shared_root / "train-labels-idx1-ubyte"
    shorter = make_dataset(n_train=11)
    path.write_bytes(shorter.contents[path.name])
    monkeypatch.setitem(data.SHA256["FashionMNIST"], path.name, shorter.sha256[path.name])
    with pytest.raises(CorruptDataError, match="holds 12 images but .* holds 11 labels"):
        load_fashion_mnist(download=False)


def test_label_out_of_range(shared_root, monkeypatch):
    path = shared_root / "t10k-labels-idx1-ubyte"
    content = labels_bytes(np.array([1, 2, 10, 3, 4], dtype=np.uint8))
    path.write_bytes(content)
    monkeypatch.setitem(data.SHA256["FashionMNIST"], path.name, sha256(content))
    with pytest.raises(CorruptDataError) as info:
        load_fashion_mnist(train=False, download=False)
    assert_corrupt_error(info.value, path, "labels range from 1 to 10")


def test_corrupt_file_is_not_skipped_for_a_later_source(shared_root, tmp_path, fake):
    fake.write(torchvision_raw(tmp_path / "xdg-cache" / "tutorial_lib"))
    path = shared_root / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(CorruptDataError):
        load_fashion_mnist(download=False)


def test_checksum_is_memoised_until_the_file_changes(shared_root, monkeypatch):
    import hashlib

    calls = []
    real_sha256 = hashlib.sha256

    def counting_sha256(*args, **kwargs):
        calls.append(1)
        return real_sha256(*args, **kwargs)

    monkeypatch.setattr(data.hashlib, "sha256", counting_sha256)
    load_fashion_mnist(download=False)
    assert len(calls) == 2  # images and labels
    load_fashion_mnist(download=False)
    assert len(calls) == 2  # not hashed again

    path = shared_root / "train-images-idx3-ubyte"
    content = bytearray(path.read_bytes())
    content[-1] ^= 0xFF
    stat = path.stat()
    path.write_bytes(bytes(content))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    with pytest.raises(CorruptDataError, match="sha256"):
        load_fashion_mnist(download=False)
    assert len(calls) == 3


def test_legacy_processed_files_are_ignored(tmp_path, fake):
    """torchvision would load stale processed/*.pt files; the loader reads the raw files."""
    root = tmp_path / "root"
    fake.write(torchvision_raw(root))
    processed = root / "FashionMNIST" / "processed"
    processed.mkdir()
    stale = (torch.zeros(3, 28, 28, dtype=torch.uint8), torch.zeros(3, dtype=torch.int64))
    torch.save(stale, processed / "training.pt")
    torch.save(stale, processed / "test.pt")
    assert_split_equals(load_fashion_mnist(root, download=False), fake, True)


def test_bad_arguments():
    with pytest.raises(ValueError, match="train must be True or False"):
        load_fashion_mnist(train="yes")
    with pytest.raises(ValueError, match="download must be True or False"):
        load_mnist(download=1)


# --- nothing found ---------------------------------------------------------------------------


def test_nothing_found_fails_fast_in_a_fresh_process(tmp_path):
    """Acceptance: TUTORIAL_LIB_DATA -> empty folder, no Debian package, downloads disabled."""
    empty = tmp_path / "empty"
    empty.mkdir()
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from tutorial_lib import data\n"
        f"data.DEBIAN_FASHION_MNIST_DIR = Path({str(tmp_path / 'no-debian')!r})\n"
        "try:\n"
        "    data.load_fashion_mnist()\n"
        "except data.DataNotFoundError as error:\n"
        "    print(error)\n"
        "    sys.exit(3)\n"
    )
    env = dict(os.environ)
    env.update(
        {
            data.DATA_ENV: str(empty),
            data.NO_DOWNLOAD_ENV: "1",
            "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
        }
    )
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    elapsed = time.perf_counter() - start
    assert result.returncode == 3, result.stderr
    assert elapsed < 5.0, f"took {elapsed:.2f} s"
    message = result.stdout
    assert f"{data.DATA_ENV}: {empty / 'FashionMNIST' / 'raw'} - no such folder" in message
    cache_raw = tmp_path / "xdg-cache" / "tutorial_lib" / "FashionMNIST" / "raw"
    assert f"user cache: {cache_raw} - no such folder" in message
    assert f"Debian package dataset-fashion-mnist: {tmp_path / 'no-debian'}" in message
    assert f"download: disabled by the environment variable {data.NO_DOWNLOAD_ENV}=1" in message


def test_nothing_found_lists_every_place_and_the_fixes(tmp_path, monkeypatch, fake):
    root = tmp_path / "root"
    fake.write(torchvision_raw(root))
    (torchvision_raw(root) / "t10k-images-idx3-ubyte").unlink()
    monkeypatch.delenv(data.NO_DOWNLOAD_ENV)
    with pytest.raises(DataNotFoundError) as info:
        load_fashion_mnist(root, download=False)
    assert isinstance(info.value, FileNotFoundError)
    lines = str(info.value).splitlines()
    assert lines[0] == "Fashion-MNIST (train split) was not found. Places tried, in order:"
    cache = tmp_path / "xdg-cache" / "tutorial_lib"
    assert lines[1:6] == [
        f"  1. root argument: {torchvision_raw(root)} - missing t10k-images-idx3-ubyte",
        f"  2. {data.DATA_ENV}: not set",
        f"  3. user cache: {torchvision_raw(cache)} - no such folder",
        f"  4. Debian package dataset-fashion-mnist: {tmp_path / 'no-debian'} - no such folder "
        "(package not installed?)",
        "  5. download: disabled by the caller (download=False)",
    ]
    fixes = "\n".join(lines[6:])
    assert lines[6] == "To fix it, do one of:"
    assert f"set the environment variable {data.DATA_ENV}" in fixes
    assert "sudo apt-get install dataset-fashion-mnist" in fixes
    assert "allow the download (download=True" in fixes


# --- the download ----------------------------------------------------------------------------


def test_offline_download_fails_with_the_reason(monkeypatch):
    monkeypatch.delenv(data.NO_DOWNLOAD_ENV)
    with pytest.raises(DataNotFoundError) as info:
        load_fashion_mnist()
    message = str(info.value)
    assert "download into the user cache" in message and "failed - cannot connect to" in message
    assert "fashion-mnist.s3-website.eu-central-1.amazonaws.com:80" in message
    assert "Network is unreachable" in message


def test_mirrors_are_torchvision_mirrors():
    import torchvision.datasets

    for folder, mirrors in data.MIRRORS.items():
        assert tuple(getattr(torchvision.datasets, folder).mirrors) == mirrors


def test_download_that_hangs_is_abandoned(monkeypatch):
    monkeypatch.delenv(data.NO_DOWNLOAD_ENV)
    monkeypatch.setattr(data, "PROBE_TIMEOUT", 0.2)
    released = threading.Event()

    def hanging_connection(*args, **kwargs):
        released.wait(30)
        raise OSError("released")

    monkeypatch.setattr(socket, "create_connection", hanging_connection)
    try:
        with pytest.raises(DataNotFoundError, match="no answer from .* within 0.2 s"):
            load_mnist(train=False)
    finally:
        released.set()


class _Connection:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_failing_download_is_reported(monkeypatch):
    import torchvision.datasets.mnist

    monkeypatch.delenv(data.NO_DOWNLOAD_ENV)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: _Connection())

    def failing_download(url, **kwargs):
        raise URLError("no route to host")

    monkeypatch.setattr(
        torchvision.datasets.mnist, "download_and_extract_archive", failing_download
    )
    timeout_before = socket.getdefaulttimeout()
    with pytest.raises(DataNotFoundError) as info:
        load_fashion_mnist()
    assert "failed - RuntimeError: Error downloading train-images-idx3-ubyte.gz" in str(info.value)
    assert "no route to host" in str(info.value)
    assert socket.getdefaulttimeout() == timeout_before


def test_download_goes_through_torchvision_into_the_user_cache(tmp_path, monkeypatch, fake):
    import torchvision.datasets.mnist

    monkeypatch.delenv(data.NO_DOWNLOAD_ENV)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: _Connection())
    timeouts = []

    def fake_download(url, download_root, filename, md5):
        timeouts.append(socket.getdefaulttimeout())
        name = filename.removesuffix(".gz")
        (Path(download_root) / name).write_bytes(fake.contents[name])

    monkeypatch.setattr(torchvision.datasets.mnist, "download_and_extract_archive", fake_download)
    split = load_mnist(train=False)
    cache = tmp_path / "xdg-cache" / "tutorial_lib"
    assert split.source == f"download into the user cache: {cache}"
    assert_split_equals(split, fake, False)
    assert timeouts == [data.DOWNLOAD_SOCKET_TIMEOUT] * 4
    assert load_mnist(train=False).source == f"user cache: {cache}"


# --- the real data ---------------------------------------------------------------------------

FASHION_TRAIN = [6000] * 10
FASHION_TEST = [1000] * 10
MNIST_TRAIN = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.mark.parametrize(
    ("loader", "folder", "train", "counts", "first_labels", "mean"),
    [
        (
            load_fashion_mnist,
            "FashionMNIST",
            True,
            FASHION_TRAIN,
            [9, 0, 0, 3, 0, 2, 7, 2, 5, 5],
            0.2860,
        ),
        (
            load_fashion_mnist,
            "FashionMNIST",
            False,
            FASHION_TEST,
            [9, 2, 1, 1, 6, 1, 4, 6, 5, 7],
            0.2868,
        ),
        (load_mnist, "MNIST", True, MNIST_TRAIN, [5, 0, 4, 1, 9, 2, 1, 3, 1, 4], 0.1307),
        (load_mnist, "MNIST", False, MNIST_TEST, [7, 2, 1, 0, 4, 1, 4, 9, 5, 9], 0.1325),
    ],
    ids=["fashion-train", "fashion-test", "mnist-train", "mnist-test"],
)
def test_real_data(monkeypatch, loader, folder, train, counts, first_labels, mean):
    """Figures from the data's README (shared/data/README.md)."""
    if not REAL_DATA:
        pytest.skip(f"{data.DATA_ENV} is not set: no real {folder} to test")
    raw = Path(REAL_DATA) / folder / "raw"
    if not all((raw / name).is_file() for name in ALL_FILES):
        pytest.skip(f"{raw} does not hold the four IDX files")
    monkeypatch.setenv(data.DATA_ENV, REAL_DATA)
    split = loader(train=train, download=False)
    n = 60000 if train else 10000
    assert split.source == f"{data.DATA_ENV}: {REAL_DATA}"
    assert split.images.shape == (n, 28, 28) and split.images.dtype == torch.uint8
    assert split.labels.shape == (n,) and split.labels.dtype == torch.int64
    assert len(split) == n and len(split.classes) == 10
    assert split.labels.bincount(minlength=10).tolist() == counts
    assert split.labels[:10].tolist() == first_labels
    assert split.images.float().div(255).mean().item() == pytest.approx(mean, abs=5e-5)
