"""Pieces every builder shares: split sizes per class, balanced label draws, the result type."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from einspace.data.unseen.metadata import Provenance
from einspace.data.unseen.specs import SPLITS

#: Published examples per class per split (train, valid, test) for the class-balanced sets.
PER_CLASS = {
    "addnist": (2_250, 750, 500),
    "multnist": (5_000, 1_000, 1_000),
    "language": (5_000, 1_000, 1_000),
    "cifartile": (11_250, 3_750, 2_500),
    "gutenberg": (7_500, 2_500, 1_000),
}


@dataclasses.dataclass(frozen=True)
class BuildConfig:
    """Options shared by all builders.

    seed: seeds the one numpy Generator a build draws from.
    per_class: training examples per class (valid/test keep the published ratios); None
        builds the published sizes. A reduced build is always labelled a variant.
    """

    seed: int = 0
    per_class: int | None = None

    def __post_init__(self):
        if self.per_class is not None and self.per_class < 1:
            raise ValueError(f"BuildConfig.per_class must be >= 1 or None; got {self.per_class}")


@dataclasses.dataclass(frozen=True)
class Built:
    """What a builder returns: the six arrays and how they were made."""

    arrays: dict[str, np.ndarray]
    provenance: Provenance


def split_counts(dataset: str, per_class: int | None) -> dict[str, int]:
    """Examples per class in each split: published, or scaled so that train has `per_class`."""
    train, valid, test = PER_CLASS[dataset]
    if per_class is None:
        return {"train": train, "valid": valid, "test": test}
    scale = per_class / train
    return {
        "train": per_class,
        "valid": max(1, math.ceil(valid * scale)),
        "test": max(1, math.ceil(test * scale)),
    }


def balanced_labels(num_classes: int, per_class: int, rng: np.random.Generator) -> np.ndarray:
    """A shuffled (num_classes * per_class,) int64 array with each label exactly per_class times."""
    return rng.permutation(np.repeat(np.arange(num_classes), per_class))


def kind_and_label(source_variant: str, per_class: int | None, kind: str = "variant") -> tuple[str, str]:
    """(kind, variant label): faithful only for the published source at the published size."""
    parts = [p for p in (source_variant, None if per_class is None else f"per-class={per_class}") if p]
    if not parts:
        return "faithful", ""
    return kind if source_variant else "variant", ",".join(parts)


def check_splits(arrays: dict[str, np.ndarray]) -> None:
    """Builders' own sanity check: every split present with matching x/y lengths."""
    for split in SPLITS:
        x, y = arrays[f"{split}_x"], arrays[f"{split}_y"]
        if x.shape[0] != y.shape[0]:
            raise AssertionError(f"{split}: x has {x.shape[0]} rows but y has {y.shape[0]}")
