"""The IDX file format of MNIST-style datasets: header parsing, structural checks, reading."""

from __future__ import annotations

import math
import os
import struct
from dataclasses import dataclass

import torch

#: Magic number of an IDX file of unsigned bytes with three dimensions (images N x rows x cols).
IMAGES_MAGIC = 0x00000803
#: Magic number of an IDX file of unsigned bytes with one dimension (labels N).
LABELS_MAGIC = 0x00000801


class IdxFormatError(ValueError):
    """A file is not a well-formed IDX file of the expected kind."""


@dataclass(frozen=True)
class IdxHeader:
    """The header of an IDX file.

    Attributes:
        magic: The 4-byte big-endian magic number (``0x0000TTDD``: type code ``TT``, ``DD`` dims).
        shape: The sizes of the dimensions, e.g. ``(60000, 28, 28)``.
    """

    magic: int
    shape: tuple[int, ...]

    @property
    def header_size(self) -> int:
        """Number of bytes before the data: the magic number and one 4-byte size per dim."""
        return 4 + 4 * len(self.shape)

    @property
    def data_size(self) -> int:
        """Number of data bytes the header announces (one byte per element for ubyte data)."""
        return math.prod(self.shape)


def read_idx_header(path: str | os.PathLike[str], magic: int) -> IdxHeader:
    """Read the header of the IDX file at ``path`` and check it against the file's size.

    Only the header is read, so this is cheap even for large files.

    Args:
        path: The (uncompressed) IDX file.
        magic: The expected magic number, `IMAGES_MAGIC` or `LABELS_MAGIC`.

    Returns:
        The parsed header.

    Raises:
        IdxFormatError: If the magic number is not ``magic`` or the file size does not equal
            the header size plus the number of data bytes the header announces (a truncated
            or padded file).
    """
    num_dims = magic & 0xFF
    size = os.stat(path).st_size
    with open(path, "rb") as f:
        head = f.read(4 + 4 * num_dims)
    if len(head) < 4:
        raise IdxFormatError(f"file is only {size} bytes long, too short for an IDX header")
    (found,) = struct.unpack(">I", head[:4])
    if found != magic:
        raise IdxFormatError(f"bad magic number 0x{found:08x} (expected 0x{magic:08x})")
    if len(head) < 4 + 4 * num_dims:
        raise IdxFormatError(
            f"file is only {size} bytes long, too short for an IDX header with {num_dims} sizes"
        )
    header = IdxHeader(magic=found, shape=struct.unpack(f">{num_dims}I", head[4:]))
    expected = header.header_size + header.data_size
    if size != expected:
        kind = "truncated" if size < expected else "too long"
        raise IdxFormatError(
            f"file is {kind}: {size} bytes, but its header announces shape "
            f"{header.shape}, i.e. {expected} bytes"
        )
    return header


def read_idx(path: str | os.PathLike[str], header: IdxHeader) -> torch.Tensor:
    """Read the data of the IDX file at ``path`` (checked by `read_idx_header`) as a tensor.

    Args:
        path: The (uncompressed) IDX file of unsigned bytes.
        header: Its header, as `read_idx_header` returned it.

    Returns:
        A ``uint8`` tensor of shape ``header.shape``, e.g. ``(60000, 28, 28)``; a file of
        no samples gives an empty tensor, e.g. of shape ``(0, 28, 28)``.

    Raises:
        IdxFormatError: If the file no longer holds the data its header announces.
    """
    with open(path, "rb") as f:
        f.seek(header.header_size)
        data = bytearray(f.read())
    if len(data) != header.data_size:
        raise IdxFormatError(f"file holds {len(data)} data bytes, expected {header.data_size}")
    if not data:  # a file of no samples: torch.frombuffer refuses an empty buffer
        return torch.empty(header.shape, dtype=torch.uint8)
    return torch.frombuffer(data, dtype=torch.uint8).reshape(header.shape)
