"""Samplers: the both-words threefry normal equals jax's original threefry stream bit for bit, and
falls back to jax.random.normal for other key implementations; root keys name a bad impl."""

from __future__ import annotations

import jax
import numpy as np
import pytest

from attention_theory.memory.sampling import root_key, threefry_normal


@pytest.mark.parametrize("shape", [(5, 7), (3,), (64, 130)])
def test_threefry_normal_equals_jax_original_stream(key, shape):
    with jax.threefry_partitionable(False):
        reference = np.asarray(jax.random.normal(key, shape))
    ours = np.asarray(jax.jit(threefry_normal, static_argnums=1)(key, shape))
    np.testing.assert_array_equal(ours, reference)


def test_threefry_normal_moments_and_other_impls(key):
    """Mean 0 and variance 1 within 5 standard errors of 40k draws (se 0.005 and 0.007)."""
    x = np.asarray(threefry_normal(key, (200, 200)))
    assert abs(x.mean()) < 0.025 and abs(x.var() - 1.0) < 0.035
    philox = jax.random.key(4, impl="philox4x32")
    np.testing.assert_array_equal(np.asarray(threefry_normal(philox, (6, 3))), np.asarray(jax.random.normal(philox, (6, 3))))


def test_root_key_rejects_unknown_impl():
    assert str(jax.random.key_impl(root_key(0, "philox2x32"))) == "philox2x32"
    with pytest.raises(ValueError, match="prng_impl='pcg64' is not a PRNG implementation"):
        root_key(0, "pcg64")
