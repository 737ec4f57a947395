"""Softmax attention as a modern Hopfield memory, the comparison for linear (Hebbian) memories.

One retrieval step xi <- V^T softmax(beta K xi) (Ramsauer et al. 2020, eq. 3 with stored
patterns as rows of K and the retrieved value read from V; V = K gives the auto-associative
Hopfield update). Storage grows exponentially in d (their Theorem 3), unlike the linear memory.
"""

from __future__ import annotations

import jax


def softmax_retrieve(queries: jax.Array, keys: jax.Array, values: jax.Array, beta: float) -> jax.Array:
    """softmax(beta q K^T) V for queries (..., d_k), keys (n, d_k), values (n, d_v) -> (..., d_v)."""
    if keys.shape[0] != values.shape[0] or queries.shape[-1] != keys.shape[-1]:
        raise ValueError(
            f"softmax_retrieve shapes: queries {tuple(queries.shape)}, keys {tuple(keys.shape)}, "
            f"values {tuple(values.shape)}; need queries (..., d_k), keys (n, d_k), values (n, d_v)"
        )
    return jax.nn.softmax(beta * queries @ keys.T, axis=-1) @ values


def hopfield_update(xi: jax.Array, patterns: jax.Array, beta: float) -> jax.Array:
    """Modern-Hopfield update of state xi (..., d) with stored patterns (n, d)."""
    return softmax_retrieve(xi, patterns, patterns, beta)
