"""Transformer Neural Operator (Calvello et al., arXiv 2406.06486, Sec. 4.1), 1-D and 2-D.

Lifting v0(x) = W_in [a(x); x; PE(x)] + b with coordinates x appended (and optionally a
sinusoidal continuous position encoding PE), post-norm encoder layers with continuum
self-attention over all grid points, pointwise projection to the output channels. Attention
uses quadrature weights (uniform, or trapezoid on the tensor grid), so the same parameters
approximate the same integral operator at every resolution and time step.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

from attention_theory.operators.attention import ContinuumAttention
from attention_theory.operators.encoder import PostNormLayer
from attention_theory.operators.grid import grid_coordinates, sinusoidal_encoding
from attention_theory.operators.quadrature import trapezoid_weights

QUADRATURES = ("uniform", "trapezoid")


def grid_weights(coords: jax.Array, quadrature: str) -> jax.Array | None:
    """Quadrature weights (N,) for points on a tensor grid coords (*grid, dim); None = uniform."""
    if quadrature == "uniform":
        return None
    if quadrature != "trapezoid":
        raise ValueError(f"quadrature must be one of {QUADRATURES}; got {quadrature!r}")
    dim = coords.shape[-1]
    weights = jnp.ones(coords.shape[:-1], coords.dtype)
    for axis in range(dim):
        index = [0] * dim
        index[axis] = slice(None)
        w_axis = trapezoid_weights(coords[tuple(index) + (axis,)])
        shape = [1] * dim
        shape[axis] = -1
        weights = weights * w_axis.reshape(shape)
    return weights.reshape(-1)


class TNO(nnx.Module):
    """x: (B, *grid, in_channels) -> (B, *grid, out_channels); grid of dimension 1 or 2.

    Call as `model(x)`, or `model(x, coords=c)` with c: (*grid, dim) physical coordinates of a
    (possibly non-uniform) tensor grid; the trapezoid weights then follow the coordinates.
    """

    def __init__(
        self,
        dim: int,
        in_channels: int,
        out_channels: int,
        *,
        d_model: int = 64,
        num_heads: int = 4,
        num_layers: int = 2,
        feedforward: int = 64,
        pos_frequencies: int = 0,
        quadrature: str = "uniform",
        rngs: nnx.Rngs,
    ):
        if dim not in (1, 2):
            raise ValueError(f"TNO dim must be 1 or 2; got {dim}")
        if quadrature not in QUADRATURES:
            raise ValueError(f"TNO quadrature must be one of {QUADRATURES}; got {quadrature!r}")
        self.dim, self.in_channels = dim, in_channels
        self.pos_frequencies, self.quadrature = pos_frequencies, quadrature
        lift_in = in_channels + dim + 2 * dim * pos_frequencies
        self.lift = nnx.Linear(lift_in, d_model, rngs=rngs)
        self.layers = nnx.List(
            [
                PostNormLayer(ContinuumAttention(d_model, num_heads, rngs=rngs), d_model, feedforward, rngs=rngs)
                for _ in range(num_layers)
            ]
        )
        self.project = nnx.Linear(d_model, out_channels, rngs=rngs)

    def __call__(self, x: jax.Array, coords: jax.Array | None = None) -> jax.Array:
        if x.ndim != self.dim + 2 or x.shape[-1] != self.in_channels:
            raise ValueError(f"TNO({self.dim}-D) expects (B, *grid[{self.dim}], {self.in_channels}); got {x.shape}")
        b, grid = x.shape[0], x.shape[1:-1]
        coords = grid_coordinates(grid) if coords is None else jnp.asarray(coords, x.dtype)
        if coords.shape != grid + (self.dim,):
            raise ValueError(f"coords must have shape {grid + (self.dim,)}; got {coords.shape}")
        feats = [coords]
        if self.pos_frequencies:
            feats.append(sinusoidal_encoding(coords, self.pos_frequencies))
        point_feats = jnp.concatenate(feats, axis=-1).astype(x.dtype)
        point_feats = jnp.broadcast_to(point_feats[None], (b,) + point_feats.shape)
        v = self.lift(jnp.concatenate([x, point_feats], axis=-1)).reshape(b, -1, self.lift.out_features)
        weights = grid_weights(coords, self.quadrature)
        for layer in self.layers:
            v = layer(v, weights=weights)
        return self.project(v).reshape((b,) + grid + (-1,))
