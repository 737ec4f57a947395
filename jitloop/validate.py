"""Input checks that run before anything is compiled, with errors that say what would be valid."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from jitloop.config import TrainConfig
from jitloop.data import Split, Splits
from jitloop.losses import CLASSIFICATION


def check_split(name: str, split: Split, config: TrainConfig, num_classes: int | None, *, training: bool) -> None:
    n = len(split)
    if n == 0:
        raise ValueError(f"split {name!r} is empty (x.shape={tuple(split.x.shape)}); it needs at least one example")
    if not jnp.issubdtype(split.x.dtype, jnp.floating):
        raise ValueError(f"split {name!r}: x has dtype {split.x.dtype}; the engine needs a floating dtype (e.g. float32)")
    if training and config.steps_per_epoch is None and config.batch_size > n:
        raise ValueError(
            f"TrainConfig.batch_size={config.batch_size} is larger than split {name!r} ({n} examples); "
            f"use batch_size <= {n} or set steps_per_epoch"
        )
    if config.loss in CLASSIFICATION or set(config.metrics) & CLASSIFICATION:
        if not jnp.issubdtype(split.y.dtype, jnp.integer):
            raise ValueError(
                f"split {name!r}: classification needs integer labels of shape (N,) or (N, *positions); "
                f"got y with shape {tuple(split.y.shape)} and dtype {split.y.dtype}"
            )
        if num_classes is None:
            raise ValueError("Splits.num_classes=None is not valid for a classification loss or metric; give the class count")
        y = np.asarray(split.y)
        lo, hi = int(y.min()), int(y.max())
        if lo < 0 or hi >= num_classes:
            raise ValueError(
                f"split {name!r}: labels must lie in [0, {num_classes}); found values in [{lo}, {hi}]"
            )
    elif not jnp.issubdtype(split.y.dtype, jnp.floating):
        raise ValueError(
            f"split {name!r}: loss {config.loss!r} needs floating targets; got y with dtype {split.y.dtype}"
        )


def check_splits(splits: Splits, config: TrainConfig) -> None:
    if not isinstance(splits, Splits):
        raise TypeError(f"fit needs a jitloop.Splits; got {type(splits).__name__}")
    for name, split in splits.items():
        check_split(name, split, config, splits.num_classes, training=name == "train")
        if split.x.shape[1:] != splits.train.x.shape[1:]:
            raise ValueError(
                f"split {name!r} has inputs of shape {tuple(split.x.shape[1:])}; "
                f"train has {tuple(splits.train.x.shape[1:])}"
            )
