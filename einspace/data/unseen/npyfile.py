"""Reading one .npy file with errors a person can act on.

`numpy.load` on a truncated file fails deep inside with "cannot reshape array"; here the
header is read first and the byte count checked, so the error names the file, the bytes the
header promises and the bytes present. Pickled (object) arrays are refused: the published
files are plain numeric arrays and a pickle from the internet can run code.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np


class DatasetFileError(ValueError):
    """A dataset file is missing, truncated or does not match its spec."""


def read_header(path: str) -> tuple[tuple[int, ...], np.dtype, bool, int]:
    """(shape, dtype, fortran_order, data_offset) from a .npy header, or DatasetFileError."""
    if not os.path.isfile(path):
        raise DatasetFileError(f"{path}: file not found (expected a .npy array)")
    with open(path, "rb") as f:
        try:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        except (ValueError, OSError, SyntaxError) as err:
            raise DatasetFileError(
                f"{path}: expected a .npy file, found an unreadable header ({err})"
            ) from err
        offset = f.tell()
    return tuple(int(d) for d in shape), np.dtype(dtype), bool(fortran), offset


def read_npy(
    path: str,
    *,
    trailing_shape: Sequence[int] | None = None,
    dtype_kinds: str = "fiu",
    rank: int | None = None,
    allow_pickle: bool = False,
) -> np.ndarray:
    """Load `path` after checking its header and length.

    trailing_shape: required shape after the leading example axis, e.g. (3, 28, 28).
    dtype_kinds: accepted numpy dtype kinds ("f" float, "i" signed, "u" unsigned int).
    rank: required number of dimensions (defaults to 1 + len(trailing_shape)).
    allow_pickle: accept an object array (a pickle: it can run code, so only for files you
        trust) and convert it to a numeric array before checking.
    Returns the array with shape (N, *trailing_shape).
    """
    shape, dtype, _, offset = read_header(path)
    if rank is None and trailing_shape is not None:
        rank = 1 + len(trailing_shape)
    if dtype.hasobject and allow_pickle:
        return _check_unpickled(path, np.load(path, allow_pickle=True), trailing_shape, dtype_kinds, rank)
    if dtype.hasobject:
        raise DatasetFileError(
            f"{path}: expected a numeric array, found a pickled object array; load it with "
            "allow_pickle=True only if you trust the file"
        )
    if dtype.kind not in dtype_kinds:
        kinds = {"f": "float", "i": "int", "u": "uint", "b": "bool"}
        valid = "/".join(kinds.get(k, k) for k in dtype_kinds)
        raise DatasetFileError(f"{path}: expected dtype {valid}, found {dtype}")
    if rank is not None and len(shape) != rank:
        expected = f"(N, {', '.join(map(str, trailing_shape))})" if trailing_shape else f"rank {rank}"
        raise DatasetFileError(f"{path}: expected shape {expected}, found shape {shape}")
    if trailing_shape is not None and tuple(shape[1:]) != tuple(trailing_shape):
        raise DatasetFileError(
            f"{path}: expected shape (N, {', '.join(map(str, trailing_shape))}), found shape {shape}"
        )
    expected_bytes = offset + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found_bytes = os.path.getsize(path)
    if found_bytes != expected_bytes:
        raise DatasetFileError(
            f"{path}: truncated or padded; header {shape} {dtype} needs {expected_bytes} bytes, "
            f"found {found_bytes}"
        )
    # memory-mapped: validating a 3.4 GB CIFARTile split must not hold a second copy
    return np.load(path, allow_pickle=False, mmap_mode="r")


def _check_unpickled(path, array, trailing_shape, dtype_kinds, rank) -> np.ndarray:
    """An object array made numeric (np.stack of its items), then shape- and kind-checked."""
    try:
        numeric = np.stack([np.asarray(item) for item in array.reshape(-1)]) if array.size else array
    except ValueError as err:
        raise DatasetFileError(f"{path}: pickled items do not stack into one array ({err})") from err
    if array.ndim > 1:
        numeric = numeric.reshape(*array.shape, *numeric.shape[1:])
    if numeric.dtype.kind not in dtype_kinds:
        raise DatasetFileError(f"{path}: expected numeric kinds {dtype_kinds!r}, found {numeric.dtype}")
    if (rank is not None and numeric.ndim != rank) or (
        trailing_shape is not None and tuple(numeric.shape[1:]) != tuple(trailing_shape)
    ):
        expected = f"(N, {', '.join(map(str, trailing_shape))})" if trailing_shape else f"rank {rank}"
        raise DatasetFileError(f"{path}: expected shape {expected}, found shape {numeric.shape}")
    return numeric
