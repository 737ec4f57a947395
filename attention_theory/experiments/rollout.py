"""Autoregressive rollouts of a one-step operator (FNO-2D's time-stepping protocol for Navier-Stokes).

A one-step operator maps a window of the last `history` snapshots (B, *grid, history) to the next
snapshot (B, *grid, 1). Rolling out feeds each prediction back: the window drops its oldest
snapshot and appends the prediction (Li et al., ICLR 2021, `fourier_2d_time.py`). The rollout is
one `lax.scan`, used both inside training (the `Rollout` module, so `jitloop.fit` can train on the
rollout loss) and for evaluation (`rollout_errors`).

Shapes: trajectories are channels-last, time last: (N, *grid, T), snapshot t at [..., t].
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from jitloop import METRICS


def trajectory_windows(w: np.ndarray, history: int) -> tuple[np.ndarray, np.ndarray]:
    """Teacher-forcing pairs from trajectories w (N, *grid, T): every window of `history`
    consecutive snapshots and the snapshot after it.

    Returns x (N * (T - history), *grid, history) and y (N * (T - history), *grid, 1), ordered
    trajectory-major: pair n * (T - history) + j has input w[n, ..., j : j + history] and target
    w[n, ..., j + history].
    """
    steps = w.shape[-1] - history
    if history < 1 or steps < 1:
        raise ValueError(
            f"history={history} must be in [1, {w.shape[-1] - 1}] for trajectories of {w.shape[-1]} snapshots"
        )
    # (N, *grid, steps, history) view of every window; one copy when reshaped.
    windows = np.lib.stride_tricks.sliding_window_view(w[..., :-1], history, axis=-1)
    x = np.moveaxis(windows, -2, 1).reshape(-1, *w.shape[1:-1], history)
    y = np.moveaxis(w[..., history:], -1, 1).reshape(-1, *w.shape[1:-1], 1)
    return x, y


def rollout(step_model, window: jax.Array, steps: int) -> jax.Array:
    """Predictions (B, *grid, steps) of `steps` autoregressive applications of step_model.

    step_model: callable (B, *grid, history) -> (B, *grid, 1). window: (B, *grid, history), the
    newest snapshot last. One `lax.scan`; traced once per (shapes, steps).
    """

    def advance(current, _):
        nxt = step_model(current)
        if nxt.shape != current.shape[:-1] + (1,):
            expected = current.shape[:-1] + (1,)
            raise ValueError(f"a one-step operator must map {current.shape} to {expected}; got {nxt.shape}")
        return jnp.concatenate([current[..., 1:], nxt], axis=-1), nxt[..., 0]

    _, predictions = jax.lax.scan(advance, window, None, length=steps)
    return jnp.moveaxis(predictions, 0, -1)


class Rollout(nnx.Module):
    """A one-step operator rolled out `steps` times: (B, *grid, history) -> (B, *grid, steps).

    Training this module with `jitloop.fit` on (first `history` snapshots, the next `steps`) is
    FNO's rollout loss: gradients flow through every fed-back prediction.
    """

    def __init__(self, step_model: nnx.Module, steps: int):
        if steps < 1:
            raise ValueError(f"Rollout.steps must be >= 1; got {steps}")
        self.step_model = step_model
        self.steps = int(steps)

    def __call__(self, x: jax.Array) -> jax.Array:
        return rollout(self.step_model, x, self.steps)


def stepwise_relative_l2(pred: jax.Array, target: jax.Array) -> jax.Array:
    """(B,) mean over time steps of each step's relative L2; pred, target (B, *grid, T).

    FNO's training loss for time-stepping sums ||pred_t - y_t|| / ||y_t|| over steps; the mean
    divides that by T so its scale matches the single-step error.
    """
    return jnp.mean(per_step_relative_l2(pred, target), axis=-1)


def per_step_relative_l2(pred: jax.Array, target: jax.Array) -> jax.Array:
    """(B, T) relative L2 of every sample at every step; pred, target (B, *grid, T)."""
    if pred.shape != target.shape:
        raise ValueError(f"per-step errors need equal shapes; got pred {pred.shape} and target {target.shape}")
    flat = (pred.shape[0], -1, pred.shape[-1])
    num = jnp.linalg.norm((pred - target).reshape(flat), axis=1)
    den = jnp.linalg.norm(target.reshape(flat), axis=1)
    return num / jnp.maximum(den, 1e-12)


@nnx.jit(static_argnames=("steps",))
def _chunk_errors(step_model, x: jax.Array, y: jax.Array, steps: int):
    """Per-sample errors of one chunk: (per-step (B, T), full-horizon L2 (B,), full-horizon H1 (B,))."""
    pred = rollout(step_model, x, steps)
    return per_step_relative_l2(pred, y), METRICS["relative_l2"](pred, y), METRICS["relative_h1"](pred, y)


def rollout_errors(step_model: nnx.Module, x: np.ndarray, y: np.ndarray, batch_size: int = 50) -> dict:
    """Roll step_model out from x (N, *grid, history) over y's T steps (N, *grid, T) and score it.

    Returns {'relative_l2': full-horizon relative L2 (the whole (grid, T) trajectory as one
    vector, FNO's `test_l2_full`), 'relative_h1': the same for H1, 'step_relative_l2': mean over
    steps of the per-step error (FNO's `test_l2_step`), 'per_step_relative_l2': [T] means over
    samples}. Chunks are padded to one size so evaluation compiles once.
    """
    if x.shape[0] != y.shape[0] or x.shape[1:-1] != y.shape[1:-1]:
        raise ValueError(f"inputs {x.shape} and targets {y.shape} must share samples and grid")
    n, steps = x.shape[0], y.shape[-1]
    chunk = min(batch_size, n)
    padded = math.ceil(n / chunk) * chunk
    pad = lambda a: np.pad(np.asarray(a, np.float32), [(0, padded - n)] + [(0, 0)] * (a.ndim - 1))  # noqa: E731
    x, y = pad(x), pad(y)
    per_step, full_l2, full_h1 = [], [], []
    for start in range(0, padded, chunk):
        # Padded rows have zero targets; their errors are dropped below, never averaged in.
        rows = slice(start, start + chunk)
        s, l2, h1 = _chunk_errors(step_model, jnp.asarray(x[rows]), jnp.asarray(y[rows]), steps)
        per_step.append(np.asarray(s))
        full_l2.append(np.asarray(l2))
        full_h1.append(np.asarray(h1))
    per_step_all = np.concatenate(per_step)[:n]
    return {
        "relative_l2": float(np.mean(np.concatenate(full_l2)[:n])),
        "relative_h1": float(np.mean(np.concatenate(full_h1)[:n])),
        "step_relative_l2": float(np.mean(per_step_all)),
        "per_step_relative_l2": [float(v) for v in per_step_all.mean(axis=0)],
    }
