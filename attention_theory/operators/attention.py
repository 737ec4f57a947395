"""Continuum self- and cross-attention with quadrature weights.

Calvello, Kovachki, Levine, Stuart, "Continuum Attention for Neural Operators" (arXiv 2406.06486),
Eq. (3.2)-(3.4):  A(u)(x) = int kappa(x, y; u) V v(y) dnu(y),
kappa(x, y) = exp(<Q u(x), K v(y)>/sqrt(d_k)) / int exp(<Q u(x), K v(s)>/sqrt(d_k)) dnu(s).
With points y_j and quadrature weights w_j the integral becomes
sum_j w_j e^{s_j} V v(y_j) / sum_j w_j e^{s_j} = softmax_j(s_j + log w_j) V v(y_j),
so equal weights give standard softmax attention and no masking is needed.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from flax import nnx

from attention_theory.operators.quadrature import log_weights as _log_weights


def _as_batched_log_weights(weights: jax.Array | None, batch: int, num_keys: int) -> jax.Array | None:
    """(N,) or (B, N) weights -> (B, 1, 1, N) log-weights (or None for uniform)."""
    if weights is None:
        return None
    weights = jnp.asarray(weights)
    if weights.shape not in ((num_keys,), (batch, num_keys)):
        raise ValueError(
            f"weights must have shape ({num_keys},) or ({batch}, {num_keys}) to match the keys; got {weights.shape}"
        )
    weights = jnp.broadcast_to(weights, (batch, num_keys))
    return _log_weights(weights)[:, None, None, :]


def continuum_attention(
    q: jax.Array, k: jax.Array, v: jax.Array, weights: jax.Array | None = None, scale: float | None = None
) -> jax.Array:
    """Quadrature-weighted softmax attention.

    Args:
      q: (B, H, Nq, dk) queries at the output points.
      k: (B, H, Nk, dk) keys at the sample points y_j.
      v: (B, H, Nk, dv) values at the sample points.
      weights: quadrature weights, (Nk,) or (B, Nk); None means equal weights.
      scale: score scale; default 1/sqrt(dk).
    Returns:
      (B, H, Nq, dv).
    """
    if q.ndim != 4 or k.ndim != 4 or v.ndim != 4 or k.shape[:3] != v.shape[:3] or q.shape[-1] != k.shape[-1]:
        raise ValueError(f"expected q (B,H,Nq,dk), k (B,H,Nk,dk), v (B,H,Nk,dv); got {q.shape}, {k.shape}, {v.shape}")
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = jnp.einsum("bhqd,bhkd->bhqk", q, k) * scale
    logw = _as_batched_log_weights(weights, q.shape[0], k.shape[2])
    if logw is not None:
        scores = scores + logw
    probs = jax.nn.softmax(scores, axis=-1)
    return jnp.einsum("bhqk,bhkd->bhqd", probs, v)


class ContinuumAttention(nnx.Module):
    """Multi-head continuum attention with pointwise Q, K, V and output map W_O.

    Self-attention: `attn(u)`; cross-attention: `attn(u, context=v)` where v lives on its own
    point set (its own weights). Shapes: u (B, Nq, d_model), v (B, Nk, d_model) -> (B, Nq, d_model).
    """

    def __init__(self, d_model: int, num_heads: int, *, rngs: nnx.Rngs):
        if d_model % num_heads != 0:
            raise ValueError(f"d_model={d_model} must be divisible by num_heads={num_heads}")
        self.num_heads = num_heads
        self.head_dim = d_model // num_heads
        self.query = nnx.Linear(d_model, d_model, rngs=rngs)
        self.key = nnx.Linear(d_model, d_model, rngs=rngs)
        self.value = nnx.Linear(d_model, d_model, rngs=rngs)
        self.out = nnx.Linear(d_model, d_model, rngs=rngs)

    def _heads(self, x: jax.Array) -> jax.Array:
        b, n, _ = x.shape
        return x.reshape(b, n, self.num_heads, self.head_dim).transpose(0, 2, 1, 3)

    def __call__(self, u: jax.Array, context: jax.Array | None = None, weights: jax.Array | None = None) -> jax.Array:
        """u: (B, Nq, d); context: (B, Nk, d) or None (= u); weights: (Nk,) or (B, Nk) or None."""
        context = u if context is None else context
        if u.ndim != 3 or context.ndim != 3 or u.shape[0] != context.shape[0]:
            raise ValueError(f"expected u (B, Nq, d) and context (B, Nk, d); got {u.shape} and {context.shape}")
        q = self._heads(self.query(u))
        k = self._heads(self.key(context))
        v = self._heads(self.value(context))
        y = continuum_attention(q, k, v, weights)
        b, _, n, _ = y.shape
        return self.out(y.transpose(0, 2, 1, 3).reshape(b, n, self.num_heads * self.head_dim))
