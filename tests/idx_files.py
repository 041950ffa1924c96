"""Test helper: write small MNIST-style datasets as real IDX files (and .gz variants).

Written independently of tutorial_lib.idx, straight from the format description: a 4-byte
big-endian magic number 0x00000803 (images, 3 dims) or 0x00000801 (labels, 1 dim), one 4-byte
big-endian size per dimension, then the unsigned bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
TRAIN_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
TEST_FILES = ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
ALL_FILES = TRAIN_FILES + TEST_FILES


def images_bytes(images: np.ndarray) -> bytes:
    """IDX bytes of a uint8 array N x rows x cols."""
    assert images.dtype == np.uint8 and images.ndim == 3
    return struct.pack(">IIII", IMAGES_MAGIC, *images.shape) + images.tobytes()


def labels_bytes(labels: np.ndarray) -> bytes:
    """IDX bytes of a uint8 array N."""
    assert labels.dtype == np.uint8 and labels.ndim == 1
    return struct.pack(">II", LABELS_MAGIC, labels.shape[0]) + labels.tobytes()


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass
class FakeDataset:
    """The arrays of a written fake dataset and the sha256 of each uncompressed file."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    contents: dict[str, bytes]

    @property
    def sha256(self) -> dict[str, str]:
        return {name: sha256(content) for name, content in self.contents.items()}

    def write(self, folder: Path, *, gz: bool = False, gzip_mtime: int = 0) -> Path:
        """Write the four files into ``folder`` (created), as ``.gz`` files when ``gz``."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in self.contents.items():
            if gz:
                data = gzip.compress(
                    content, compresslevel=9 if gzip_mtime else 6, mtime=gzip_mtime
                )
                (folder / f"{name}.gz").write_bytes(data)
            else:
                (folder / name).write_bytes(content)
        return folder


def make_dataset(*, n_train: int = 12, n_test: int = 5, seed: int = 0) -> FakeDataset:
    """Random 28 x 28 uint8 images and labels 0-9 as a four-file IDX dataset."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train": (
            rng.integers(0, 256, size=(n_train, 28, 28), dtype=np.uint8),
            rng.integers(0, 10, size=n_train, dtype=np.uint8),
        ),
        "t10k": (
            rng.integers(0, 256, size=(n_test, 28, 28), dtype=np.uint8),
            rng.integers(0, 10, size=n_test, dtype=np.uint8),
        ),
    }
    contents = {}
    for prefix, (images, labels) in arrays.items():
        contents[f"{prefix}-images-idx3-ubyte"] = images_bytes(images)
        contents[f"{prefix}-labels-idx1-ubyte"] = labels_bytes(labels)
    return FakeDataset(*arrays["train"], *arrays["t10k"], contents=contents)


def torchvision_raw(root: Path, folder: str = "FashionMNIST") -> Path:
    """The raw folder of torchvision's layout under ``root``."""
    return root / folder / "raw"
