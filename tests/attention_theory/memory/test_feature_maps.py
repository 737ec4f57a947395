"""Feature maps: sizes, DPFP against its definition, FAVOR+ as an unbiased kernel estimate."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from attention_theory.memory import FEATURE_MAPS, apply_feature_map, favor_projection, feature_size


@pytest.mark.parametrize("nu", [1, 2, 3])
@pytest.mark.parametrize("d", [4, 64])
def test_dpfp_size_is_2_d_nu(key, nu, d):
    x = jax.random.normal(key, (3, d))
    assert feature_size("dpfp", d, nu=nu) == 2 * d * nu
    assert apply_feature_map("dpfp", x, nu=nu).shape == (3, 2 * d * nu)


def test_dpfp_matches_naive_loop(key):
    x = np.asarray(jax.random.normal(key, (5,)))
    nu = 2
    xp = np.concatenate([np.maximum(x, 0), np.maximum(-x, 0)])
    n2 = len(xp)
    naive = [xp[i] * xp[(i - j) % n2] for j in range(1, nu + 1) for i in range(n2)]
    np.testing.assert_allclose(apply_feature_map("dpfp", jnp.asarray(x), nu=nu), naive, rtol=1e-6)


def test_elu_plus_one_positive_and_identity_unchanged(key):
    x = 5.0 * jax.random.normal(key, (100,))
    assert bool(jnp.all(apply_feature_map("elu_plus_one", x) > 0))
    np.testing.assert_array_equal(apply_feature_map("identity", x), x)


def test_favor_plus_estimates_softmax_kernel(key):
    """E[phi(q).phi(k)] = exp(q.k) for phi = FAVOR+ (Choromanski et al. 2021, Lemma 1)."""
    kq, kk, kw = jax.random.split(key, 3)
    q, k = 0.3 * jax.random.normal(kq, (4, 8)), 0.3 * jax.random.normal(kk, (4, 8))
    w = favor_projection(kw, 8, 40000)
    est = apply_feature_map("favor_plus", q, projection=w) @ apply_feature_map("favor_plus", k, projection=w).T
    np.testing.assert_allclose(est, jnp.exp(q @ k.T), rtol=0.05)
    assert feature_size("favor_plus", 8, num_features=40000) == 40000


def test_errors_name_the_value():
    with pytest.raises(ValueError, match="name='relu'"):
        feature_size("relu", 4)
    with pytest.raises(ValueError, match="nu=0"):
        feature_size("dpfp", 4, nu=0)
    with pytest.raises(ValueError, match="projection of shape"):
        apply_feature_map("favor_plus", jnp.ones((2, 4)))
    assert "dpfp" in FEATURE_MAPS
