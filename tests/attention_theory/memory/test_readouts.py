"""Readouts: threshold, sign decoding against Phi(-sqrt(d_k/(n-1))), nearest neighbour, norms."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from attention_theory.memory import (
    bit_errors,
    hebbian_matrix,
    hopfield_update,
    nearest_neighbour,
    normalize,
    rademacher,
    relative_error,
    softmax_retrieve,
    threshold_fails,
    unit_sphere,
)


def test_relative_error_and_threshold():
    v = jnp.array([[1.0, 0.0], [0.0, 2.0]])
    r = jnp.array([[1.0, 0.5], [0.0, 1.0]])
    np.testing.assert_allclose(relative_error(r, v), [0.25, 0.25])
    np.testing.assert_array_equal(threshold_fails(r, v, 0.25), [True, True])
    np.testing.assert_array_equal(threshold_fails(r, v, 0.3), [False, False])


def test_sign_readout_bit_error_matches_gaussian_prediction(key):
    """Binary values +-1/sqrt(d_v): P(bit error) = Phi(-sqrt(d_k/(n-1))) (reference, Theorem 6 notes)."""
    d_k, d_v, n = 64, 64, 33

    @jax.jit
    def trial(k):
        kk, kv = jax.random.split(k)
        keys = unit_sphere(kk, n, d_k)
        values = rademacher(kv, n, d_v) / math.sqrt(d_v)
        return jnp.mean(bit_errors(keys @ hebbian_matrix(keys, values), values))

    measured = float(jnp.mean(jax.vmap(trial)(jax.random.split(key, 200))))
    predicted = 0.5 * math.erfc(math.sqrt(d_k / (n - 1)) / math.sqrt(2.0))
    assert measured == pytest.approx(predicted, rel=0.08)


def test_nearest_neighbour_matches_naive(key):
    kr, kc = jax.random.split(key)
    r, codebook = jax.random.normal(kr, (30, 5)), 2.0 * jax.random.normal(kc, (11, 5))
    naive = np.argmin(((np.asarray(r)[:, None, :] - np.asarray(codebook)[None]) ** 2).sum(-1), axis=1)
    np.testing.assert_array_equal(nearest_neighbour(r, codebook), naive)


@pytest.mark.parametrize("kind", ["layernorm", "rmsnorm"])
def test_normalize_is_scale_invariant(key, kind):
    r = jax.random.normal(key, (4, 16)) + 3.0
    out = normalize(r, kind)
    np.testing.assert_allclose(normalize(7.0 * r, kind), out, rtol=1e-4, atol=1e-4)
    if kind == "layernorm":
        np.testing.assert_allclose(jnp.mean(out, -1), 0.0, atol=1e-5)
        np.testing.assert_allclose(jnp.var(out, -1), 1.0, rtol=1e-3)
    else:
        np.testing.assert_allclose(jnp.mean(out * out, -1), 1.0, rtol=1e-3)
    with pytest.raises(ValueError, match="kind='batchnorm'"):
        normalize(r, "batchnorm")


def test_softmax_memory_matches_naive_and_retrieves_far_beyond_d(key):
    kk, kv = jax.random.split(key)
    keys, values = unit_sphere(kk, 200, 16), jax.random.normal(kv, (200, 3))
    q = keys[:5]
    w = np.exp(8.0 * np.asarray(q @ keys.T))
    naive = (w / w.sum(-1, keepdims=True)) @ np.asarray(values)
    np.testing.assert_allclose(softmax_retrieve(q, keys, values, 8.0), naive, rtol=1e-4, atol=1e-5)
    # n = 200 >> d = 16 and still retrieves with a sharp inverse temperature
    patterns = rademacher(kv, 200, 16) / 4.0
    out = hopfield_update(patterns, patterns, beta=200.0)
    np.testing.assert_allclose(out, patterns, atol=1e-3)
