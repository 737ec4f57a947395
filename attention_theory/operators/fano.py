"""Fourier Attention Neural Operator (Calvello et al., arXiv 2406.06486, Sec. 4.2.2).

Coordinates appended -> pointwise lifting -> patchify into a fixed P1 x P2 patch grid ->
post-norm encoder layers whose attention applies per-head spectral convolutions Q, K, V inside
every patch and scores patches by the L2(patch) inner product -> reassemble -> pointwise
projection. Same parameters at every resolution that is a multiple of the patch count.
"""

from __future__ import annotations

import jax
from flax import nnx

from attention_theory.operators.encoder import PostNormLayer
from attention_theory.operators.grid import append_coordinates
from attention_theory.operators.patches import SpectralPatchAttention, patchify, unpatchify


class FANO(nnx.Module):
    """x: (B, s1, s2, in_channels) -> (B, s1, s2, out_channels); s_i divisible by num_patches."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        *,
        num_patches: int = 8,
        d_model: int = 32,
        num_heads: int = 4,
        num_layers: int = 2,
        feedforward: int = 64,
        modes: int = 4,
        rngs: nnx.Rngs,
    ):
        self.in_channels, self.num_patches = in_channels, num_patches
        self.lift = nnx.Linear(in_channels + 2, d_model, rngs=rngs)
        self.layers = nnx.List(
            [
                PostNormLayer(
                    SpectralPatchAttention(d_model, num_heads, num_patches, modes, rngs=rngs),
                    d_model,
                    feedforward,
                    rngs=rngs,
                )
                for _ in range(num_layers)
            ]
        )
        self.proj1 = nnx.Linear(d_model, feedforward, rngs=rngs)
        self.proj2 = nnx.Linear(feedforward, out_channels, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        if x.ndim != 4 or x.shape[-1] != self.in_channels:
            raise ValueError(f"FANO expects (B, s1, s2, {self.in_channels}); got {x.shape}")
        v = patchify(self.lift(append_coordinates(x)), self.num_patches)
        for layer in self.layers:
            v = layer(v)
        return self.proj2(jax.nn.gelu(self.proj1(unpatchify(v, self.num_patches))))
