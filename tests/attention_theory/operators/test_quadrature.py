"""Quadrature weights: trapezoid exactness, uniform weights, log-weights."""

import jax.numpy as jnp
import numpy as np

from attention_theory.operators import integrate, log_weights, trapezoid_weights, uniform_weights


def test_trapezoid_exact_for_piecewise_linear_on_nonuniform_grid():
    rng = np.random.default_rng(0)
    points = np.sort(np.concatenate([[0.0, 1.0], rng.uniform(0, 1, 40)]))
    # Piecewise linear with kinks exactly at grid points: the trapezoid rule integrates it exactly.
    kinks = points[[5, 17, 30]]
    values = np.abs(points - kinks[0]) - 2 * np.abs(points - kinks[1]) + 0.5 * np.abs(points - kinks[2]) + 3 * points
    exact = sum(
        c * ((1 - k) ** 2 + k**2) / 2 for c, k in zip((1.0, -2.0, 0.5), kinks)
    ) + 1.5
    got = float(integrate(jnp.asarray(values, jnp.float32), trapezoid_weights(jnp.asarray(points, jnp.float32))))
    assert abs(got - exact) < 1e-5


def test_trapezoid_weights_sum_to_length_and_batch():
    points = jnp.stack([jnp.linspace(0.0, 2.0, 11), jnp.linspace(-1.0, 1.0, 11) ** 3])
    w = trapezoid_weights(points)
    assert w.shape == (2, 11)
    np.testing.assert_allclose(np.asarray(w.sum(-1)), [2.0, 2.0], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(w[0, [0, 5, 10]]), [0.1, 0.2, 0.1], rtol=1e-6)


def test_uniform_weights_and_log_weights_of_zero():
    np.testing.assert_allclose(np.asarray(uniform_weights(4)), 0.25)
    lw = log_weights(jnp.array([1.0, 0.0, 2.0]))
    assert np.isneginf(float(lw[1])) and abs(float(lw[2]) - np.log(2.0)) < 1e-6
