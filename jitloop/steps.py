"""The jitted units of work: one training epoch as a `lax.scan`, and chunked masked evaluation.

Both are module-level functions with the model's graph definition, the optax transform and
names as static arguments and all arrays (state, dataset, keys) as dynamic arguments, so the
dataset is never closed over and identical architectures reuse one compiled program. The
training state is donated: its buffers are reused for the next epoch's state.
"""

from __future__ import annotations

import functools
import math
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax
from flax import nnx

from jitloop.losses import LOSSES, METRICS


class TrainState(NamedTuple):
    """params: nnx.Param state; rest: every other variable (batch stats, RNG counters)."""

    params: Any
    rest: Any
    opt_state: Any


def _check_prediction(pred: jax.Array, target: jax.Array, loss: str) -> None:
    """Trace-time shape check, so a model/target mismatch names both shapes."""
    if loss in ("cross_entropy", "accuracy"):
        if pred.ndim < 2 or target.shape != pred.shape[:-1]:
            raise ValueError(
                f"classification needs logits (B, [positions,] classes) and labels (B, [positions]); got model "
                f"output {pred.shape} and labels {target.shape}"
            )
    elif pred.shape != target.shape:
        raise ValueError(f"loss {loss!r} needs model output shaped like the targets; got {pred.shape} vs {target.shape}")


def _constrain(x: jax.Array, sharding: jax.sharding.Sharding | None) -> jax.Array:
    return x if sharding is None else jax.lax.with_sharding_constraint(x, sharding)


@functools.partial(jax.jit, static_argnums=(1, 2, 3))
def epoch_indices(key: jax.Array, n: int, steps: int, batch_size: int) -> jax.Array:
    """(steps, batch_size) example indices: consecutive shuffles of range(n), truncated."""
    reps = math.ceil(steps * batch_size / n)
    perms = [jax.random.permutation(jax.random.fold_in(key, r), n) for r in range(reps)]
    return jnp.concatenate(perms)[: steps * batch_size].reshape(steps, batch_size)


def _sgd_step(graphdef, tx, loss: str, batch_sharding, state: TrainState, xb: jax.Array, yb: jax.Array):
    """One optimiser step on a batch; returns (new state, batch loss)."""
    loss_fn = LOSSES[loss]
    xb, yb = _constrain(xb, batch_sharding), _constrain(yb, batch_sharding)

    def objective(params, rest):
        model = nnx.merge(graphdef, params, rest, copy=True)
        pred = model(xb)
        _check_prediction(pred, yb, loss)
        _, _, new_rest = nnx.split(model, nnx.Param, ...)
        return jnp.mean(loss_fn(pred, yb)), new_rest

    (value, rest), grads = jax.value_and_grad(objective, has_aux=True)(state.params, state.rest)
    updates, opt_state = tx.update(grads, state.opt_state, state.params)
    return TrainState(optax.apply_updates(state.params, updates), rest, opt_state), value


def _all_finite(tree: Any) -> jax.Array:
    return jnp.all(jnp.array([jnp.all(jnp.isfinite(p)) for p in jax.tree.leaves(tree)]))


@functools.partial(jax.jit, static_argnums=(0, 1, 2, 3, 4, 5), donate_argnums=(6,))
def train_epoch(
    graphdef: nnx.GraphDef,
    tx: optax.GradientTransformation,
    loss: str,
    batch_size: int,
    steps: int,
    batch_sharding: jax.sharding.Sharding | None,
    state: TrainState,
    x: jax.Array,
    y: jax.Array,
    key: jax.Array,
    epoch: jax.Array,
) -> tuple[TrainState, jax.Array, jax.Array]:
    """Run `steps` optimiser steps on shuffled batches of (x, y) as one `lax.scan`.

    Args:
      x: (N, *input_shape), y: (N, ...) -- the whole training split, on device.
      key: the run's data key; the epoch's shuffle uses fold_in(key, epoch).
    Returns:
      (new state, per-step losses (steps,), whether every parameter is finite).
    """
    idx = epoch_indices(jax.random.fold_in(key, epoch), x.shape[0], steps, batch_size)

    def step(state: TrainState, batch_idx: jax.Array):
        return _sgd_step(graphdef, tx, loss, batch_sharding, state, x[batch_idx], y[batch_idx])

    state, losses = jax.lax.scan(step, state, idx)
    return state, losses, _all_finite(state.params)


@functools.partial(jax.jit, static_argnums=(0, 1, 2, 3), donate_argnums=(4,))
def train_steps_unrolled(
    graphdef: nnx.GraphDef,
    tx: optax.GradientTransformation,
    loss: str,
    batch_sharding: jax.sharding.Sharding | None,
    state: TrainState,
    x: jax.Array,
    y: jax.Array,
    idx: jax.Array,
) -> tuple[TrainState, jax.Array, jax.Array]:
    """The same steps as `train_epoch` for the batches idx (k, B), unrolled with no loop.

    XLA:CPU runs convolutions inside a while loop several times slower than outside one
    (jax-ml/jax#12868), so on CPU the engine can run an epoch as calls of k unrolled steps.
    """
    losses = []
    for i in range(idx.shape[0]):
        state, value = _sgd_step(graphdef, tx, loss, batch_sharding, state, x[idx[i]], y[idx[i]])
        losses.append(value)
    return state, jnp.stack(losses), _all_finite(state.params)


@functools.partial(jax.jit, static_argnums=(0, 1, 2, 3))
def evaluate_chunks(
    graphdef: nnx.GraphDef,
    metrics: tuple[str, ...],
    chunk: int,
    batch_sharding: jax.sharding.Sharding | None,
    params: Any,
    rest: Any,
    x: jax.Array,
    y: jax.Array,
    count: jax.Array,
) -> jax.Array:
    """Mean of each metric over the first `count` examples of a padded split.

    Args:
      x: (M, *input_shape) with M a multiple of `chunk`; rows >= count are padding.
      y: (M, ...) targets, padded likewise.
    Returns:
      (len(metrics),) means over the real examples; padding is masked out.
    """
    model = nnx.merge(graphdef, params, rest, copy=True)
    n_chunks = x.shape[0] // chunk
    xs = x.reshape(n_chunks, chunk, *x.shape[1:])
    ys = y.reshape(n_chunks, chunk, *y.shape[1:])
    mask = (jnp.arange(n_chunks * chunk) < count).reshape(n_chunks, chunk)

    def body(sums, inputs):
        xb, yb, mb = inputs
        pred = model(_constrain(xb, batch_sharding))
        for name in metrics:
            _check_prediction(pred, yb, name)
        values = []
        for name in metrics:
            value = METRICS[name](pred, yb)
            if value.shape != mb.shape:
                raise ValueError(f"metric {name!r} must return one value per example, shape {mb.shape}; got {value.shape}")
            values.append(jnp.sum(jnp.where(mb, value, 0.0)))
        values = jnp.stack(values)
        return sums + values, None

    zero = jnp.zeros(len(metrics), jnp.float32)
    if n_chunks == 1:  # no loop: XLA:CPU runs loop bodies slowly, more so without optimisation
        return body(zero, (xs[0], ys[0], mask[0]))[0] / count
    sums, _ = jax.lax.scan(body, zero, (xs, ys, mask))
    return sums / count
