"""Readouts: decide whether a retrieval r (..., d_v) recovered its target value v (..., d_v).

- relative error ||r - v||^2 / ||v||^2 and the paper's threshold test: item m fails when
  ||r_noise||^2 >= delta ||r_signal||^2 (Qiao, arXiv 2508.08289, Theorem 6);
- sign (bit) decoding: bit errors of sign(r) against sign(v);
- nearest-neighbour decoding against a codebook of candidate values;
- divisive normalisation (parameter-free LayerNorm / RMSNorm, "NormAttention", Qin et al. 2022).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

NORMS: tuple[str, ...] = ("none", "layernorm", "rmsnorm")


def normalize(r: jax.Array, kind: str = "none", eps: float = 1e-6) -> jax.Array:
    """Divisive normalisation of r (..., d_v) along the last axis, without learned scale."""
    if kind == "none":
        return r
    if kind == "layernorm":
        centred = r - jnp.mean(r, axis=-1, keepdims=True)
        return centred / jnp.sqrt(jnp.mean(centred * centred, axis=-1, keepdims=True) + eps)
    if kind == "rmsnorm":
        return r / jnp.sqrt(jnp.mean(r * r, axis=-1, keepdims=True) + eps)
    raise ValueError(f"normalize kind={kind!r} is unknown; valid kinds: {NORMS}")


def relative_error(r: jax.Array, v: jax.Array) -> jax.Array:
    """||r - v||^2 / ||v||^2 over the last axis: (...,)."""
    return jnp.sum((r - v) ** 2, axis=-1) / jnp.sum(v * v, axis=-1)


def threshold_fails(r: jax.Array, v: jax.Array, delta: float) -> jax.Array:
    """True where ||r - v||^2 >= delta ||v||^2 (the paper's failure event); (...,) bool."""
    return relative_error(r, v) >= delta


def bit_errors(r: jax.Array, v: jax.Array) -> jax.Array:
    """Fraction of coordinates whose sign differs between r and v: (...,)."""
    return jnp.mean(jnp.sign(r) != jnp.sign(v), axis=-1)


def nearest_neighbour(r: jax.Array, codebook: jax.Array, valid: jax.Array | None = None) -> jax.Array:
    """Index of the Euclidean-nearest codebook row for each r: r (..., d_v), codebook (M, d_v) -> (...,) int.

    valid (M,) bool, optional: rows that may be chosen (padding rows of a masked grid are not).
    """
    if r.shape[-1] != codebook.shape[-1]:
        raise ValueError(f"r last axis {r.shape[-1]} != codebook width {codebook.shape[-1]}")
    # argmin ||r - c||^2 = argmax (2 r.c - ||c||^2)
    sq_norms = jnp.sum(codebook * codebook, axis=-1)
    if valid is not None:
        sq_norms = jnp.where(valid, sq_norms, jnp.inf)
    scores = 2.0 * r @ codebook.T - sq_norms.reshape((1,) * (r.ndim - 1) + sq_norms.shape)
    return jnp.argmax(scores, axis=-1)
