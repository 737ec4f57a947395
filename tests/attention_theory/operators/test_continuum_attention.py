"""Continuum attention: equals softmax attention for uniform weights; quadrature convergence rates."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx
from scipy import integrate as sp_integrate

from attention_theory.operators import ContinuumAttention, continuum_attention, trapezoid_weights


def _naive_softmax_attention(q, k, v):
    q, k, v = (np.asarray(t, np.float64) for t in (q, k, v))
    scores = np.einsum("bhqd,bhkd->bhqk", q, k) / np.sqrt(q.shape[-1])
    scores = scores - scores.max(-1, keepdims=True)
    p = np.exp(scores)
    p = p / p.sum(-1, keepdims=True)
    return np.einsum("bhqk,bhkd->bhqd", p, v)


def test_uniform_weights_equal_standard_softmax_attention():
    rng = np.random.default_rng(0)
    q = jnp.asarray(rng.normal(size=(2, 3, 5, 8)), jnp.float32)
    k = jnp.asarray(rng.normal(size=(2, 3, 7, 8)), jnp.float32)
    v = jnp.asarray(rng.normal(size=(2, 3, 7, 4)), jnp.float32)
    ref = _naive_softmax_attention(q, k, v)
    for weights in (None, jnp.full((7,), 1 / 7), jnp.full((2, 7), 3.0)):
        np.testing.assert_allclose(np.asarray(continuum_attention(q, k, v, weights)), ref, atol=1e-5)


def test_integer_weights_equal_duplicated_points():
    """Weight 2 on a point is the same measure as that point listed twice; weight 0 removes it."""
    rng = np.random.default_rng(0)
    q = jnp.asarray(rng.normal(size=(1, 2, 4, 6)), jnp.float32)
    k = jnp.asarray(rng.normal(size=(1, 2, 5, 6)), jnp.float32)
    v = jnp.asarray(rng.normal(size=(1, 2, 5, 3)), jnp.float32)
    weights = jnp.array([2.0, 1.0, 0.0, 1.0, 3.0])
    idx = np.array([0, 0, 1, 3, 4, 4, 4])
    ref = _naive_softmax_attention(q, k[:, :, idx], v[:, :, idx])
    np.testing.assert_allclose(np.asarray(continuum_attention(q, k, v, weights)), ref, atol=1e-5)


def test_weights_shape_error_names_shapes():
    q = jnp.ones((1, 1, 2, 4))
    with pytest.raises(ValueError, match=r"\(3,\)"):
        continuum_attention(q, jnp.ones((1, 1, 3, 4)), jnp.ones((1, 1, 3, 2)), jnp.ones((4,)))


def test_module_self_and_cross_attention_shapes_and_uniform_equivalence():
    attn = ContinuumAttention(16, 4, rngs=nnx.Rngs(0))
    u = jnp.asarray(np.random.default_rng(0).normal(size=(2, 9, 16)), jnp.float32)
    ctx = jnp.asarray(np.random.default_rng(1).normal(size=(2, 13, 16)), jnp.float32)
    assert attn(u).shape == (2, 9, 16)
    assert attn(u, context=ctx).shape == (2, 9, 16)
    np.testing.assert_allclose(
        np.asarray(attn(u, context=ctx, weights=jnp.full((13,), 0.5))), np.asarray(attn(u, context=ctx)), atol=1e-5
    )


# Scalar functions on [0, 1]: query value a, key k(y) = sin(2 pi y), value g(y) = y^2.
_A = 1.5


def _k(y):
    return np.sin(2 * np.pi * y)


def _g(y):
    return y**2


def _exact_attention() -> float:
    num = sp_integrate.quad(lambda y: np.exp(_A * _k(y)) * _g(y), 0, 1, epsabs=1e-13)[0]
    den = sp_integrate.quad(lambda y: np.exp(_A * _k(y)), 0, 1, epsabs=1e-13)[0]
    return num / den


def _attention_at(points: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    """Trials x N points -> attention value per trial, with dk = 1 and scale 1."""
    t, n = points.shape
    q = jnp.full((t, 1, 1, 1), _A, jnp.float32)
    k = jnp.asarray(_k(points), jnp.float32).reshape(t, 1, n, 1)
    v = jnp.asarray(_g(points), jnp.float32).reshape(t, 1, n, 1)
    w = None if weights is None else jnp.asarray(weights, jnp.float32)
    return np.asarray(_jitted_attention(q, k, v, w)).reshape(t)


_jitted_attention = jax.jit(lambda q, k, v, w: continuum_attention(q, k, v, w, scale=1.0))


def _slope(ns, errors) -> float:
    return float(np.polyfit(np.log(ns), np.log(errors), 1)[0])


def test_monte_carlo_attention_converges_at_rate_half_and_grids_faster():
    """Attention over i.i.d. points is a Monte Carlo estimate of the integral ratio: RMS error ~ N^-1/2.

    On a uniform midpoint grid (equal weights) and on sorted random points with trapezoid weights
    the error falls at least like N^-1.5 (second order for the quadrature rules).
    """
    exact = _exact_attention()
    rng = np.random.default_rng(0)
    ns = np.array([32, 128, 512, 2048])
    mc, grid, trap = [], [], []
    for n in ns:
        pts = rng.uniform(0, 1, (256, n))
        mc.append(np.sqrt(np.mean((_attention_at(pts, None) - exact) ** 2)))
        mid = ((np.arange(n) + 0.5) / n)[None]
        grid.append(abs(_attention_at(mid.astype(np.float64), None)[0] - exact))
        sorted_pts = np.sort(np.concatenate([np.zeros((16, 1)), rng.uniform(0, 1, (16, n - 2)), np.ones((16, 1))], 1), 1)
        w = np.asarray(trapezoid_weights(jnp.asarray(sorted_pts)))
        trap.append(np.sqrt(np.mean((_attention_at(sorted_pts, w) - exact) ** 2)))
    assert -0.6 < _slope(ns, mc) < -0.4, mc
    assert _slope(ns[:3], grid[:3]) < -1.5, grid  # float32 floor reached near N = 2048
    assert _slope(ns[:3], trap[:3]) < -1.5, trap
    # Equal weights on sorted random points are NOT a consistent rule beyond Monte Carlo; trapezoid is.
    assert trap[-1] < 0.1 * mc[-1]
