"""Quadrature weights for continuum attention (Calvello et al. 2024, arXiv 2406.06486, Sec. 3).

Continuum attention integrates against a measure on the domain; a discretisation replaces the
integral by a weighted sum over sample points y_j with weights w_j. The attention kernel is
normalised, so only the weights' ratios matter and softmax(s + log w) implements the weighted
sum exactly. Weights here are unnormalised quadrature weights (they sum to the domain length);
`log_weights` is what attention consumes.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def uniform_weights(num_points: int) -> jax.Array:
    """Equal weights 1/N, shape (N,): Monte Carlo for i.i.d. points, Riemann sum on a grid."""
    if num_points < 1:
        raise ValueError(f"num_points must be >= 1; got {num_points}")
    return jnp.full((num_points,), 1.0 / num_points)


def trapezoid_weights(points: jax.Array) -> jax.Array:
    """Trapezoid weights on a sorted 1-D grid.

    w_j = (Delta_{j-1} + Delta_j) / 2 with one-sided ends, Delta_j = y_{j+1} - y_j; exact for
    piecewise-linear integrands on [y_0, y_{N-1}].

    Args:
      points: (..., N) sorted ascending along the last axis, N >= 2.
    Returns:
      (..., N) weights summing to y_{N-1} - y_0.
    """
    points = jnp.asarray(points)
    if points.ndim < 1 or points.shape[-1] < 2:
        raise ValueError(f"trapezoid_weights needs at least 2 points on the last axis; got shape {points.shape}")
    delta = jnp.diff(points, axis=-1)
    zero = jnp.zeros(points.shape[:-1] + (1,), points.dtype)
    left = jnp.concatenate([zero, delta], axis=-1)
    right = jnp.concatenate([delta, zero], axis=-1)
    return 0.5 * (left + right)


def log_weights(weights: jax.Array) -> jax.Array:
    """log w, the additive score offset; zero weights become -inf (the point is ignored)."""
    weights = jnp.asarray(weights)
    return jnp.where(weights > 0, jnp.log(jnp.where(weights > 0, weights, 1.0)), -jnp.inf)


def integrate(values: jax.Array, weights: jax.Array) -> jax.Array:
    """sum_j w_j f(y_j) over the last axis of `values` (..., N) with weights (N,) or (..., N)."""
    weights = jnp.broadcast_to(weights, values.shape)
    return jnp.sum(values * weights, axis=-1)
