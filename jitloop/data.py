"""Datasets in the engine's format: whole splits held as device arrays.

A `Split` is a pair of arrays with a shared leading example axis; `Splits` groups the
train/valid/test splits with the task metadata the engine needs. Every pillar hands its
data to the engine in this form (einspace datasets, PDE operator pairs, memory tasks).
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np


@dataclasses.dataclass(frozen=True)
class Split:
    """One split. x: (N, *input_shape); y: (N,) int labels or (N, *target_shape) targets."""

    x: jax.Array
    y: jax.Array

    def __post_init__(self):
        for field in ("x", "y"):
            value = getattr(self, field)
            if not hasattr(value, "shape") or np.ndim(value) < 1:
                raise ValueError(
                    f"Split.{field} must be an array with a leading example axis; "
                    f"got {type(value).__name__} with shape {getattr(value, 'shape', None)}"
                )
        if self.x.shape[0] != self.y.shape[0]:
            raise ValueError(
                f"Split.x and Split.y must have the same number of examples; "
                f"got x.shape={tuple(self.x.shape)} and y.shape={tuple(self.y.shape)}"
            )

    def __len__(self) -> int:
        return int(self.x.shape[0])


@dataclasses.dataclass(frozen=True)
class Splits:
    """train/valid/test splits; num_classes is set for classification, None for regression."""

    train: Split
    valid: Split | None = None
    test: Split | None = None
    num_classes: int | None = None
    name: str = "dataset"

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.train.x.shape[1:])

    def items(self):
        """(name, split) for each split that is present."""
        for name in ("train", "valid", "test"):
            split = getattr(self, name)
            if split is not None:
                yield name, split


def to_device(x: np.ndarray | jax.Array, dtype=None) -> jax.Array:
    """Put an array on the default device once, so epochs never copy it again."""
    return jax.device_put(jnp.asarray(x, dtype=dtype))
