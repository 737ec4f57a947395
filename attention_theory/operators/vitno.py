"""ViT Neural Operator (Calvello et al., arXiv 2406.06486, Sec. 4.2.1).

Coordinates appended -> patchify into a fixed P1 x P2 patch grid -> per-patch spectral lifting
(a spectral conv on each patch plus a pointwise bypass, so sub-mode detail is not lost) ->
post-norm encoder layers with patch attention (pointwise Q, K, V; L2(patch) scores) ->
reassemble -> optional global spectral smoothing residual v <- v + SpectralConv(v) ->
pointwise projection. The patch count is fixed, so the model runs at any resolution that is a
multiple of it with the same parameters.
"""

from __future__ import annotations

import jax
from flax import nnx

from attention_theory.operators.encoder import PostNormLayer
from attention_theory.operators.grid import append_coordinates
from attention_theory.operators.patches import PatchAttention, patchify, unpatchify
from attention_theory.operators.spectral import SpectralConv2d


class ViTNO(nnx.Module):
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
        modes: int = 9,
        smoothing_modes: int = 0,
        rngs: nnx.Rngs,
    ):
        self.in_channels, self.num_patches = in_channels, num_patches
        self.lift_spectral = SpectralConv2d(in_channels + 2, d_model, modes, modes, rngs=rngs)
        self.lift_pointwise = nnx.Linear(in_channels + 2, d_model, rngs=rngs)
        self.layers = nnx.List(
            [
                PostNormLayer(PatchAttention(d_model, num_heads, num_patches, rngs=rngs), d_model, feedforward, rngs=rngs)
                for _ in range(num_layers)
            ]
        )
        self.smoothing = (
            SpectralConv2d(d_model, d_model, smoothing_modes, smoothing_modes, rngs=rngs) if smoothing_modes else None
        )
        self.proj1 = nnx.Linear(d_model, feedforward, rngs=rngs)
        self.proj2 = nnx.Linear(feedforward, out_channels, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        if x.ndim != 4 or x.shape[-1] != self.in_channels:
            raise ValueError(f"ViTNO expects (B, s1, s2, {self.in_channels}); got {x.shape}")
        t = patchify(append_coordinates(x), self.num_patches)
        b, n, q1, q2, c = t.shape
        flat = t.reshape(b * n, q1, q2, c)
        v = (self.lift_spectral(flat) + self.lift_pointwise(flat)).reshape(b, n, q1, q2, -1)
        for layer in self.layers:
            v = layer(v)
        v = unpatchify(v, self.num_patches)
        if self.smoothing is not None:
            v = v + self.smoothing(v)
        return self.proj2(jax.nn.gelu(self.proj1(v)))
