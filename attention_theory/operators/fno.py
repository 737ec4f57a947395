"""Fourier Neural Operator baseline, 1-D and 2-D (Li et al., ICLR 2021).

Coordinates appended -> pointwise lift to `width` -> L layers of
v <- GELU(SpectralConv(v) + W v) (no activation after the last) -> pointwise projection
width -> 128 -> out. For non-periodic problems (Darcy) the grid is zero-padded by `padding`
points at the far end of each axis before the Fourier layers and cropped after, as in the
reference implementation.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

from attention_theory.operators.grid import append_coordinates
from attention_theory.operators.spectral import SpectralConv1d, SpectralConv2d


class FNO(nnx.Module):
    """x: (B, *grid, in_channels) -> (B, *grid, out_channels), grid of dimension `dim` (1 or 2)."""

    def __init__(
        self,
        dim: int,
        in_channels: int,
        out_channels: int,
        *,
        modes: int = 12,
        width: int = 32,
        num_layers: int = 4,
        padding: int = 0,
        projection: int = 128,
        rngs: nnx.Rngs,
    ):
        if dim not in (1, 2):
            raise ValueError(f"FNO dim must be 1 or 2; got {dim}")
        self.dim, self.padding = dim, padding
        self.in_channels = in_channels
        self.lift = nnx.Linear(in_channels + dim, width, rngs=rngs)
        if dim == 1:
            self.spectral = nnx.List([SpectralConv1d(width, width, modes, rngs=rngs) for _ in range(num_layers)])
        else:
            self.spectral = nnx.List([SpectralConv2d(width, width, modes, modes, rngs=rngs) for _ in range(num_layers)])
        self.bypass = nnx.List([nnx.Linear(width, width, rngs=rngs) for _ in range(num_layers)])
        self.proj1 = nnx.Linear(width, projection, rngs=rngs)
        self.proj2 = nnx.Linear(projection, out_channels, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        if x.ndim != self.dim + 2 or x.shape[-1] != self.in_channels:
            raise ValueError(f"FNO({self.dim}-D) expects (B, *grid[{self.dim}], {self.in_channels}); got {x.shape}")
        v = self.lift(append_coordinates(x))
        if self.padding:
            pad = [(0, 0)] + [(0, self.padding)] * self.dim + [(0, 0)]
            v = jnp.pad(v, pad)
        last = len(self.spectral) - 1
        for i, (spectral, bypass) in enumerate(zip(self.spectral, self.bypass)):
            v = spectral(v) + bypass(v)
            if i < last:
                v = jax.nn.gelu(v)
        if self.padding:
            v = v[(slice(None),) + tuple(slice(0, n) for n in x.shape[1:-1])]
        return self.proj2(jax.nn.gelu(self.proj1(v)))
