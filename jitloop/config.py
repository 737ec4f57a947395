"""Typed, frozen configs for the engine: the optimiser and one training run.

Every field has a default that runs; `validate()` raises a ValueError naming the field, the
value and what would be valid. Configs round-trip through JSON (`to_dict`/`from_dict`) so each
run writes its resolved config next to its results.
"""

from __future__ import annotations

import dataclasses
from typing import Any

OPTIMIZERS = ("sgd", "adam", "adamw")
SCHEDULES = ("constant", "cosine", "warmup_cosine", "warmup_constant", "step")
COMPILE_MODE_NAMES = ("default", "fast")  # jitloop.programs.COMPILE_MODES


def _check_choice(owner: str, field: str, value: Any, valid: tuple[str, ...]) -> None:
    if value not in valid:
        raise ValueError(f"{owner}.{field}={value!r} is not valid; choose one of {valid}")


def _check_positive(owner: str, field: str, value: float, *, allow_zero: bool = False) -> None:
    ok = value >= 0 if allow_zero else value > 0
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{owner}.{field}={value!r} is not valid; it must be {bound}")


@dataclasses.dataclass(frozen=True)
class OptimizerConfig:
    """Optimiser and learning-rate schedule. Defaults are einspace's candidate protocol.

    schedule: constant | cosine (to zero over the run) | warmup_cosine | warmup_constant |
    step (multiply by `decay_rate` every `decay_epochs` epochs).
    """

    name: str = "sgd"
    learning_rate: float = 0.04
    momentum: float = 0.9
    nesterov: bool = False
    weight_decay: float = 3e-4
    schedule: str = "cosine"
    warmup_steps: int = 0
    decay_rate: float = 0.5
    decay_epochs: int = 100
    grad_clip_norm: float | None = None
    b1: float = 0.9
    b2: float = 0.999

    def validate(self) -> "OptimizerConfig":
        _check_choice("OptimizerConfig", "name", self.name, OPTIMIZERS)
        _check_choice("OptimizerConfig", "schedule", self.schedule, SCHEDULES)
        _check_positive("OptimizerConfig", "learning_rate", self.learning_rate)
        _check_positive("OptimizerConfig", "weight_decay", self.weight_decay, allow_zero=True)
        _check_positive("OptimizerConfig", "warmup_steps", self.warmup_steps, allow_zero=True)
        _check_positive("OptimizerConfig", "decay_epochs", self.decay_epochs)
        if not 0.0 <= self.momentum < 1.0:
            raise ValueError(f"OptimizerConfig.momentum={self.momentum!r} is not valid; it must be in [0, 1)")
        if self.schedule.startswith("warmup") and self.warmup_steps == 0:
            raise ValueError(
                f"OptimizerConfig.warmup_steps=0 is not valid with schedule={self.schedule!r}; "
                "give a positive number of warm-up steps"
            )
        if self.grad_clip_norm is not None:
            _check_positive("OptimizerConfig", "grad_clip_norm", self.grad_clip_norm)
        return self


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """One training run through the engine.

    epochs: passes over the training split (or `steps_per_epoch` steps each, if set).
    loss: a registered loss name (jitloop.losses.LOSSES); metrics: registered metric names,
    reported for every evaluated split. eval_batch_size: fixed evaluation chunk; the last chunk
    is padded and masked. eval_every: evaluate the valid split every this many epochs (the last
    epoch is always evaluated); the test split is evaluated once, at the end.
    checkpoint_every: epochs between checkpoints in workdir (0 = never).
    unroll_steps: 0 runs each epoch as one `lax.scan`; k > 0 runs it as calls of k unrolled
    steps, which is faster for convolutional models on CPU (XLA:CPU is slow at convolutions
    inside loops) at the price of a compile time that grows with k.
    compile_mode: "default", or "fast" (XLA without its optimisation passes: compiles several
    times faster, runs slower; for short runs, see jitloop.programs.COMPILE_MODES).
    """

    epochs: int = 8
    batch_size: int = 256
    eval_batch_size: int = 1024
    steps_per_epoch: int | None = None
    loss: str = "cross_entropy"
    metrics: tuple[str, ...] = ("accuracy",)
    optimizer: OptimizerConfig = dataclasses.field(default_factory=OptimizerConfig)
    seed: int = 0
    eval_every: int = 1
    checkpoint_every: int = 0
    data_parallel: bool = True
    unroll_steps: int = 0
    compile_mode: str = "default"

    def validate(self) -> "TrainConfig":
        from jitloop.losses import LOSSES, METRICS

        for field in ("epochs", "batch_size", "eval_batch_size", "eval_every"):
            _check_positive("TrainConfig", field, getattr(self, field))
        _check_positive("TrainConfig", "checkpoint_every", self.checkpoint_every, allow_zero=True)
        _check_positive("TrainConfig", "unroll_steps", self.unroll_steps, allow_zero=True)
        if self.steps_per_epoch is not None:
            _check_positive("TrainConfig", "steps_per_epoch", self.steps_per_epoch)
        _check_choice("TrainConfig", "loss", self.loss, tuple(sorted(LOSSES)))
        _check_choice("TrainConfig", "compile_mode", self.compile_mode, COMPILE_MODE_NAMES)
        for metric in self.metrics:
            _check_choice("TrainConfig", "metrics", metric, tuple(sorted(METRICS)))
        self.optimizer.validate()
        return self

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TrainConfig":
        data = dict(data)
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"TrainConfig has no field(s) {unknown}; valid fields are {sorted(known)}")
        if isinstance(data.get("optimizer"), dict):
            opt_known = {f.name for f in dataclasses.fields(OptimizerConfig)}
            bad = sorted(set(data["optimizer"]) - opt_known)
            if bad:
                raise ValueError(f"OptimizerConfig has no field(s) {bad}; valid fields are {sorted(opt_known)}")
            data["optimizer"] = OptimizerConfig(**data["optimizer"])
        if "metrics" in data:
            data["metrics"] = tuple(data["metrics"])
        return cls(**data)
