"""Coordinates on the unit cube and sinusoidal continuous position encodings.

Every operator appends the coordinates of its sample points as input channels
(x in linspace(0, 1, n) per axis, the FNO/TNO convention), so parameters never depend on the
number of points and a trained model can be evaluated on another grid.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def grid_coordinates(shape: tuple[int, ...]) -> jax.Array:
    """(*shape, len(shape)) coordinates, axis i running over linspace(0, 1, shape[i])."""
    axes = [jnp.linspace(0.0, 1.0, n) for n in shape]
    return jnp.stack(jnp.meshgrid(*axes, indexing="ij"), axis=-1)


def append_coordinates(x: jax.Array, coords: jax.Array | None = None) -> jax.Array:
    """x: (B, *grid, C) -> (B, *grid, C + dim) with the grid's coordinates appended.

    coords: (*grid, dim) to override the uniform grid (e.g. physical time on a non-uniform grid).
    """
    grid = x.shape[1:-1]
    coords = grid_coordinates(grid) if coords is None else jnp.asarray(coords, x.dtype)
    if coords.shape[:-1] != grid:
        raise ValueError(f"coords must have shape (*grid, dim) with grid={grid}; got {coords.shape}")
    coords = jnp.broadcast_to(coords[None], (x.shape[0],) + coords.shape)
    return jnp.concatenate([x, coords.astype(x.dtype)], axis=-1)


def sinusoidal_encoding(coords: jax.Array, num_frequencies: int) -> jax.Array:
    """Continuous position encoding: (..., dim) -> (..., 2 * dim * num_frequencies).

    Features sin(2 pi k x_i) and cos(2 pi k x_i) for k = 1..num_frequencies: a function of the
    physical point, not of its index, so it is the same at every resolution.
    """
    k = jnp.arange(1, num_frequencies + 1, dtype=coords.dtype)
    angles = 2.0 * jnp.pi * coords[..., None] * k.reshape((1,) * coords.ndim + (-1,))  # (..., dim, K)
    feats = jnp.concatenate([jnp.sin(angles), jnp.cos(angles)], axis=-1)
    return feats.reshape(coords.shape[:-1] + (-1,))
