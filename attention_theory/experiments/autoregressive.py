"""Autoregressive operator training through the shared engine: one-step model, rolled out at test time.

Given trajectory splits x: (N, *grid, history) (the first snapshots) and y: (N, *grid, T) (the
next T), the operator learns the one-step map (last `history` snapshots -> next snapshot) with
one of two losses, both trained by `jitloop.fit`:
- 'rollout' (FNO-2D's protocol, `fourier_2d_time.py`): the model is rolled out T steps from x
  with its own predictions fed back, and the loss is the mean over steps of each step's relative
  L2 (`stepwise_relative_l2`); gradients flow through the whole rollout.
- 'teacher-forcing': every window of `history` true snapshots -> the next one is a training pair
  (`trajectory_windows`), so each step sees true inputs. It materialises history x the data.
Either way the model is evaluated by rolling it out T steps (`rollout_errors`).
"""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp
import numpy as np

from attention_theory.experiments.rollout import Rollout, stepwise_relative_l2, trajectory_windows
from attention_theory.experiments.train import NORMALIZERS, OperatorRun, count_params
from attention_theory.operators import Normalized, OperatorConfig, UnitGaussianNormalizer, build_operator
from jitloop import LOSSES, Split, Splits, TrainConfig, fit, register_loss, to_device

AUTOREGRESSIVE_LOSSES = ("rollout", "teacher-forcing")
STEPWISE_LOSS = "stepwise_relative_l2"


def _register_stepwise_loss() -> None:
    # Registered on first use, not at import, so importing the experiments has no side effects.
    if STEPWISE_LOSS not in LOSSES:
        register_loss(STEPWISE_LOSS, stepwise_relative_l2)


def build_step_model(
    model_config: OperatorConfig, x: np.ndarray, y: np.ndarray, normalizer: str = "channel"
) -> Normalized:
    """A one-step operator (*grid, history) -> (*grid, 1) with encoders fitted on every snapshot.

    All snapshots of the training trajectories (x and y together) share one normaliser, tiled
    over the `history` input channels: a snapshot is encoded the same way at every lag, so a
    prediction fed back into the window is encoded as a true snapshot would be.
    """
    if normalizer not in NORMALIZERS:
        raise ValueError(f"normalizer must be one of {NORMALIZERS}; got {normalizer!r}")
    history = x.shape[-1]
    trajectories = np.concatenate([np.asarray(x), np.asarray(y)], axis=-1)
    snapshots = np.moveaxis(trajectories, -1, 1).reshape(-1, *x.shape[1:-1], 1)
    stats = UnitGaussianNormalizer.fit(snapshots, normalizer)
    x_stats = UnitGaussianNormalizer(jnp.repeat(stats.mean, history, axis=-1), jnp.repeat(stats.std, history, axis=-1),
                                     stats.eps)
    model = build_operator(model_config, x.ndim - 2, history, 1)
    return Normalized(model, x_stats, stats)


def _window_split(split: Split | None) -> Split | None:
    if split is None:
        return None
    x, y = trajectory_windows(np.concatenate([np.asarray(split.x), np.asarray(split.y)], axis=-1), split.x.shape[-1])
    return Split(to_device(x, np.float32), to_device(y, np.float32))


def train_autoregressive(
    model_config: OperatorConfig,
    splits: Splits,
    train_config: TrainConfig,
    *,
    loss: str = "rollout",
    normalizer: str = "channel",
    workdir: str | None = None,
    progress: bool | None = None,
) -> OperatorRun:
    """Train a one-step operator on trajectory splits with `loss` (see the module docstring).

    splits: x (N, *grid, history), y (N, *grid, T) per split. train_config.loss is the per-step
    loss for teacher forcing ('relative_l2' etc.); the rollout loss replaces it by
    `stepwise_relative_l2`. Returns an OperatorRun whose `model` is the one-step operator and
    whose result.final holds the engine's metrics (rollout-scale for 'rollout', one-step for
    'teacher-forcing'); score rollouts with `rollout_errors`.
    """
    if loss not in AUTOREGRESSIVE_LOSSES:
        raise ValueError(f"autoregressive loss must be one of {AUTOREGRESSIVE_LOSSES}; got {loss!r}")
    step_model = build_step_model(model_config, splits.train.x, splits.train.y, normalizer)
    num_params = count_params(step_model)
    run_info = {"operator": dataclasses.asdict(model_config), "normalizer": normalizer,
                "mode": "autoregressive", "autoregressive_loss": loss, "history": int(splits.train.x.shape[-1])}
    if loss == "rollout":
        _register_stepwise_loss()
        config = dataclasses.replace(train_config, loss=STEPWISE_LOSS,
                                     metrics=tuple(dict.fromkeys((*train_config.metrics, STEPWISE_LOSS))))
        result = fit(Rollout(step_model, splits.train.y.shape[-1]), splits, config, workdir=workdir, progress=progress,
                     run_info=run_info)
    else:
        valid = _window_split(splits.valid)
        # The operator splits share one test/valid split: window it once.
        test = valid if splits.test is splits.valid else _window_split(splits.test)
        windows = Splits(train=_window_split(splits.train), valid=valid, test=test, name=f"{splits.name}-windows")
        result = fit(step_model, windows, train_config, workdir=workdir, progress=progress, run_info=run_info)
    return OperatorRun(result, step_model, num_params)

