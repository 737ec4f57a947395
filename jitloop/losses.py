"""Losses and metrics by name, as per-example functions.

Every entry maps (pred, target) -> (B,) per-example values. The training loss is the mean over
the batch; evaluation sums per-example values over masked chunks and divides by the number of
real examples, so every example counts exactly once. Register custom ones with
`register_loss` / `register_metric`.

Shapes: classification pred (B, K) logits and target (B,) int labels, or per-position labels
pred (B, *positions, K) and target (B, *positions), averaged over the positions of each example
(sequence tasks such as associative recall); regression pred and target (B, ...) of equal shape;
for fields, (B, *grid, C) with the grid on the unit cube.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import optax

PerExample = Callable[[jax.Array, jax.Array], jax.Array]


def _flat(x: jax.Array) -> jax.Array:
    return x.reshape(x.shape[0], -1)


def cross_entropy(logits: jax.Array, labels: jax.Array) -> jax.Array:
    """logits (B, *positions, K), labels (B, *positions) -> (B,) mean over the positions."""
    return jnp.mean(_flat(optax.softmax_cross_entropy_with_integer_labels(logits, labels)), axis=1)


def accuracy(logits: jax.Array, labels: jax.Array) -> jax.Array:
    """Fraction of correct positions per example: (B, *positions, K), (B, *positions) -> (B,)."""
    return jnp.mean(_flat(jnp.argmax(logits, axis=-1) == labels).astype(jnp.float32), axis=1)


def mse(pred: jax.Array, target: jax.Array) -> jax.Array:
    return jnp.mean(_flat(pred - target) ** 2, axis=1)


def relative_l2(pred: jax.Array, target: jax.Array) -> jax.Array:
    """||pred - target|| / ||target|| per sample (the FNO papers' relative L2 error)."""
    num = jnp.linalg.norm(_flat(pred - target), axis=1)
    den = jnp.linalg.norm(_flat(target), axis=1)
    return num / jnp.maximum(den, 1e-12)


def _h1_squared(u: jax.Array) -> jax.Array:
    """||u||^2 + ||grad u||^2 per sample for u (B, *grid, C) on the unit cube, forward differences."""
    total = jnp.sum(_flat(u) ** 2, axis=1)
    for axis in range(1, u.ndim - 1):
        n = u.shape[axis]
        if n < 2:
            continue
        du = jnp.diff(u, axis=axis) * n  # spacing h = 1/n
        total = total + jnp.sum(_flat(du) ** 2, axis=1) * (n / (n - 1))
    return total


def relative_h1(pred: jax.Array, target: jax.Array) -> jax.Array:
    """Relative H1 error per sample; fields are (B, *grid, C). For (B, C) it is relative L2."""
    if pred.shape != target.shape:
        raise ValueError(f"relative_h1 needs equal shapes; got pred {pred.shape} and target {target.shape}")
    return jnp.sqrt(_h1_squared(pred - target) / jnp.maximum(_h1_squared(target), 1e-24))


LOSSES: dict[str, PerExample] = {
    "cross_entropy": cross_entropy,
    "mse": mse,
    "relative_l2": relative_l2,
    "relative_h1": relative_h1,
}
METRICS: dict[str, PerExample] = {
    "accuracy": accuracy,
    "cross_entropy": cross_entropy,
    "mse": mse,
    "relative_l2": relative_l2,
    "relative_h1": relative_h1,
}
CLASSIFICATION = frozenset({"cross_entropy", "accuracy"})


def register_loss(name: str, fn: PerExample) -> None:
    """Add a per-example loss; it also becomes available as a metric."""
    LOSSES[name] = fn
    METRICS.setdefault(name, fn)


def register_metric(name: str, fn: PerExample) -> None:
    METRICS[name] = fn
