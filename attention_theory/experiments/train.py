"""Train and evaluate one operator on one dataset through the shared engine (`jitloop.fit`).

The operator is wrapped in `Normalized` (unit-Gaussian input/output encoders fitted on the
training split), so the engine's loss and metrics are on the raw scale, as FNO reports them.
"""

from __future__ import annotations

import dataclasses

import jax
import numpy as np
from flax import nnx

from attention_theory.operators import Normalized, OperatorConfig, UnitGaussianNormalizer, build_operator
from jitloop import FitResult, OptimizerConfig, Split, Splits, TrainConfig, evaluate, fit, to_device

NORMALIZERS = ("channel", "pointwise")


def operator_train_config(
    epochs: int = 20,
    batch_size: int = 20,
    learning_rate: float = 1e-3,
    loss: str = "relative_l2",
    decay_epochs: int = 100,
    seed: int = 0,
    checkpoint_every: int | None = None,
) -> TrainConfig:
    """Adam, learning rate halved every `decay_epochs` (FNO's step schedule), weight decay 1e-4.

    checkpoint_every: epochs between checkpoints when trained with a workdir (None = a tenth of
    the epochs), so a killed run resumes from its last checkpoint.
    """
    return TrainConfig(
        epochs=epochs,
        batch_size=batch_size,
        eval_batch_size=max(batch_size, 50),
        loss=loss,
        metrics=("relative_l2", "relative_h1", "mse"),
        seed=seed,
        checkpoint_every=max(1, epochs // 10) if checkpoint_every is None else checkpoint_every,
        optimizer=OptimizerConfig(
            name="adam", learning_rate=learning_rate, weight_decay=1e-4, schedule="step",
            decay_epochs=decay_epochs, decay_rate=0.5,
        ),
    )


def build_normalized(model_config: OperatorConfig, train: Split, normalizer: str = "channel") -> Normalized:
    """The named operator for train's grid dimension and channels, wrapped with fitted encoders."""
    if normalizer not in NORMALIZERS:
        raise ValueError(f"normalizer must be one of {NORMALIZERS}; got {normalizer!r}")
    dim = train.x.ndim - 2
    model = build_operator(model_config, dim, int(train.x.shape[-1]), int(train.y.shape[-1]))
    return Normalized(
        model, UnitGaussianNormalizer.fit(train.x, normalizer), UnitGaussianNormalizer.fit(train.y, normalizer)
    )


@dataclasses.dataclass
class OperatorRun:
    """A trained operator: the engine's result and the parameter count."""

    result: FitResult
    model: Normalized
    num_params: int


def train_operator(
    model_config: OperatorConfig,
    splits: Splits,
    train_config: TrainConfig,
    *,
    normalizer: str = "channel",
    workdir: str | None = None,
    progress: bool | None = None,
) -> OperatorRun:
    """Build, wrap and train one operator with `jitloop.fit`."""
    model = build_normalized(model_config, splits.train, normalizer)
    num_params = count_params(model)
    run_info = {"operator": dataclasses.asdict(model_config), "normalizer": normalizer}
    result = fit(model, splits, train_config, workdir=workdir, progress=progress, run_info=run_info)
    return OperatorRun(result, model, num_params)


def count_params(model: nnx.Module) -> int:
    """Number of trainable scalars (complex spectral weights count as two)."""
    return int(sum(np.prod(leaf.shape) for leaf in jax.tree.leaves(nnx.state(model, nnx.Param))))


def evaluate_operator(model: nnx.Module, x: np.ndarray, y: np.ndarray, batch_size: int = 50) -> dict[str, float]:
    """Raw-scale relative L2 / H1 and MSE of `model` on (x, y) at whatever resolution they have."""
    split = Split(to_device(x, np.float32), to_device(y, np.float32))
    return evaluate(model, split, ("relative_l2", "relative_h1", "mse"), batch_size=batch_size)
