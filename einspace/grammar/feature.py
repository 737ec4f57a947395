"""Feature contexts: the symbolic (mode, shape) of one example's tensor, without the batch axis.

Two modes, as in the paper: "im" (C, H, W) and "col" (S, D). Feature dims are numbered from 1
(dim 1 = C or S), which is also the array axis once the batch axis 0 is prepended.
"""

from __future__ import annotations

import math
from typing import NamedTuple

MODES = ("im", "col")


class Feature(NamedTuple):
    """The symbolic type of one example: `mode` in MODES and `shape` without the batch axis."""

    mode: str
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        """Number of elements of one example."""
        return math.prod(self.shape)

    def __str__(self) -> str:
        return f"{self.mode}({'x'.join(str(s) for s in self.shape)})"


def feature_for_input(input_shape: tuple[int, ...]) -> Feature:
    """The feature of a raw input: (C, H, W) -> Im mode, (S, D) -> Col mode.

    Raises ValueError naming the shape when it has another rank or a non-positive size.
    """
    shape = tuple(int(s) for s in input_shape)
    if any(s <= 0 for s in shape):
        raise ValueError(f"input_shape={shape}: every size must be positive")
    if len(shape) == 3:
        return Feature("im", shape)
    if len(shape) == 2:
        return Feature("col", shape)
    raise ValueError(
        f"input_shape={shape}: expected (C, H, W) for Im mode or (S, D) for Col mode"
    )


def parse_shape(text: str) -> tuple[int, ...]:
    """'3x28x28' -> (3, 28, 28); raises ValueError naming the text otherwise."""
    try:
        shape = tuple(int(p) for p in text.lower().split("x"))
    except ValueError:
        raise ValueError(f"input shape {text!r}: expected sizes joined by 'x', e.g. 3x28x28") from None
    feature_for_input(shape)
    return shape
