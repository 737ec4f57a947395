"""Navier-Stokes (nu = 1e-3): the first `history` vorticity snapshots -> the next ones, ONE-SHOT
(every future snapshot is an output channel), for FNO and the patched operators.

FNO's published 0.0128 (FNO-2D, nu = 1e-3, T = 50, 1000 train) is autoregressive at 64^2; our
default is a small one-shot CPU run at 32^2 and T = 20, so it is reported beside, not against, it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from attention_theory.experiments.data import operator_pairs, operator_splits
from attention_theory.experiments.plots import plot_fields
from attention_theory.experiments.saving import save_operator
from attention_theory.experiments.train import operator_train_config, train_operator
from attention_theory.operators import OperatorConfig
from attention_theory.pde import NavierStokesConfig, generate

FNO_PUBLISHED_NS = {1e-3: 0.0128, 1e-4: 0.0973, 1e-5: 0.1556}


@dataclasses.dataclass(frozen=True)
class NavierStokesExperimentConfig:
    models: tuple[str, ...] = ("fno", "vitno", "fano")
    resolution: int = 32
    visc: float = 1e-3
    horizon: float = 20.0
    dt: float = 1e-3
    history: int = 10
    num_train: int = 80
    num_test: int = 20
    num_patches: int = 4
    width: int = 32
    num_layers: int = 2
    num_heads: int = 4
    feedforward: int = 64
    fno_modes: int = 8
    patch_modes: int = 4
    epochs: int = 10
    batch_size: int = 10
    learning_rate: float = 1e-3
    decay_epochs: int = 100
    seed: int = 0

    @classmethod
    def full(cls) -> "NavierStokesExperimentConfig":
        return cls(resolution=64, horizon=50.0, num_train=1000, num_test=200, num_patches=8, width=32,
                   num_layers=4, fno_modes=12, epochs=500, batch_size=20, decay_epochs=100)

    def data_config(self) -> NavierStokesConfig:
        return NavierStokesConfig(num_samples=self.num_train + self.num_test, resolution=self.resolution,
                                  visc=self.visc, horizon=self.horizon, dt=self.dt, seed=self.seed)

    def operator_config(self, name: str) -> OperatorConfig:
        return OperatorConfig(name=name, width=self.width, num_layers=self.num_layers, num_heads=self.num_heads,
                              feedforward=self.feedforward, num_patches=self.num_patches, seed=self.seed,
                              modes=self.fno_modes if name == "fno" else self.patch_modes)


def run_navier_stokes_experiment(
    config: NavierStokesExperimentConfig, workdir: str | Path | None = None, data_path: str | None = None, progress=None
) -> dict:
    """{'rows': [{model, relative_l2, relative_h1, params}], 'mode': 'one-shot'}."""
    arrays, _, _ = generate("navier-stokes", config.data_config(), data_path, progress)
    x, y = operator_pairs("navier-stokes", arrays, history=config.history)
    splits = operator_splits(x, y, config.num_train, config.num_test, "navier-stokes")
    train_cfg = operator_train_config(config.epochs, config.batch_size, config.learning_rate, "relative_l2",
                                      config.decay_epochs, config.seed)
    rows = []
    workdir = Path(workdir) if workdir is not None else None
    for name in config.models:
        model_cfg = config.operator_config(name)
        run = train_operator(model_cfg, splits, train_cfg, workdir=None if workdir is None else str(workdir / name),
                             progress=False)
        final = run.result.final
        rows.append({"model": name, "status": run.result.status, "params": run.num_params,
                     "relative_l2": final.get("test_relative_l2", float("nan")),
                     "relative_h1": final.get("test_relative_h1", float("nan")),
                     "train_seconds": run.result.timings.get("train", 0.0)})
        if workdir is not None and run.result.status == "ok":
            save_operator(workdir / name, run.model, model_cfg, 2, {"problem": "navier-stokes"})
            pred = np.asarray(run.model(splits.test.x[:1]))
            plot_fields(workdir / f"fields_{name}.png", np.asarray(splits.test.x[0, ..., -1]),
                        np.asarray(splits.test.y[0, ..., -1]), pred[0, ..., -1],
                        f"NS nu={config.visc}, {name}: last snapshot")
    return {"rows": rows, "mode": "one-shot", "published_fno2d": FNO_PUBLISHED_NS.get(config.visc),
            "config": dataclasses.asdict(config)}
