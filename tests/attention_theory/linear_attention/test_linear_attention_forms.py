"""Recurrent, parallel and chunkwise linear attention agree (tolerance 1e-4, composite ops)."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from attention_theory.linear_attention import (
    linear_attention_chunkwise,
    linear_attention_parallel,
    linear_attention_recurrent,
    with_normalizer,
)


def _inputs(key, t=37, d_k=8, d_v=5, gated=True):
    kq, kk, kv, kg = jax.random.split(key, 4)
    q = jax.random.normal(kq, (t, d_k)) / 3
    k = jax.random.normal(kk, (t, d_k)) / 3
    v = jax.random.normal(kv, (t, d_v))
    g = -jax.random.uniform(kg, (t,), maxval=0.3) if gated else None
    return q, k, v, g


def _naive(q, k, v, g):
    """Python loop over time in numpy: the definition."""
    q, k, v = map(np.asarray, (q, k, v))
    g = np.zeros(len(q)) if g is None else np.asarray(g)
    S, out = np.zeros((k.shape[1], v.shape[1])), []
    for t in range(len(q)):
        S = np.exp(g[t]) * S + np.outer(k[t], v[t])
        out.append(q[t] @ S)
    return np.stack(out)


@pytest.mark.parametrize("gated", [False, True])
@pytest.mark.parametrize("chunk_size", [1, 8, 16, 64])
def test_three_forms_agree_with_naive_loop(key, gated, chunk_size):
    q, k, v, g = _inputs(key, gated=gated)
    ref = _naive(q, k, v, g)
    np.testing.assert_allclose(jax.jit(linear_attention_recurrent)(q, k, v, g), ref, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(jax.jit(linear_attention_parallel)(q, k, v, g), ref, rtol=1e-4, atol=1e-4)
    chunk = jax.jit(functools.partial(linear_attention_chunkwise, chunk_size=chunk_size))
    np.testing.assert_allclose(chunk(q, k, v, g), ref, rtol=1e-4, atol=1e-4)


def test_gradients_agree_across_forms(key):
    q, k, v, g = _inputs(key, t=48)

    def loss(form, q, k, v, g):
        return jnp.sum(jnp.sin(form(q, k, v, g)))

    grads = [
        jax.jit(jax.grad(functools.partial(loss, f), argnums=(0, 1, 2, 3)))(q, k, v, g)
        for f in (
            linear_attention_recurrent,
            linear_attention_parallel,
            functools.partial(linear_attention_chunkwise, chunk_size=16),
        )
    ]
    for other in grads[1:]:
        for a, b in zip(grads[0], other):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


def test_normalizer_matches_naive(key):
    q, k, v, _ = _inputs(key, gated=False)
    q, k = jax.nn.elu(q) + 1, jax.nn.elu(k) + 1
    num = np.asarray(_naive(q, k, v, None))
    den = np.cumsum(np.asarray(k), axis=0)
    ref = num / (np.sum(np.asarray(q) * den, axis=1, keepdims=True) + 1e-6)
    out = with_normalizer(linear_attention_chunkwise, q, k, v, chunk_size=8)
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-5)


def test_shape_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"q \(4, 3\), k \(4, 2\)"):
        linear_attention_recurrent(jnp.zeros((4, 3)), jnp.zeros((4, 2)), jnp.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"log_gate must have shape"):
        linear_attention_parallel(jnp.zeros((4, 3)), jnp.zeros((4, 3)), jnp.zeros((4, 2)), jnp.zeros(3))
