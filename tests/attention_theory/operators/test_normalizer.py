"""Unit-Gaussian normalisers and the raw-scale wrapper."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from attention_theory.operators import Normalized, NormalizerStat, UnitGaussianNormalizer


def test_channel_normaliser_gives_unit_gaussian_and_round_trips():
    x = jnp.asarray(np.random.default_rng(0).normal(size=(50, 8, 8, 2)), jnp.float32) * jnp.array([[[[3.0, 0.5]]]]) + jnp.array([[[[2.0, -1.0]]]])
    norm = UnitGaussianNormalizer.fit(x)
    z = norm.encode(x)
    np.testing.assert_allclose(np.asarray(z.mean(axis=(0, 1, 2))), 0.0, atol=1e-5)
    np.testing.assert_allclose(np.asarray(z.std(axis=(0, 1, 2))), 1.0, atol=1e-4)
    np.testing.assert_allclose(np.asarray(norm.decode(z)), np.asarray(x), atol=1e-5)
    assert norm.encode(x[:3, ::2, ::2]).shape == (3, 4, 4, 2)  # per-channel stats work at any resolution


def test_pointwise_normaliser_rejects_other_resolutions():
    norm = UnitGaussianNormalizer.fit(jnp.asarray(np.random.default_rng(0).normal(size=(10, 8, 8, 1)), jnp.float32), mode="pointwise")
    assert norm.mean.shape == (8, 8, 1)
    with pytest.raises(ValueError, match="mode='channel'"):
        norm.encode(jnp.ones((2, 4, 4, 1)))
    with pytest.raises(ValueError, match="'channel', 'pointwise'"):
        UnitGaussianNormalizer.fit(jnp.ones((2, 3, 1)), mode="global")


def test_normalized_wrapper_decodes_and_keeps_stats_out_of_params():
    x = jnp.asarray(np.random.default_rng(0).normal(size=(6, 8, 8, 1)), jnp.float32) * 4.0 + 1.0
    y = x**2 + 10.0
    model = nnx.Linear(1, 1, rngs=nnx.Rngs(0))
    wrapped = Normalized(model, UnitGaussianNormalizer.fit(x), UnitGaussianNormalizer.fit(y))
    xn, yn = wrapped.normalizers()
    np.testing.assert_allclose(np.asarray(wrapped(x)), np.asarray(yn.decode(model(xn.encode(x)))), atol=1e-5)
    stats = nnx.state(wrapped, NormalizerStat)
    params = nnx.state(wrapped, nnx.Param)
    assert len(jax.tree.leaves(stats)) == 4
    assert len(jax.tree.leaves(params)) == len(jax.tree.leaves(nnx.state(model, nnx.Param)))
