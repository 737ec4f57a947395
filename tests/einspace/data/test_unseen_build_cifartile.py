"""CIFARTile / FashionTile: quadrants traced back to source images give label = distinct
classes - 1; train quadrants are crops/flips of source images; pools disjoint; balance."""

from __future__ import annotations

import os
import pickle

import numpy as np
import pytest

from einspace.data.unseen.build_cifartile import (
    CIFAR_MEAN,
    CIFAR_STD,
    FASHION_MEAN,
    FASHION_STD,
    build_cifartile,
    build_fashiontile,
    pick_images,
    quadrants,
    tile_classes,
)
from einspace.data.unseen.build_common import BuildConfig
from einspace.data.unseen.npyfile import DatasetFileError
from einspace.data.unseen.sources import FASHION_MNIST_DIR, ImagePools, cifar10_pools, idx_pools


def _write_cifar(directory, per_class=(6, 5), seed=0):
    rng = np.random.default_rng(seed)
    names = (["data_batch_1", "data_batch_2"], ["test_batch"])
    for files, n in zip(names, per_class):
        for name in files:
            labels = np.repeat(np.arange(10), n)
            data = rng.integers(0, 256, (labels.size, 3072), dtype=np.uint8)
            with open(os.path.join(directory, name), "wb") as f:
                pickle.dump({b"data": data, b"labels": labels.tolist()}, f)
    return cifar10_pools(str(directory))


def _unnormalise(q, mean, std):
    """(3, 32, 32) normalised quadrant -> (32, 32, 3) uint8, independently of the builder."""
    return np.rint((q.transpose(1, 2, 0) * std + mean) * 255.0).astype(np.uint8)


def _classes_of(tile, images, labels, mean, std):
    lookup = {img.tobytes(): int(lab) for img, lab in zip(images, labels)}
    out = []
    for q in quadrants(tile):
        key = _unnormalise(q, mean, std).tobytes()
        assert key in lookup, "quadrant is not an untransformed image of the pool"
        out.append(lookup[key])
    return out


def _is_crop_flip_of_some(q, images):
    """Exhaustive search over the 9 x 9 shifts and 2 flips of every source image."""
    padded = np.pad(images, ((0, 0), (4, 4), (4, 4), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (32, 32), axis=(1, 2))
    # windows: (N, 9, 9, 3, 32, 32); compare with q and its mirror in the same layout
    for candidate in (q, q[:, ::-1]):
        if np.any(np.all(windows == candidate.transpose(2, 0, 1), axis=(3, 4, 5))):
            return True
    return False


def test_cifartile_labels_from_traced_images(tmp_path):
    pools = _write_cifar(tmp_path)
    built = build_cifartile(pools, BuildConfig(per_class=8, seed=4))
    for split, (images, labels) in (
        ("valid", (pools.train_images, pools.train_labels)),
        ("test", (pools.test_images, pools.test_labels)),
    ):
        x, y = built.arrays[f"{split}_x"], built.arrays[f"{split}_y"]
        assert x.shape[1:] == (3, 64, 64)
        assert np.bincount(y, minlength=4).tolist() == [len(y) // 4] * 4
        for tile, label in zip(x, y):
            classes = _classes_of(tile, images, labels, CIFAR_MEAN, CIFAR_STD)
            assert len(set(classes)) - 1 == label
    assert built.provenance.kind == "variant" and built.provenance.variant == "per-class=8"


def test_train_tiles_are_crops_and_flips_of_train_images(tmp_path):
    pools = _write_cifar(tmp_path)
    built = build_cifartile(pools, BuildConfig(per_class=2, seed=5))
    x = built.arrays["train_x"]
    exact = 0
    for tile in x[:4]:
        for q in quadrants(tile):
            raw = _unnormalise(q, CIFAR_MEAN, CIFAR_STD)
            assert _is_crop_flip_of_some(raw, pools.train_images)
            assert not _is_crop_flip_of_some(raw, pools.test_images)
            exact += any(np.array_equal(raw, img) for img in pools.train_images)
    assert exact < 16, "no train quadrant was augmented"


def test_tile_patterns():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(4), 50)
    tiles = tile_classes(labels, rng)
    for label, classes in zip(labels, tiles):
        counts = sorted(np.unique(classes, return_counts=True)[1].tolist())
        assert counts == {0: [4], 1: [2, 2], 2: [1, 1, 2], 3: [1, 1, 1, 1]}[label]
    # positions are shuffled: the repeated class of a 2+1+1 tile is not always in the same slots
    assert len({tuple(np.unique(t, return_inverse=True)[1]) for t in tiles[labels == 2]}) > 3


def test_images_in_a_tile_are_distinct_even_from_tiny_pools():
    rng = np.random.default_rng(3)
    labels = np.repeat(np.arange(10), 4)  # exactly 4 images per class: a 1-class tile uses all
    picks = pick_images(tile_classes(np.zeros(200, np.int64), rng), labels, rng)
    assert all(len(set(row)) == 4 for row in picks)
    assert all(len(set(labels[row])) == 1 for row in picks)


def test_fashiontile_is_a_labelled_substitute():
    rng = np.random.default_rng(1)
    labels = np.repeat(np.arange(10), 5)
    gray = rng.integers(0, 256, (50, 28, 28), dtype=np.uint8)
    pools = ImagePools(gray, labels, gray[::-1].copy(), labels[::-1].copy(), name="fake fashion")
    built = build_fashiontile(pools, BuildConfig(per_class=4, seed=2))
    assert built.provenance.kind == "substitute" and built.provenance.variant.startswith("FashionTile")
    padded = np.repeat(np.pad(pools.test_images, ((0, 0), (2, 2), (2, 2)))[..., None], 3, axis=-1)
    for tile, label in zip(built.arrays["test_x"], built.arrays["test_y"]):
        classes = _classes_of(tile, padded, pools.test_labels, FASHION_MEAN, FASHION_STD)
        assert len(set(classes)) - 1 == label


def test_cifar_batch_errors(tmp_path):
    with pytest.raises(DatasetFileError, match="expected data_batch_1..5"):
        cifar10_pools(str(tmp_path))


@pytest.mark.skipif(not os.path.isdir(FASHION_MNIST_DIR), reason="Debian dataset-fashion-mnist not installed")
def test_debian_fashion_mnist_reads():
    pools = idx_pools(FASHION_MNIST_DIR, "Fashion-MNIST")
    assert pools.train_images.shape == (60_000, 28, 28) and pools.test_labels.shape == (10_000,)
