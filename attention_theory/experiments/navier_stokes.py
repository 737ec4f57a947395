"""Navier-Stokes (nu = 1e-3): the first `history` vorticity snapshots -> the next ones, for FNO and
the patched operators, in one of two modes (`mode`, stated in every row and in the result):

| mode            | model                                   | training loss                        | reported          |
|-----------------|-----------------------------------------|--------------------------------------|-------------------|
| one-shot        | history -> all T future snapshots       | relative L2 of the whole output      | relative L2       |
| autoregressive  | last history snapshots -> the next one, | 'rollout': FNO-2D's loss through the | full-horizon and  |
|                 | rolled out T steps at test time         | rollout; 'teacher-forcing': windows  | per-step rel. L2  |

FNO's published 0.0128 (FNO-2D, nu = 1e-3, T = 50, 1000 train / 200 test at 64^2) is the
autoregressive mode with the rollout loss: `NavierStokesExperimentConfig.full()` runs that
protocol. The default is a small one-shot CPU run at 32^2 and T = 20, reported beside, not
against, it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from attention_theory.experiments.autoregressive import AUTOREGRESSIVE_LOSSES, train_autoregressive
from attention_theory.experiments.data import experiment_data_path, operator_pairs, operator_splits
from attention_theory.experiments.plots import plot_error_curve, plot_fields
from attention_theory.experiments.rollout import rollout, rollout_errors
from attention_theory.experiments.saving import save_operator
from attention_theory.experiments.train import operator_train_config, train_operator
from attention_theory.operators import OperatorConfig
from attention_theory.pde import NavierStokesConfig, generate

FNO_PUBLISHED_NS = {1e-3: 0.0128, 1e-4: 0.0973, 1e-5: 0.1556}
MODES = ("one-shot", "autoregressive")


@dataclasses.dataclass(frozen=True)
class NavierStokesExperimentConfig:
    """mode: 'one-shot' | 'autoregressive'; autoregressive_loss: 'rollout' | 'teacher-forcing'
    (autoregressive mode only). The other fields are the data, operator and optimiser settings."""

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
    mode: str = "one-shot"
    autoregressive_loss: str = "rollout"
    seed: int = 0

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f"NavierStokesExperimentConfig.mode must be one of {MODES}; got {self.mode!r}")
        if self.autoregressive_loss not in AUTOREGRESSIVE_LOSSES:
            raise ValueError(f"NavierStokesExperimentConfig.autoregressive_loss must be one of "
                             f"{AUTOREGRESSIVE_LOSSES}; got {self.autoregressive_loss!r}")

    @classmethod
    def full(cls) -> "NavierStokesExperimentConfig":
        """FNO-2D's protocol: 64^2, T = 50 (10 -> 40 steps), 1000 / 200, autoregressive with the rollout loss."""
        return cls(resolution=64, horizon=50.0, num_train=1000, num_test=200, num_patches=8, width=32,
                   num_layers=4, fno_modes=12, epochs=500, batch_size=20, decay_epochs=100,
                   mode="autoregressive", autoregressive_loss="rollout")

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
    """{'rows': [{model, mode, relative_l2, relative_h1, params, ...}], 'mode': config.mode, ...}.

    Autoregressive rows add 'step_relative_l2' and 'per_step_relative_l2' (test rollouts over the
    T - history future snapshots); relative_l2 is then the full-horizon rollout error.
    With a workdir the data is cached there (data.npz, unless `data_path`) and each model
    checkpoints in its own folder, so a killed run resumes where it stopped.
    """
    arrays, _, _ = generate("navier-stokes", config.data_config(), experiment_data_path(workdir, data_path), progress)
    x, y = operator_pairs("navier-stokes", arrays, history=config.history)
    splits = operator_splits(x, y, config.num_train, config.num_test, "navier-stokes")
    train_cfg = operator_train_config(config.epochs, config.batch_size, config.learning_rate, "relative_l2",
                                      config.decay_epochs, config.seed)
    autoregressive = config.mode == "autoregressive"
    rows, step_rows = [], []
    workdir = Path(workdir) if workdir is not None else None
    for name in config.models:
        model_cfg = config.operator_config(name)
        run_dir = None if workdir is None else str(workdir / name)
        if autoregressive:
            run = train_autoregressive(model_cfg, splits, train_cfg, loss=config.autoregressive_loss, workdir=run_dir,
                                       progress=False)
        else:
            run = train_operator(model_cfg, splits, train_cfg, workdir=run_dir, progress=False)
        row = {"model": name, "mode": config.mode, "status": run.result.status, "params": run.num_params,
               "train_seconds": run.result.timings.get("train", 0.0)}
        if run.result.status != "ok":
            rows.append({**row, "relative_l2": float("nan"), "relative_h1": float("nan")})
            continue
        if autoregressive:
            errors = rollout_errors(run.model, np.asarray(splits.test.x), np.asarray(splits.test.y))
            row.update(errors)
            per_step = errors["per_step_relative_l2"]
            step_rows += [{"model": name, "step": k + 1, "relative_l2": e} for k, e in enumerate(per_step)]
        else:
            final = run.result.final
            row.update(relative_l2=final["test_relative_l2"], relative_h1=final["test_relative_h1"])
        rows.append(row)
        if workdir is not None:
            _save_and_plot(workdir, name, run.model, model_cfg, splits, config)
    if workdir is not None and step_rows:
        plot_error_curve(workdir / "error_vs_step.png", step_rows, "step", "rollout step")
    stated = {"mode": config.mode, **({"autoregressive_loss": config.autoregressive_loss} if autoregressive else {})}
    return {"rows": rows, **stated, "published_fno2d": FNO_PUBLISHED_NS.get(config.visc),
            "config": dataclasses.asdict(config)}


def _save_and_plot(workdir: Path, name: str, model, model_cfg: OperatorConfig, splits,
                   config: NavierStokesExperimentConfig) -> None:
    """operator.npz/json (with the mode) and the last predicted snapshot of the first test sample."""
    extra = {"problem": "navier-stokes", "history": config.history, "mode": config.mode}
    if config.mode == "autoregressive":
        extra["ar_loss"] = config.autoregressive_loss
        pred = np.asarray(rollout(model, splits.test.x[:1], int(splits.test.y.shape[-1])))
    else:
        pred = np.asarray(model(splits.test.x[:1]))
    save_operator(workdir / name, model, model_cfg, 2, extra)
    plot_fields(workdir / f"fields_{name}.png", np.asarray(splits.test.x[0, ..., -1]),
                np.asarray(splits.test.y[0, ..., -1]), pred[0, ..., -1],
                f"NS nu={config.visc}, {name}, {config.mode}: last snapshot")
