"""The chunkwise (WY/UT) delta rule equals the recurrent one; both equal the memory's delta rule."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from attention_theory.linear_attention import delta_rule_chunkwise, delta_rule_recurrent, unit_lower_inverse
from attention_theory.memory import RuleConfig, write


recurrent = jax.jit(delta_rule_recurrent)
chunkwise = jax.jit(delta_rule_chunkwise, static_argnames="chunk_size")


def _inputs(key, t=41, d_k=8, d_v=5):
    kq, kk, kv, kb, kg = jax.random.split(key, 5)
    q = jax.random.normal(kq, (t, d_k))
    k = jax.random.normal(kk, (t, d_k))
    k = k / jnp.linalg.norm(k, axis=1, keepdims=True)  # DeltaNet L2-normalises keys
    v = jax.random.normal(kv, (t, d_v))
    beta = jax.random.uniform(kb, (t,), minval=0.1, maxval=1.0)
    g = -jax.random.uniform(kg, (t,), maxval=0.2)
    return q, k, v, beta, g


def _naive(q, k, v, beta, g):
    q, k, v, beta, g = map(np.asarray, (q, k, v, beta, g))
    S, out = np.zeros((k.shape[1], v.shape[1])), []
    for t in range(len(q)):
        S = np.exp(g[t]) * (np.eye(k.shape[1]) - beta[t] * np.outer(k[t], k[t])) @ S + beta[t] * np.outer(k[t], v[t])
        out.append(q[t] @ S)
    return np.stack(out)


@pytest.mark.parametrize("gated,chunk_size", [(False, 16), (True, 1), (True, 7), (True, 64)])
def test_chunkwise_equals_recurrent_equals_naive(key, gated, chunk_size):
    q, k, v, beta, g = _inputs(key)
    g = g if gated else jnp.zeros_like(g)
    ref = _naive(q, k, v, beta, g)
    rec = recurrent(q, k, v, beta, g if gated else None)
    chunk = chunkwise(q, k, v, beta, g if gated else None, chunk_size=chunk_size)
    np.testing.assert_allclose(rec, ref, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(chunk, ref, rtol=1e-4, atol=1e-4)


def test_gradients_agree(key):
    q, k, v, beta, g = _inputs(key, t=24)

    def loss(form, *args):
        return jnp.sum(jnp.tanh(form(*args)))

    rec = jax.jit(jax.grad(functools.partial(loss, delta_rule_recurrent), argnums=(0, 1, 2, 3, 4)))(q, k, v, beta, g)
    chk = jax.jit(
        jax.grad(functools.partial(loss, functools.partial(delta_rule_chunkwise, chunk_size=8)), argnums=(0, 1, 2, 3, 4))
    )(q, k, v, beta, g)
    for a, b in zip(rec, chk):
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-4)


def test_constant_beta_is_the_memory_delta_rule(key):
    q, k, v, _, _ = _inputs(key)
    beta = 0.6
    out = delta_rule_recurrent(q, k, v, jnp.full((q.shape[0],), beta))
    S = write(RuleConfig("delta", alpha=beta), k, v).S
    np.testing.assert_allclose(out[-1], q[-1] @ S, rtol=1e-4, atol=1e-5)


def test_beta_shape_error():
    with pytest.raises(ValueError, match=r"beta must have shape \(T,\)=\(4,\)"):
        delta_rule_chunkwise(jnp.zeros((4, 3)), jnp.zeros((4, 3)), jnp.zeros((4, 2)), jnp.zeros(5))


def test_unit_lower_inverse_matches_numpy(key):
    c = 16
    m = np.eye(c) + np.tril(np.asarray(jax.random.normal(key, (3, c, c))), -1)
    np.testing.assert_allclose(jax.jit(unit_lower_inverse)(jnp.asarray(m, jnp.float32)), np.linalg.inv(m),
                               rtol=1e-4, atol=1e-4)


def test_unit_lower_inverse_stable_for_identical_keys():
    """All keys equal, beta = 1: L is all-ones below the diagonal. A Neumann series would need
    powers with entries ~ C(63, 31); the blocked inverse stays exact (entries 0, +-1)."""
    m = np.eye(64) + np.tril(np.ones((64, 64)), -1)
    np.testing.assert_allclose(jax.jit(unit_lower_inverse)(jnp.asarray(m, jnp.float32)), np.linalg.inv(m), atol=1e-5)
