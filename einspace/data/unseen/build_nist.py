"""AddNIST and MultNIST: three MNIST digits as the R, G, B channels of one image.

Rule (Geada et al. 2024, Sec. 3; data.ncl.ac.uk AddNIST/MultNIST records): each digit image is
scaled to [0, 1] and normalised with MNIST's mean 0.1307 and std 0.3081, then the three are
stacked as channels. AddNIST label = r + g + b - 1, keeping labels 0..19 (digit sums 1..20);
MultNIST label = (r * g * b) mod 10. Classes are balanced exactly: each class gets the same
number of samples, and the digit triple of a sample is drawn uniformly among the triples of its
class, each digit's image uniformly from the pool of that digit. Train and valid draw from the
MNIST-train pool, test from the disjoint MNIST-test pool.
"""

from __future__ import annotations

import itertools

import numpy as np

from einspace.data.unseen.build_common import (
    BuildConfig,
    Built,
    balanced_labels,
    check_splits,
    kind_and_label,
    split_counts,
)
from einspace.data.unseen.metadata import Provenance
from einspace.data.unseen.sources import ImagePools
from einspace.data.unseen.specs import get_spec

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081

RULES = {
    "addnist": ("label = r + g + b - 1, labels 0..19", lambda r, g, b: r + g + b - 1, 20),
    "multnist": ("label = (r * g * b) mod 10", lambda r, g, b: (r * g * b) % 10, 10),
}


def nist_label(dataset: str, r, g, b):
    """The label of digits (r, g, b) under `dataset`'s rule (None-free: may be out of range)."""
    return RULES[dataset][1](r, g, b)


def triples_by_class(dataset: str) -> list[np.ndarray]:
    """For each class, the (T, 3) int array of digit triples with that label."""
    _, rule, num_classes = RULES[dataset]
    all_triples = np.array(list(itertools.product(range(10), repeat=3)))
    labels = rule(*all_triples.T)
    return [all_triples[labels == c] for c in range(num_classes)]


def normalise_digit(images: np.ndarray) -> np.ndarray:
    """uint8 digits (..., 28, 28) -> float32 (x / 255 - 0.1307) / 0.3081."""
    return ((images.astype(np.float32) / 255.0 - MNIST_MEAN) / MNIST_STD).astype(np.float32)


def _draw(labels, triples, images, digit_labels, rng) -> np.ndarray:
    """Images (N, 3, 28, 28) for labels (N,): a uniform triple of the class, a uniform image of
    each digit from the pool."""
    by_digit = [np.flatnonzero(digit_labels == d) for d in range(10)]
    for d, idx in enumerate(by_digit):
        if idx.size == 0:
            raise ValueError(f"digit pool has no image of digit {d}; cannot build")
    digits = np.empty((labels.size, 3), np.int64)
    for c, class_triples in enumerate(triples):
        rows = np.flatnonzero(labels == c)
        digits[rows] = class_triples[rng.integers(len(class_triples), size=rows.size)]
    chosen = np.empty_like(digits)
    for d, idx in enumerate(by_digit):
        mask = digits == d
        chosen[mask] = idx[rng.integers(idx.size, size=int(mask.sum()))]
    return normalise_digit(images[chosen])


def build_nist(dataset: str, pools: ImagePools, config: BuildConfig = BuildConfig()) -> Built:
    """Build AddNIST or MultNIST from `pools` (digit images (N, 28, 28) uint8 + labels)."""
    if dataset not in RULES:
        raise ValueError(f"build_nist dataset={dataset!r}; valid: {sorted(RULES)}")
    spec = get_spec(dataset)
    rng = np.random.default_rng(config.seed)
    triples = triples_by_class(dataset)
    counts = split_counts(dataset, config.per_class)
    arrays = {}
    for split in ("train", "valid", "test"):
        labels = balanced_labels(spec.num_classes, counts[split], rng)
        images, digit_labels = (
            (pools.test_images, pools.test_labels) if split == "test"
            else (pools.train_images, pools.train_labels)
        )
        arrays[f"{split}_x"] = _draw(labels, triples, images, digit_labels, rng)
        arrays[f"{split}_y"] = labels
    check_splits(arrays)
    kind, variant = kind_and_label(pools.variant, config.per_class)
    provenance = Provenance(
        kind=kind,
        variant=variant,
        rule=(
            f"{spec.name}: 3 MNIST digits as R,G,B (each (x/255-0.1307)/0.3081); "
            f"{RULES[dataset][0]}; classes balanced, triple uniform within class; "
            "train/valid digits from the train pool, test digits from the disjoint test pool"
        ),
        source=pools.name,
        seed=config.seed,
        class_names=spec.class_names,
        notes="" if not pools.variant else "small digit pool: digit images repeat across samples",
    )
    return Built(arrays, provenance)
