"""Lorenz-63 x(t) -> y(t): a TNO trained at dt = 0.01, tested at dt 0.005 ... 0.02 (the paper's
discretisation-invariance test, arXiv 2406.06486 Sec. 5.1).

Training pairs use dt = 0.01 on [0, 2] (201 points); test trajectories (their own seed) are
integrated on each test grid. The TNO receives the physical time t / T as its coordinate and
trapezoid quadrature weights, so the same parameters evaluate on every grid. Paper scale:
10k/2k/2k trajectories, d_model 128, 8 heads, 6 layers (`LorenzExperimentConfig.full()`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
from flax import nnx

from attention_theory.experiments.data import operator_pairs, operator_splits
from attention_theory.experiments.plots import plot_error_curve, plot_fields
from attention_theory.experiments.saving import save_operator
from attention_theory.experiments.train import operator_train_config, train_operator
from attention_theory.operators import OperatorConfig
from attention_theory.pde import LorenzConfig, generate

TEST_DTS = (0.005, 0.0075, 0.01, 0.015, 0.02)


@dataclasses.dataclass(frozen=True)
class LorenzExperimentConfig:
    num_train: int = 500
    num_test: int = 100
    train_dt: float = 0.01
    test_dts: tuple[float, ...] = TEST_DTS
    horizon: float = 2.0
    target: str = "y"
    width: int = 32
    num_heads: int = 4
    num_layers: int = 2
    feedforward: int = 64
    quadrature: str = "trapezoid"
    epochs: int = 20
    batch_size: int = 20
    learning_rate: float = 1e-3
    decay_epochs: int = 100
    seed: int = 0

    @classmethod
    def full(cls) -> "LorenzExperimentConfig":
        return cls(num_train=10000, num_test=2000, width=128, num_heads=8, num_layers=6, feedforward=128,
                   epochs=100, batch_size=100, decay_epochs=25)

    def operator_config(self) -> OperatorConfig:
        return OperatorConfig(name="tno", width=self.width, num_heads=self.num_heads, num_layers=self.num_layers,
                              feedforward=self.feedforward, quadrature=self.quadrature, seed=self.seed)


@nnx.jit
def _predict(model, x, coords):
    return model(x, coords=coords)


def _relative_l2(pred: np.ndarray, y: np.ndarray) -> float:
    num = np.linalg.norm((pred - y).reshape(len(y), -1), axis=1)
    return float(np.mean(num / np.linalg.norm(y.reshape(len(y), -1), axis=1)))


def run_lorenz_experiment(config: LorenzExperimentConfig, workdir: str | Path | None = None, progress=None) -> dict:
    """{'rows': [{model, dt, points, relative_l2}], 'train': {...}} for the dt-transfer test."""
    train_data, _, _ = generate("lorenz63", LorenzConfig(config.num_train + config.num_test, config.train_dt,
                                                         config.horizon, seed=config.seed), None, progress)
    x, y = operator_pairs("lorenz63", train_data, lorenz_target=config.target)
    splits = operator_splits(x, y, config.num_train, config.num_test, "lorenz63")
    train_cfg = operator_train_config(config.epochs, config.batch_size, config.learning_rate, "relative_l2",
                                      config.decay_epochs, config.seed)
    model_cfg = config.operator_config()
    workdir = Path(workdir) if workdir is not None else None
    run = train_operator(model_cfg, splits, train_cfg, workdir=None if workdir is None else str(workdir / "tno"),
                         progress=False)
    rows = []
    for dt in config.test_dts:
        test, _, _ = generate("lorenz63", LorenzConfig(config.num_test, dt, config.horizon, seed=config.seed + 1))
        xt, yt = operator_pairs("lorenz63", test, lorenz_target=config.target)
        coords = (test["t"] / config.horizon)[:, None]
        pred = np.concatenate([np.asarray(_predict(run.model, xt[i : i + 100], coords)) for i in range(0, len(xt), 100)])
        rows.append({"model": "tno", "dt": dt, "points": int(xt.shape[1]), "relative_l2": _relative_l2(pred, yt)})
        if workdir is not None and dt == config.train_dt:
            plot_fields(workdir / "trajectory_tno.png", xt[0, :, 0], yt[0, :, 0], pred[0, :, 0], f"Lorenz-63 y(t), dt = {dt}")
    if workdir is not None:
        save_operator(workdir / "tno", run.model, model_cfg, 1, {"problem": "lorenz63"})
        plot_error_curve(workdir / "error_vs_dt.png", rows, "dt", "test time step", train_value=config.train_dt)
    return {"rows": rows, "status": run.result.status, "train": run.result.final,
            "config": dataclasses.asdict(config)}


