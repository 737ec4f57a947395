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


recurrent = jax.jit(linear_attention_recurrent)
parallel = jax.jit(linear_attention_parallel)
chunkwise = jax.jit(linear_attention_chunkwise, static_argnames="chunk_size")


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


@pytest.mark.parametrize("gated,chunk_size", [(False, 16), (True, 1), (True, 16), (True, 64)])
def test_three_forms_agree_with_naive_loop(key, gated, chunk_size):
    """T = 37 is not a multiple of C: the last chunk is padded; C = 64 > T is a single chunk."""
    q, k, v, g = _inputs(key, gated=gated)
    ref = _naive(q, k, v, g)
    np.testing.assert_allclose(recurrent(q, k, v, g), ref, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(parallel(q, k, v, g), ref, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(chunkwise(q, k, v, g, chunk_size=chunk_size), ref, rtol=1e-4, atol=1e-4)


def _loss(form, q, k, v, g):
    return jnp.sum(jnp.sin(form(q, k, v, g)))


def test_chunkwise_gradients_equal_parallel_gradients(key):
    q, k, v, g = _inputs(key, t=48)
    grad_par = jax.jit(jax.grad(functools.partial(_loss, linear_attention_parallel), argnums=(0, 1, 2, 3)))
    chunk16 = functools.partial(linear_attention_chunkwise, chunk_size=16)
    grad_chunk = jax.jit(jax.grad(functools.partial(_loss, chunk16), argnums=(0, 1, 2, 3)))
    for a, b in zip(grad_par(q, k, v, g), grad_chunk(q, k, v, g)):
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


def test_batched_single_chunk_inside_an_outer_loop_is_correct(key):
    """Regression: one chunk (T <= C) of a 500-sequence batch with L2-normalised DPFP features,
    run inside lax.map (as the engine's evaluation does), gave ~1e27 on XLA:CPU (jax 0.10.2)
    while the length-1 state scan was in the program."""
    from attention_theory.memory import apply_feature_map

    kq, kk, kv = jax.random.split(key, 3)
    q, k, v = (jax.random.normal(s, (500, 9, 8)) for s in (kq, kk, kv))

    def feats(x):
        p = apply_feature_map("dpfp", x, nu=3)
        return p / jnp.sqrt(jnp.sum(p * p, axis=-1, keepdims=True) + 1e-4)

    def run(form, q, k, v):
        return jax.vmap(form)(feats(q), feats(k), v)

    nested = jax.jit(lambda q, k, v: jax.lax.map(lambda a: run(linear_attention_chunkwise, *a), (q[None], k[None], v[None]))[0])
    np.testing.assert_allclose(nested(q, k, v), run(linear_attention_parallel, q, k, v), rtol=1e-4, atol=1e-4)
