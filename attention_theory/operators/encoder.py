"""Post-norm transformer encoder layer, shared by TNO, ViTNO and FANO.

Calvello et al. (arXiv 2406.06486) Sec. 4: v <- LN(v + A(v)); v <- LN(v + W2 GELU(W1 v + b1) + b2),
LayerNorm over channels at each point, so every step is pointwise except the attention A, which
is whatever continuum attention the operator uses (pointwise or patched, any quadrature).
"""

from __future__ import annotations

import jax
from flax import nnx


class PostNormLayer(nnx.Module):
    """v: (B, ..., d_model) -> same shape; `attention(v, **kwargs)` must preserve the shape."""

    def __init__(self, attention: nnx.Module, d_model: int, feedforward: int, *, rngs: nnx.Rngs):
        self.attention = attention
        self.norm1 = nnx.LayerNorm(d_model, rngs=rngs)
        self.norm2 = nnx.LayerNorm(d_model, rngs=rngs)
        self.ff1 = nnx.Linear(d_model, feedforward, rngs=rngs)
        self.ff2 = nnx.Linear(feedforward, d_model, rngs=rngs)

    def __call__(self, v: jax.Array, **attention_kwargs) -> jax.Array:
        v = self.norm1(v + self.attention(v, **attention_kwargs))
        return self.norm2(v + self.ff2(jax.nn.gelu(self.ff1(v))))
